import { describe, expect, test } from '@jest/globals';
import { CodeStore } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/auth-code-store.js';
import { FEISHU } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/errors.js';
import { TokenStore } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/tokens.js';

// A long-running sandbox (jit sandbox, jit serve --sandbox, bench:load) used to keep every code and token it issued (issue #14).

const failureCode = (run: () => unknown): number | undefined => {
  try {
    run();
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
};

describe('the sandbox forgets codes and access tokens one lifetime after they expire', () => {
  test('a used or expired code reads as such for one lifetime more, then as unknown', () => {
    let now = 0;
    const codes = new CodeStore(() => now, 300);
    const used = codes.issue({ appId: 'cli_a', openId: 'ou_1' });
    const unused = codes.issue({ appId: 'cli_a', openId: 'ou_1' });
    codes.redeem({ code: used.code, appId: 'cli_a' });
    now = 600_000; // expired 300 s ago: still remembered
    codes.issue({ appId: 'cli_a', openId: 'ou_1' });
    expect(failureCode(() => codes.redeem({ code: used.code, appId: 'cli_a' }))).toBe(FEISHU.codeUsed[0]);
    expect(failureCode(() => codes.redeem({ code: unused.code, appId: 'cli_a' }))).toBe(FEISHU.codeExpired[0]);
    now = 600_001;
    const fresh = codes.issue({ appId: 'cli_a', openId: 'ou_1' });
    expect(failureCode(() => codes.redeem({ code: used.code, appId: 'cli_a' }))).toBe(FEISHU.codeInvalid[0]);
    expect(failureCode(() => codes.redeem({ code: unused.code, appId: 'cli_a' }))).toBe(FEISHU.codeInvalid[0]);
    expect(codes.redeem({ code: fresh.code, appId: 'cli_a' }).openId).toBe('ou_1');
  });

  test('an access token is found, expired, for one lifetime more, then not at all; refresh tokens stay', () => {
    let now = 0;
    const tokens = new TokenStore(() => now, { accessSeconds: 7200, refreshSeconds: 30 * 86_400 });
    const first = tokens.issueUserTokens('cli_a', 'ou_1', [], { scopes: ['offline_access'], grantedAt: now });
    now = 2 * 7200 * 1000;
    tokens.issueUserTokens('cli_a', 'ou_1', []);
    expect(tokens.isLive(tokens.findAccess(first.access.token)!)).toBe(false);
    now += 1;
    tokens.issueUserTokens('cli_a', 'ou_1', []);
    expect(tokens.findAccess(first.access.token)).toBeUndefined();
    expect(tokens.findRefresh(first.refresh!.token)).toBeDefined();
  });

  test('steady issuing keeps the store bounded', () => {
    let now = 0;
    const codes = new CodeStore(() => now, 300);
    const issued: string[] = [];
    for (let i = 0; i < 10_000; i++, now += 1000) issued.push(codes.issue({ appId: 'cli_a', openId: 'ou_1' }).code); // one a second
    // The first 9,399 s are gone; the last 601 (the one 600 s ago, and every later one) are kept.
    const kept = issued.filter((code) => failureCode(() => codes.redeem({ code, appId: 'cli_a' })) !== FEISHU.codeInvalid[0]);
    expect(kept).toHaveLength(601);
  });
});
