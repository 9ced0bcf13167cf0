import { describe, expect, test } from '@jest/globals';
import fg from 'fast-glob';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuthCodes } from '../runtime/auth/auth-errors.js';
import { declaredCodes } from '../runtime/errcode.js';
import { HttpCodes } from '../runtime/http/http-errors.js';
import { FSInnerCodes } from '../elements/auths/loginTypes/FSInnerType/feishu-errors.js';

/**
 * Our Codes are written by name (`FSInnerCodes.INVALID_AUTH_CODE`, `RuntimeCodes.BUSY`), never as
 * numbers, except where they are declared. Feishu's numbers are data, not our codes: the sandbox
 * speaks them (and its tests assert them), the mapping table lists them; a Feishu number that
 * happens to equal one of ours (10003, 40014) is only flagged where it is used as a code.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCANNED = ['runtime/**/*.{ts,js}', 'elements/**/*.{ts,js}', 'apps/**/*.{ts,js}', 'test/**/*.ts'];
const IGNORED = ['**/node_modules/**', '**/data/**', '**/sandbox/**', 'test/bare-codes.test.ts'];

/** Comments are prose ("Code 40301 to refuse"): blanked, lines kept. A `//` only starts one after a space or at a line start (not in https://). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' ')).replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** Where a five-digit literal is used as one of our codes: `new Code(N`, `code: N`, `code === N`, `.code).toBe(N)`, `….code]).toEqual([400, N])`. */
function bareCodes(source: string, ours: ReadonlySet<number>): Array<{ line: number; text: string }> {
  const found: Array<{ line: number; text: string }> = [];
  withoutComments(source)
    .split('\n')
    .forEach((text, index) => {
      const hits = [
        ...[...text.matchAll(/\bnew \w*(?:Code|Error)\(\s*(\d{5})\b/g)].map((m) => Number(m[1])), // any number: a thrown code is always ours
        ...[
          ...text.matchAll(/\bcode\b\W{1,5}?(\d{5})\b/g),
          ...text.matchAll(/\.code\)\s*\.(?:not\.)?(?:toBe|toEqual|toStrictEqual)\(\s*(\d{5})\b/g),
          ...text.matchAll(/\.code\]\)\s*\.(?:toEqual|toStrictEqual)\(\[[^\]]*?\b(\d{5})\b/g),
        ]
          .map((m) => Number(m[1]))
          .filter((n) => ours.has(n)),
      ];
      if (hits.length > 0) found.push({ line: index + 1, text: text.trim() });
    });
  return found;
}

/** Files that declare a catalogue (the numbers' one home) or the Feishu mapping table. */
const isDeclaration = (source: string) => /\bdefineCodes\(/.test(source);

describe('no bare code numbers', () => {
  const ours = new Set(declaredCodes().map((d) => d.code));

  test('the catalogues loaded here declare every code family', () => {
    expect([...ours].filter((n) => n < 10100).length).toBeGreaterThanOrEqual(10); // runtime
    expect([HttpCodes.NOT_SIGNED_IN, AuthCodes.INVALID_STATE, FSInnerCodes.INVALID_AUTH_CODE].every((n) => ours.has(n))).toBe(true); // http, auth, the Feishu login
  });

  test('source and tests name our codes, never write their numbers', () => {
    const files = fg.sync(SCANNED, { cwd: ROOT, ignore: IGNORED });
    expect(files.length).toBeGreaterThan(100);
    const offences = files.flatMap((file) => {
      const source = readFileSync(`${ROOT}${file}`, 'utf8');
      return isDeclaration(source) ? [] : bareCodes(source, ours).map(({ line, text }) => `${file}:${line}: ${text}`);
    });
    expect(offences).toEqual([]);
  });

  test('finds a reintroduced number in each shape, and leaves prose, Feishu numbers and names alone', () => {
    const flagged = (source: string) => bareCodes(source, ours).map((f) => f.line);
    expect(
      flagged(
        [
          "throw new Code(12345, 'made up');", // 1: any thrown number
          'await expect(p).rejects.toMatchObject({ code: 40029 });', // 2
          'if (err.code === 10009) return;', // 3
          'expect(run.error?.code).toBe(10010);', // 4
          'expect([reply.statusCode, reply.json().code]).toEqual([403, 10403]);', // 5
          "expect(body).toContain('data-testid=\"error-code\">40030<');", // 6
          'const fallback = typeof err.code === "number" ? err.code : 10500;', // 7
          "throw new ApiError(10500, 'unexpected');", // 8
        ].join('\n'),
      ),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(
      flagged(
        [
          '/** Throws Code 40301 to refuse; see `{ code: 40029 }`. */',
          '// code: 10008 when malformed',
          "test('a forged code is 40029', async () => {});",
          "expect(error).toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE, details: { feishuCode: 20003 } });",
          'expect(mapFeishuCode(40014)).toBe(FSInnerCodes.PERMISSION_MISSING);',
          "const url = 'https://open.feishu.cn/x'; // code: 40029",
          'expect(reply.body.code).toBe(99991672);',
          'const users = { default: 50000 };',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  test("the browser client's copy of HttpCodes.INTERNAL (it cannot import the catalogue) agrees with it", () => {
    const api = readFileSync(`${ROOT}runtime/http/public/api.js`, 'utf8');
    expect(Number(/export const INTERNAL_ERROR = (\d+);/.exec(api)?.[1])).toBe(HttpCodes.INTERNAL);
  });
});
