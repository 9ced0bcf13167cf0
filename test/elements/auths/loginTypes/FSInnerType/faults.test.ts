import { describe, expect, test } from '@jest/globals';
import type { FaultKind } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import type { EndpointName } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { useFeishuWorld, type FeishuWorld } from './harness.js';

const world = useFeishuWorld();

/**
 * Every Feishu-facing method under every sandbox fault: a fault that passes
 * (once) is survived by bounded retries; a fault that persists ends in the
 * mapped Code — never a raw Feishu code, never a crash — and leaves the
 * database exactly as it was (no partial writes).
 */
interface Method {
  name: string;
  /** The endpoint whose faults the method must weather. */
  endpoint: EndpointName;
  run(w: FeishuWorld): Promise<unknown>;
  /** Faults that must not be retried: the code exchange may have consumed the code; a user token cannot be re-fetched. */
  notRetried?: FaultKind['kind'][];
  /** Runs before the fault is injected (e.g. let the cached tenant token expire). */
  prepare?(w: FeishuWorld): void;
}

const methods: Method[] = [
  {
    name: 'getAccessToken',
    endpoint: 'tenant_token',
    run: (w) => w.fs().getAccessToken(),
    prepare: (w) => w.clock.advance(2 * 3600 * 1000),
    notRetried: ['token_invalid'], // a token rejection from the token endpoint itself: no token to evict
  },
  { name: 'getUserInfo', endpoint: 'user_get', run: (w) => w.fs().getUserInfo({ userId: 'lisi' }) },
  { name: 'syncUserInfo', endpoint: 'user_get', run: (w) => w.fs().syncUserInfo({ userId: 'lisi', forceUpdate: true }) },
  { name: 'syncDepartmentInfo', endpoint: 'find_by_department', run: (w) => w.fs().syncDepartmentInfo() },
  { name: 'checkConfig', endpoint: 'department_children', run: (w) => w.fs().checkConfig() },
  {
    name: 'getLoginCode',
    endpoint: 'oauth_token',
    run: (w) => w.fs().getLoginCode({ authCode: w.sandbox.issueCode({ userId: 'lisi' }).code }),
    notRetried: ['status', 'drop', 'malformed', 'content_type', 'latency', 'token_invalid'],
  },
  {
    name: 'getLoginCode (user_info)',
    endpoint: 'user_info',
    run: (w) => w.fs().getLoginCode({ authCode: w.sandbox.issueCode({ userId: 'lisi' }).code }),
    notRetried: ['token_invalid'],
  },
];

const faults: Array<{ fault: FaultKind; persistentCode: number; label?: string }> = [
  { fault: { kind: 'status', status: 500 }, persistentCode: FSInnerCodes.FEISHU_FAILURE },
  { fault: { kind: 'drop' }, persistentCode: FSInnerCodes.FEISHU_FAILURE },
  { fault: { kind: 'malformed' }, persistentCode: FSInnerCodes.FEISHU_FAILURE },
  { fault: { kind: 'content_type' }, persistentCode: FSInnerCodes.FEISHU_FAILURE },
  { fault: { kind: 'rate_limit', resetSeconds: 1 }, persistentCode: FSInnerCodes.RATE_LIMITED },
  // As some APIs answer it (events-and-scopes notes §7): retried like a 429, after 1 s without a reset header.
  { fault: { kind: 'rate_limit', status: 400 }, persistentCode: FSInnerCodes.RATE_LIMITED, label: 'rate_limit as HTTP 400' },
  { fault: { kind: 'token_invalid' }, persistentCode: FSInnerCodes.INVALID_ACCESS_TOKEN },
  { fault: { kind: 'latency', ms: 1500 }, persistentCode: FSInnerCodes.FEISHU_FAILURE },
];

const TABLES = ['FSInnerAuthModel', 'FSInnerDeptModel', 'FSInnerMembershipModel', 'jit_local_user', 'jit_identity_binding'];

/** Every row of the domain tables (login states and sessions are meant to change: a state is spent even when the login fails). */
async function snapshot(w: FeishuWorld): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const metadata = w.app.dataSource.getMetadata(table);
    out[table] = await w.app.dataSource.getRepository(metadata.target).find({ order: Object.fromEntries(metadata.primaryColumns.map((c) => [c.propertyName, 'ASC'])) });
  }
  return JSON.stringify(out);
}

/** A world with a short timeout, so "latency beyond the timeout" is quick to reach. */
/** The name a fault goes by in test titles. */
for (const f of faults) f.label ??= f.fault.kind;

const faultWorld = async () => {
  const w = await world({ config: { timeoutMs: 400 } });
  await w.fs().syncDepartmentInfo(); // some data to keep intact
  await w.fs().getAccessToken(); // a warm token, so faults hit the endpoint under test
  w.sandbox.resetStats();
  return w;
};

test('a code exchange answered 503 "unavailable" (20072) is retried: Feishu did not take the code', async () => {
  const w = await faultWorld();
  w.sandbox.injectFault({ endpoint: 'oauth_token', times: 1, kind: 'status', status: 503 } as never);
  const user = await w.fs().getLoginCode({ authCode: w.sandbox.issueCode({ userId: 'lisi' }).code });
  expect(user.userId).toBe('lisi');
  expect(w.sandbox.stats().byEndpoint.oauth_token?.total).toBe(2);
});

describe.each(methods)('$name under faults on $endpoint', (method) => {
  test.each(faults)('a passing $label is survived, or mapped when it may not be retried', async ({ fault }) => {
    const w = await faultWorld();
    method.prepare?.(w);
    w.sandbox.injectFault({ endpoint: method.endpoint, times: 1, ...fault } as never);
    const outcome = await method.run(w).then(
      () => 'ok',
      (err: { code?: unknown }) => err,
    );
    if (method.notRetried?.includes(fault.kind)) {
      expect(outcome).toMatchObject({ name: 'Code', code: fault.kind === 'token_invalid' ? FSInnerCodes.INVALID_ACCESS_TOKEN : FSInnerCodes.FEISHU_FAILURE });
    } else {
      expect(outcome).toBe('ok');
    }
  }, 20_000);

  test.each(faults)('a persisting $label ends in Code $persistentCode with nothing written', async ({ fault, persistentCode }) => {
    const w = await faultWorld();
    const before = await snapshot(w);
    method.prepare?.(w);
    w.sandbox.injectFault({ endpoint: method.endpoint, times: 1000, ...fault } as never);
    const error = await method.run(w).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (method.name === 'checkConfig') {
      // The preflight reports problems instead of throwing.
      expect(error).toBeUndefined();
      return;
    }
    expect(error).toMatchObject({ name: 'Code', code: persistentCode });
    expect(await snapshot(w)).toBe(before);
  }, 30_000);
});
