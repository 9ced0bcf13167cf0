import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without type declarations
import { renderReadme } from '../scripts/config-docs.mjs';

test("the README's configuration tables match the Types' config schemas (npm run docs regenerates them)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain('| `appSecret` | string | **required** |');
  expect(renderReadme(readme)).toBe(readme);
});
