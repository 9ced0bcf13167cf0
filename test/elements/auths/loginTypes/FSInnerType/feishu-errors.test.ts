import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { AuthErrors } from '../../../../../runtime/auth/auth-errors.js';
import { definitionOf, statusFor } from '../../../../../runtime/errcode.js';
import { FeishuOutOfRange, FeishuUserGone, FSInnerCodes, FSInnerErrors, fromFeishu, mapFeishuCode } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';

const SOURCE = new URL('../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.ts', import.meta.url);

/** The mapping table as written once, in the header comment of the table in feishu-errors.ts: [project code, Feishu code] pairs. */
function headerTable(): Array<[number, number]> {
  const source = readFileSync(SOURCE, 'utf8');
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

const reply = (feishuCode: number, more: { feishuMsg?: string; scopes?: string[] } = {}) => ({ endpoint: 'user_get', feishuCode, feishuMsg: more.feishuMsg ?? '', scopes: more.scopes ?? [] });

describe('the Feishu error mapping (feishu-errors.ts)', () => {
  test('the code does what the header table says, for every row', () => {
    const table = headerTable();
    expect(table.length).toBeGreaterThan(40);
    for (const [ours, feishu] of table) expect([feishu, mapFeishuCode(feishu)]).toEqual([feishu, ours]);
  });

  test('20010 (the user is outside the app availability range) refuses the user, it is not an app problem', () => {
    expect(mapFeishuCode(20010)).toBe(FSInnerCodes.LOGIN_NOT_ALLOWED);
  });

  test("Feishu's 40014 (no parent dept authority) is a contact-range problem, not the project's 40014", () => {
    for (const outOfRange of Object.values(FeishuOutOfRange)) expect(mapFeishuCode(outOfRange)).toBe(FSInnerCodes.PERMISSION_MISSING);
  });

  test('an unmapped code is a Feishu failure', () => {
    expect(mapFeishuCode(FeishuUserGone.USER_ID_INVALID)).toBe(FSInnerCodes.FEISHU_FAILURE);
  });

  test('the Code made from a reply: its message filled from the reply, Feishu\'s facts in details', () => {
    const missing = fromFeishu(reply(99991672, { scopes: ['contact:user.base:readonly'] }), { feishuCode: 99991672 });
    expect(missing).toMatchObject({ name: 'Code', code: FSInnerCodes.PERMISSION_MISSING, message: 'The Feishu app lacks a permission this call needs: missing scope(s) contact:user.base:readonly', details: { feishuCode: 99991672 } });
    expect(fromFeishu(reply(FeishuUserGone.USER_ID_INVALID, { feishuMsg: 'user id invalid' }), {}).message).toBe('Feishu request failed: user_get failed (Feishu code 41012, user id invalid)');
    expect(fromFeishu(reply(-1), {}).code).toBe(FSInnerCodes.FEISHU_FAILURE);
    expect(fromFeishu(reply(20010), {})).toMatchObject({ code: FSInnerCodes.LOGIN_NOT_ALLOWED, message: 'This Feishu user may not log in to this app' });
    expect(fromFeishu(reply(20037), {}).message).toMatch(/sign in again: Feishu no longer accepts the refresh token$/);
    expect(fromFeishu(reply(20003), {}).message).not.toContain('{');
  });
});

describe("the element's catalogue", () => {
  test('declares its statuses: the HTTP layer maps them without knowing the element', () => {
    expect(Object.fromEntries(Object.entries(FSInnerErrors).map(([name, d]) => [name, statusFor(d.code)]))).toEqual({
      CREDENTIALS_REJECTED: 502,
      INVALID_ACCESS_TOKEN: 502,
      ACCESS_TOKEN_EXPIRED: 502,
      SIGN_IN_AGAIN: 400,
      INVALID_AUTH_CODE: 400,
      INVALID_STATE: 400,
      RATE_LIMITED: 429,
      PERMISSION_MISSING: 502,
      APP_UNAVAILABLE: 502,
      LOGIN_NOT_ALLOWED: 403,
      FEISHU_FAILURE: 502,
    });
  });

  test('shares the auth codes with every login Type rather than declaring them again', () => {
    expect(FSInnerErrors.INVALID_STATE).toBe(AuthErrors.INVALID_STATE);
    expect(FSInnerErrors.LOGIN_NOT_ALLOWED).toBe(AuthErrors.LOGIN_NOT_ALLOWED);
    expect(definitionOf(FSInnerCodes.INVALID_AUTH_CODE)).toMatchObject({ namespace: 'auths.loginTypes.FSInnerType', name: 'INVALID_AUTH_CODE' });
  });
});
