import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { AuthCodes } from '../../runtime/auth/auth-errors.js';
import { ENGINE } from '../helpers/database.js';
import { get, post, startServerPair, startSync, syncOutcome, type ServerPair, type ServerProcess } from './servers.js';
import { RuntimeCodes } from '../../runtime/errcode.js';

const FS = '/api/auths/loginTypes/FSInnerExample';

/**
 * Two `jit serve` processes, one database, one Feishu sandbox: the setup of a
 * team running several app servers behind a load balancer. Nothing is shared
 * but the database.
 */
describe(`two server processes on one ${ENGINE} database`, () => {
  let pair: ServerPair;
  let sandbox: Sandbox;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    pair = await startServerPair({ config: { adminUserIds: ['zhangsan'] } });
    ({ sandbox, a, b } = pair);
  }, 90_000);

  afterAll(async () => pair?.stop());

  test('a login state issued by A is consumed at B, once', async () => {
    const issued = await post(a.base, `${FS}/getLoginConfig`, {});
    const { state } = issued.body.data;
    const binding = issued.cookie!; // the browser binding cookie: the same browser goes on at B
    expect(binding).toMatch(/^jit_login=/);
    const first = sandbox.issueCode({ userId: 'zhangsan' }).code;
    const atB = await post(b.base, `${FS}/loginWithCode`, { authCode: first, state }, binding);
    expect(atB.status).toBe(200);
    expect(atB.body.data.userId).toBe('zhangsan');
    const second = sandbox.issueCode({ userId: 'zhangsan' }).code;
    const replayAtA = await post(a.base, `${FS}/loginWithCode`, { authCode: second, state }, binding);
    expect([replayAtA.status, replayAtA.body.code]).toEqual([400, AuthCodes.INVALID_STATE]);
  });

  test('a session made by A is valid at B, and logging out at A revokes it at B', async () => {
    const login = await post(a.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: 'lisi' }).code });
    const cookie = login.cookie!;
    expect((await get(b.base, '/api/session', cookie)).body.data.user.name).toBe(sandbox.org.user('lisi').name);
    await post(a.base, '/api/logout', {}, cookie);
    expect((await get(b.base, '/api/session', cookie)).body.data).toBeNull();
  });

  test('two first logins of one person at A and B at the same moment make one local account', async () => {
    const [atA, atB] = await Promise.all([
      post(a.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: 'wangwu' }).code }),
      post(b.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: 'wangwu' }).code }),
    ]);
    expect([atA.status, atB.status]).toEqual([200, 200]);
    expect(atA.body.data.localUserId).toBe(atB.body.data.localUserId);
  });

  test('syncs started at A and B at once: one runs, the other is refused, and the rows are whole', async () => {
    const admin = (await post(a.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: 'zhangsan' }).code })).cookie!;
    sandbox.injectFault({ endpoint: 'department_children', kind: 'latency', ms: 250, times: 100 } as never);
    const [runA, runB] = await Promise.all([startSync(a.base, admin), startSync(b.base, admin)]);
    const outcomes = await Promise.all([syncOutcome(a.base, runA.body.data.runId, admin), syncOutcome(b.base, runB.body.data.runId, admin)]);
    sandbox.clearFaults();
    expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'failed']);
    expect(outcomes.find((o) => o.status === 'failed')?.error?.code).toBe(RuntimeCodes.BUSY);
    // Both processes see the same organization, each department once.
    const departments = sandbox.org.descendantDepartments('0').length;
    for (const base of [a.base, b.base]) {
      const org = (await get(base, '/api/admin/elements/auths.loginTypes.FSInnerExample/views/getOrgTree', admin)).body.data.nodes as Array<{ id: string }>;
      expect(new Set(org.map((d) => d.id)).size).toBe(departments);
      expect(org).toHaveLength(departments);
    }
    // Once it is over, the other process may sync again.
    const again = await startSync(b.base, admin);
    expect((await syncOutcome(b.base, again.body.data.runId, admin)).status).toBe('done');
  }, 60_000);
});
