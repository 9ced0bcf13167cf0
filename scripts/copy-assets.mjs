// tsc compiles the TypeScript; elements also need their e.json, schemas and
// static files next to the compiled modules in dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fg from 'fast-glob';

const files = fg.sync(['elements/**/*.{json,html,css,svg,png}', 'elements/**/web/*.js', 'runtime/**/*.{json,html,css,svg,png}', 'runtime/http/public/*.js'], { ignore: ['**/node_modules/**'] });
for (const file of files) {
  const target = join('dist', file);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
console.log(`copied ${files.length} asset file(s) to dist/`);
