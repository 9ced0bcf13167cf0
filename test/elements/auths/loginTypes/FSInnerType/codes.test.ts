import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { FSInnerCodes, mapFeishuCode } from '../../../../../elements/auths/loginTypes/FSInnerType/codes.js';

/** The mapping table as written once, in the header comment of codes.ts: [project code, Feishu code] pairs. */
function headerTable(): Array<[number, number]> {
  const source = readFileSync(new URL('../../../../../elements/auths/loginTypes/FSInnerType/codes.ts', import.meta.url), 'utf8');
  const start = source.indexOf('Feishu code → project code');
  const block = source.slice(start, source.indexOf('*/', start));
  const pairs: Array<[number, number]> = [];
  let ours: number | undefined;
  for (const line of block.split('\n')) {
    const text = line.replace(/^\s*\*\s?/, '').replace(/\([^)]*\)?/g, ''); // parenthesised notes are prose
    const head = /^\s{2}(\d{5})\s/.exec(text);
    if (head) ours = Number(head[1]);
    if (ours === undefined) continue;
    for (const [number] of text.slice(head ? head[0].length : 0).matchAll(/\b\d{5,}\b/g)) pairs.push([ours, Number(number)]);
  }
  return pairs;
}

describe('the Feishu error mapping (codes.ts header)', () => {
  test('the code does what the header table says, for every row', () => {
    const table = headerTable();
    expect(table.length).toBeGreaterThan(40);
    for (const [ours, feishu] of table) expect([feishu, mapFeishuCode(feishu)]).toEqual([feishu, ours]);
  });

  test('20010 (the user is outside the app availability range) refuses the user, it is not an app problem', () => {
    expect(mapFeishuCode(20010)).toBe(FSInnerCodes.LOGIN_NOT_ALLOWED);
  });

  test("Feishu's 40014 (no parent dept authority) is a contact-range problem, not the project's 40014", () => {
    expect(mapFeishuCode(40014)).toBe(FSInnerCodes.PERMISSION_MISSING);
    expect(mapFeishuCode(40004)).toBe(FSInnerCodes.PERMISSION_MISSING);
    expect(mapFeishuCode(41050)).toBe(FSInnerCodes.PERMISSION_MISSING);
  });

  test('an unmapped code is a Feishu failure', () => {
    expect(mapFeishuCode(41012)).toBe(FSInnerCodes.FEISHU_FAILURE);
  });
});
