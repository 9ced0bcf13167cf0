import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { runCli } from '../../../runtime/cli/program.js';
import { sessionCookie, useHttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

describe('admin API', () => {
  test('needs an administrator', async () => {
    const w = await httpWorld();
    expect((await w.inject({ method: 'GET', url: '/api/admin/tree' })).statusCode).toBe(401);
    const user = await w.signIn('lisi');
    expect((await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: user } })).statusCode).toBe(403);
  });

  test('shows the element tree with layers and diagnostics, and each login method with its token state', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const tree = (await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: admin } })).json().data;
    expect(tree.app.layers).toEqual(['demo', '@platform']);
    expect(tree.elements.map((e: { fullName: string }) => e.fullName)).toEqual(['auths.loginTypes.FSInnerExample', 'auths.loginTypes.FSInnerType', 'auths.loginTypes.Meta']);
    expect(tree.diagnostics).toEqual([]);
    const logins = (await w.inject({ method: 'GET', url: '/api/admin/logins', headers: { cookie: admin } })).json().data;
    expect(logins).toEqual([{ fullName: FS, title: 'Feishu login', token: { cached: true, expiresAt: expect.any(Number) }, canSync: true, lastSync: null }]);
  });

  test('runs a department sync with progress as server-sent events, then shows the organization', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const start = await w.inject({ method: 'POST', url: '/api/admin/sync', payload: { instance: FS }, headers: { cookie: admin } });
    const { runId } = start.json().data;
    const events = await w.inject({ method: 'GET', url: `/api/admin/sync/${runId}/events`, headers: { cookie: admin } });
    expect(events.headers['content-type']).toBe('text/event-stream');
    const updates = events.body
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('event: progress'))
      .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('data: ') + 6)));
    expect(updates.at(-1)).toMatchObject({ status: 'done', progress: { phase: 'done' } });
    expect(events.body.trimEnd().endsWith('event: end\ndata: {}')).toBe(true);
    const org = (await w.inject({ method: 'GET', url: `/api/admin/org?instance=${FS}`, headers: { cookie: admin } })).json().data;
    const engineering = org.find((d: { customId: string }) => d.customId === 'engineering');
    expect(engineering).toMatchObject({ name: w.sandbox.org.department('engineering').name, members: w.sandbox.org.directMembers(w.sandbox.org.department('engineering').open_department_id).length });
    expect(org).toHaveLength(w.sandbox.org.descendantDepartments('0').length);
  });

  test('refuses a sync of something that is not a login instance', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const reply = await w.inject({ method: 'POST', url: '/api/admin/sync', payload: { instance: 'auths.loginTypes.FSInnerType' }, headers: { cookie: admin } });
    expect([reply.statusCode, reply.json().code]).toEqual([400, 10008]);
  });
});

describe('jit admin create', () => {
  test('creates a local administrator whose one-time link signs in exactly once', async () => {
    const w = await httpWorld();
    const dataDir = join(w.root, 'data');
    const out: string[] = [];
    // The CLI reads JIT_DATABASE_URL like any app process; on SQLite the data folder locates the file.
    const saved = process.env['JIT_DATABASE_URL'];
    if (w.databaseUrl) process.env['JIT_DATABASE_URL'] = w.databaseUrl;
    const exit = await runCli(['admin', 'create', join(w.root, 'apps/demo'), 'Ops Admin', '--data-dir', dataDir], { out: (t) => out.push(t), err: (t) => out.push(t) }).finally(() => {
      if (saved === undefined) delete process.env['JIT_DATABASE_URL'];
      else process.env['JIT_DATABASE_URL'] = saved;
    });
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
