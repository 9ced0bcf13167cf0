// Renders each official Type's config JSON Schema as a Markdown table into
// README.md between <!-- config:<TypeFullName> --> markers, so the docs and
// the schema (and the forms built from it) cannot drift. `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';

export function configTable(schema) {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([name, p]) => {
    const type = p.enum ? p.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ') : p.type === 'array' ? `${p.items?.type ?? 'any'}[]` : p.type;
    const dflt = p.default === undefined ? (required.has(name) ? '**required**' : '—') : `\`${JSON.stringify(p.default)}\``;
    return `| \`${name}\` | ${type} | ${dflt} | ${p.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| field | type | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

export const TYPES = { 'auths.loginTypes.FSInnerType': 'elements/auths/loginTypes/FSInnerType/config.schema.json' };

export function renderReadme(readme) {
  let out = readme;
  for (const [id, file] of Object.entries(TYPES)) {
    const table = configTable(JSON.parse(readFileSync(file, 'utf8')));
    const pattern = new RegExp(`(<!-- config:${id.replace(/\./g, '\\.')} -->)[\\s\\S]*?(<!-- /config -->)`);
    out = out.replace(pattern, `$1\n${table}\n$2`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  writeFileSync('README.md', renderReadme(readme));
  console.log('README.md configuration tables regenerated');
}
