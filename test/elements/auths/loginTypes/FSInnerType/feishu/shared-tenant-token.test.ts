import { expect, test } from '@jest/globals';
import { SecretBox } from '../../../../../../runtime/auth/secret-box.js';
import { MemoryValues, type SharedValues } from '../../../../../../runtime/shared/shared-values.js';
import { SharedTenantToken } from '../../../../../../elements/auths/loginTypes/FSInnerType/feishu/shared-tenant-token.js';
import type { FetchedToken } from '../../../../../../elements/auths/loginTypes/FSInnerType/feishu/tenant-token.js';

const MARGIN_MS = 180_000;
const secrets = SecretBox.fromKeys(Buffer.alloc(32, 7));

/** Feishu's token endpoint, counted; each fetch returns a new token valid for 2 h, after `delayMs`. */
function feishu(delayMs = 20) {
  let fetches = 0;
  return {
    fetches: () => fetches,
    fetch: async (): Promise<FetchedToken> => {
      fetches++;
      await new Promise((r) => setTimeout(r, delayMs));
      return { token: `t-${fetches}`, expireSeconds: 7200 };
    },
  };
}

/** N processes of one app: a token holder each, on one shared store. */
const processes = (values: SharedValues, n: number, now = Date.now) => Array.from({ length: n }, () => new SharedTenantToken(values, secrets, 'demo:cli_x', MARGIN_MS, now));

test('processes of one app that all need the token at once fetch it once between them', async () => {
  const values = new MemoryValues();
  const api = feishu();
  const tokens = await Promise.all(processes(values, 5).map((p) => p.get(api.fetch)));
  expect(api.fetches()).toBe(1);
  expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['t-1']));
});

test('the token is stored sealed, never in the clear', async () => {
  const values = new MemoryValues();
  await processes(values, 1)[0]!.get(feishu().fetch);
  const stored = await values.get('feishu-tenant-token:demo:cli_x');
  expect(stored).toBeDefined();
  expect(stored).not.toContain('t-1');
});

test('a token within the margin of its expiry is fetched again', async () => {
  const values = new MemoryValues();
  let clock = Date.now();
  const [p] = processes(values, 1, () => clock);
  const api = feishu();
  await p!.get(api.fetch);
  clock += 7200_000 - MARGIN_MS + 1_000;
  expect((await p!.get(api.fetch)).token).toBe('t-2');
});

test('a token Feishu rejected is dropped for every process, unless a newer one replaced it', async () => {
  const values = new MemoryValues();
  const [a, b] = processes(values, 2);
  const api = feishu();
  await a!.get(api.fetch);
  await b!.invalidate('t-1');
  expect((await a!.get(api.fetch)).token).toBe('t-2');
  await b!.invalidate('t-1'); // stale: t-2 stays
  expect((await b!.get(api.fetch)).token).toBe('t-2');
  expect(api.fetches()).toBe(2);
});

test('a process whose claimant never stores a token fetches its own after waiting', async () => {
  const values = new MemoryValues();
  await values.claim('feishu-tenant-token:demo:cli_x:fetching', 'a process that died', 30_000);
  const api = feishu();
  const started = Date.now();
  expect((await processes(values, 1)[0]!.get(api.fetch)).token).toBe('t-1');
  expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
}, 15_000);

test('a failing store costs a fetch, never a failed login', async () => {
  const broken: SharedValues = {
    get: () => Promise.reject(new Error('store down')),
    set: () => Promise.reject(new Error('store down')),
    claim: () => Promise.reject(new Error('store down')),
    delete: () => Promise.reject(new Error('store down')),
  };
  const api = feishu();
  expect((await processes(broken, 1)[0]!.get(api.fetch)).token).toBe('t-1');
});
