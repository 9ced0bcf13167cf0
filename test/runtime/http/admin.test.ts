import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { runCli } from '../../../runtime/cli/program.js';
import { sessionCookie, useHttpWorld } from './http-world.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';
import { HttpCodes } from '../../../runtime/http/http-errors.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

describe('admin API', () => {
  test('needs an administrator', async () => {
    const w = await httpWorld();
    expect((await w.inject({ method: 'GET', url: '/api/admin/tree' })).statusCode).toBe(401);
    const user = await w.signIn('lisi');
    expect((await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: user } })).statusCode).toBe(403);
  });

  test('shows the element tree with layers, roles and diagnostics, and each login method with what its Type declares', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const tree = (await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: admin } })).json().data;
    expect(tree.app.layers).toEqual(['demo', '@platform']);
    expect(tree.elements.map((e: { fullName: string }) => e.fullName)).toEqual(['auths.loginTypes.FSInnerExample', 'auths.loginTypes.FSInnerType', 'auths.loginTypes.Meta']);
    expect(tree.diagnostics).toEqual([]);
    expect(Object.fromEntries(tree.elements.map((e: { fullName: string; roles: string[] }) => [e.fullName, e.roles]))).toEqual({ [FS]: ['login'], 'auths.loginTypes.FSInnerType': ['login'], 'auths.loginTypes.Meta': ['login'] });
    const logins = (await w.inject({ method: 'GET', url: '/api/admin/logins', headers: { cookie: admin } })).json().data;
    expect(logins).toEqual([
      {
        fullName: FS,
        title: 'Feishu login',
        type: 'auths.loginTypes.FSInnerType',
        status: expect.arrayContaining([{ method: 'tokenStatus', title: 'Tenant token', text: expect.stringMatching(/^cached until \d\d:\d\d:\d\d UTC$/), value: { cached: true, expiresAt: expect.any(Number) } }]),
        actions: expect.arrayContaining([{ method: 'syncDepartmentInfo', title: 'Sync departments', params: true, button: true, progress: true, refreshes: ['getOrgTree', 'disabledAccounts'], lastRun: null }]),
        views: expect.arrayContaining([{ method: 'getOrgTree', title: 'Organization', kind: 'tree', empty: expect.any(String) }]),
      },
    ]);
  });

  test('runs a department sync with progress as server-sent events, then shows the organization', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const start = await w.inject({ method: 'POST', url: `/api/admin/elements/${FS}/actions/syncDepartmentInfo`, payload: {}, headers: { cookie: admin } });
    const { runId } = start.json().data;
    const events = await w.inject({ method: 'GET', url: `/api/admin/runs/${runId}/events`, headers: { cookie: admin } });
    expect(events.headers['content-type']).toBe('text/event-stream');
    const updates = events.body
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('event: progress'))
      .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('data: ') + 6)));
    expect(updates.at(-1)).toMatchObject({ instance: FS, action: 'syncDepartmentInfo', status: 'done', progress: { phase: 'done' }, text: expect.stringMatching(/^sync done: \d+ departments, \d+ users$/) });
    expect(updates.slice(0, -1).every((u) => u.status === 'running')).toBe(true);
    expect(events.body.trimEnd().endsWith('event: end\ndata: {}')).toBe(true);
    const { nodes } = (await w.inject({ method: 'GET', url: `/api/admin/elements/${FS}/views/getOrgTree`, headers: { cookie: admin } })).json().data;
    const engineering = w.sandbox.org.department('engineering');
    const members = w.sandbox.org.directMembers(engineering.open_department_id).length;
    expect(nodes.find((n: { id: string }) => n.id === engineering.open_department_id)).toEqual({ id: engineering.open_department_id, parentId: expect.any(String), label: `${engineering.name} (${members} member${members === 1 ? '' : 's'})` });
    expect(nodes).toHaveLength(w.sandbox.org.descendantDepartments('0').length);
    // The last run shows on the login's row.
    const logins = (await w.inject({ method: 'GET', url: '/api/admin/logins', headers: { cookie: admin } })).json().data;
    expect(logins[0].actions[0].lastRun).toMatchObject({ id: runId, status: 'done' });
  });

  test('a body other than { params } is refused', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const stray = await w.inject({ method: 'POST', url: `/api/admin/elements/${FS}/actions/syncDepartmentInfo`, payload: { deptId: 'x' }, headers: { cookie: admin } });
    expect([stray.statusCode, stray.json().code]).toEqual([400, RuntimeCodes.INVALID_PARAMS]);
    // Params for an action (params: true), checked against its functionList entry: admin-declarations.test.ts.
  });

  test('calls only what the Type declares for the admin page: anything else is 404, whatever the class has', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    for (const [method, url] of [
      ['POST', `/api/admin/elements/${FS}/actions/getAccessToken`],
      ['POST', `/api/admin/elements/${FS}/actions/getOrgTree`],
      ['GET', `/api/admin/elements/${FS}/views/tokenStatus`],
      ['GET', `/api/admin/elements/${FS}/views/constructor`],
      ['POST', '/api/admin/elements/auths.loginTypes.FSInnerType/actions/syncDepartmentInfo'],
      ['GET', '/api/admin/elements/auths.loginTypes.Nope/views/getOrgTree'],
    ] as const) {
      const reply = await w.inject({ method, url, payload: method === 'POST' ? {} : undefined, headers: { cookie: admin } });
      expect([url, reply.statusCode, reply.json().code]).toEqual([url, 404, HttpCodes.METHOD_NOT_FOUND]);
    }
  });
});

describe('jit admin create', () => {
  test('creates a local administrator whose one-time link signs in exactly once', async () => {
    const w = await httpWorld();
    const dataDir = join(w.root, 'data');
    const out: string[] = [];
    // The CLI reads JIT_DATABASE_URL from its environment like any app process; on SQLite the data folder locates the file.
    const env = w.databaseUrl ? { JIT_DATABASE_URL: w.databaseUrl } : {};
    const exit = await runCli(['admin', 'create', join(w.root, 'apps/demo'), 'Ops Admin', '--data-dir', dataDir], { out: (t) => out.push(t), err: (t) => out.push(t), env });
    expect(exit).toBe(0);
    const token = /http:\/\/localhost:3000\/login\/admin\?token=([A-Za-z0-9_-]+)$/m.exec(out.join('\n'))?.[1];
    expect(token).toBeDefined();
    const first = await w.inject({ method: 'GET', url: `/login/admin?token=${token}` });
    expect([first.statusCode, first.headers.location]).toEqual([302, '/admin']);
    const session = await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: sessionCookie(first)! } });
    expect(session.json().data.user).toMatchObject({ name: 'Ops Admin', isAdmin: true });
    const again = await w.inject({ method: 'GET', url: `/login/admin?token=${token}` });
    expect(again.statusCode).toBe(400);
    expect(sessionCookie(again)).toBeUndefined();
  });
});
