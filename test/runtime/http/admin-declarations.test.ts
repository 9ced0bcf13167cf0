import { describe, expect, test } from '@jest/globals';
import { RuntimeCodes } from '../../../runtime/errcode.js';
import { HttpCodes } from '../../../runtime/http/http-errors.js';
import { ADMIN_PROBE, adminProbeTree, HOSTILE, type ProbeCalls } from '../../helpers/admin-probe.js';
import { useHttpWorld, type HttpWorld } from './http-world.js';

/**
 * The richer `static admin` shapes, served: several status lines, table views
 * with row actions, and action params (only for an action declaring
 * `params: true`, a flat object of scalars). The fixture Type declares them
 * (test/helpers/admin-probe.ts).
 */
const useWorld = useHttpWorld();
const world = () => useWorld({ tree: adminProbeTree('apps/demo') });
const base = `/api/admin/elements/${ADMIN_PROBE}`;
const calls = (w: HttpWorld) => w.app.getElement<{ calls: ProbeCalls }>(ADMIN_PROBE).calls;

async function asAdmin(w: HttpWorld) {
  const cookie = await w.signIn('zhangsan');
  const get = (url: string) => w.inject({ method: 'GET', url, headers: { cookie } });
  const post = (url: string, payload: unknown) => w.inject({ method: 'POST', url, payload: payload as object, headers: { cookie } });
  /** Starts an action and waits for its run to end; the last update. */
  const run = async (action: string, payload: unknown) => {
    const start = await post(`${base}/actions/${action}`, payload);
    expect([start.statusCode, start.body]).toEqual([200, expect.any(String)]);
    const events = await get(`/api/admin/runs/${start.json().data.runId}/events`);
    const updates = events.body.split('\n\n').filter((c) => c.startsWith('event: progress')).map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6)));
    return updates.at(-1);
  };
  return { cookie, get, post, run };
}

describe('status lines', () => {
  test('several lines in order; two lines of one method share one call; a failing line is shown, not thrown', async () => {
    const w = await world();
    const { get } = await asAdmin(w);
    const logins = (await get('/api/admin/logins')).json().data;
    const desk = logins.find((l: { fullName: string }) => l.fullName === ADMIN_PROBE);
    expect(desk.status).toEqual([
      { method: 'transport', title: 'Event transport', text: 'connected since 08:00', value: { state: 'connected', since: '08:00' } },
      { method: 'schedule', title: 'Last sync', text: '07:00 (ok)', value: { last: '07:00 (ok)', next: '13:00' } },
      { method: 'schedule', title: 'Next sync', text: '13:00', value: { last: '07:00 (ok)', next: '13:00' } },
      { method: 'broken', title: 'Broken line', text: 'unavailable: the element failed to answer', value: null },
    ]);
    expect(calls(w).filter((c) => c.method === 'schedule')).toHaveLength(1);
    // The Feishu login's lines, in its declared order.
    const fs = logins.find((l: { fullName: string }) => l.fullName === 'auths.loginTypes.FSInnerExample');
    expect(fs.status.map((line: { method: string }) => line.method)).toEqual(['tokenStatus', 'eventStatus', 'syncScheduleStatus']);
    expect(desk.actions.map((a: object) => a)).toEqual([
      { method: 'retryEvent', title: 'Retry event', params: true, button: false, progress: false, refreshes: ['failedEvents'], lastRun: null },
      { method: 'setLevel', title: 'Set level', params: true, button: false, progress: false, refreshes: [], lastRun: null },
      { method: 'purge', title: 'Purge', params: false, button: true, progress: false, refreshes: ['failedEvents', 'disabledAccounts'], lastRun: null },
    ]);
    expect(desk.views.map((v: { method: string; kind: string }) => `${v.method}:${v.kind}`)).toEqual(['failedEvents:table', 'disabledAccounts:table', 'teams:tree', 'badCells:table', 'badRowAction:table']);
  });
});

describe('table views', () => {
  test('a table view answers its columns and rows, each row with its actions (none: [])', async () => {
    const w = await world();
    const { get } = await asAdmin(w);
    expect((await get(`${base}/views/failedEvents`)).json().data).toEqual({
      kind: 'table',
      columns: ['Event', 'Error', 'Attempts'],
      rows: [
        { cells: ['ev-1', HOSTILE, '3'], actions: [{ action: 'retryEvent', title: 'Retry', params: { eventId: 'ev-1' } }] },
        { cells: ['ev-2', 'signature mismatch', '1'], actions: [{ action: 'retryEvent', title: 'Retry', params: { eventId: 'ev-2' } }] },
      ],
    });
    expect((await get(`${base}/views/disabledAccounts`)).json().data).toEqual({ kind: 'table', columns: ['Account', 'Why'], rows: [{ cells: ['wangwu', 'left the company'], actions: [] }] });
    expect((await get(`${base}/views/teams`)).json().data).toEqual({ kind: 'tree', nodes: [{ id: 'a', parentId: null, label: 'All' }, { id: 'b', parentId: 'a', label: 'Ops' }] });
  });

  test('a malformed table is the element’s fault, named: cells that do not fit the columns, a row action the page could not send', async () => {
    const w = await world();
    const { get } = await asAdmin(w);
    const cells = await get(`${base}/views/badCells`);
    expect([cells.statusCode, cells.json().code]).toEqual([500, HttpCodes.INTERNAL]);
    expect(cells.json().message).toContain('the view "badCells" answered a malformed table: row 0 must have cells: 2 string(s), one per column');
    const action = await get(`${base}/views/badRowAction`);
    expect([action.statusCode, action.json().code]).toEqual([500, HttpCodes.INTERNAL]);
    expect(action.json().message).toContain('row 0, action 0: the action "purge" takes no params');
  });
});

describe('row actions: a declared action with params', () => {
  test('a row’s action reaches the method with the row’s params, and the view then shows the change', async () => {
    const w = await world();
    const { get, run } = await asAdmin(w);
    const row = (await get(`${base}/views/failedEvents`)).json().data.rows[0];
    const [action] = row.actions;
    expect(await run(action.action, { params: action.params })).toMatchObject({ status: 'done', action: 'retryEvent', instance: ADMIN_PROBE });
    expect(calls(w).filter((c) => c.method === 'retryEvent')).toEqual([{ method: 'retryEvent', params: { eventId: 'ev-1' } }]);
    expect((await get(`${base}/views/failedEvents`)).json().data.rows.map((r: { cells: string[] }) => r.cells[0])).toEqual(['ev-2']);
    // The method's own failure is the run's outcome.
    expect(await run('retryEvent', { params: { eventId: 'ev-1' } })).toMatchObject({ status: 'failed', text: 'no such failed event: ev-1' });
  });

  test('without a functionList entry the flat params pass as they are; with one they are checked against it', async () => {
    const w = await world();
    const { post, run } = await asAdmin(w);
    const params = { level: 3, verbose: true, name: 'ops', ratio: -0.5 };
    expect(await run('setLevel', { params })).toMatchObject({ status: 'done' });
    expect(calls(w).find((c) => c.method === 'setLevel')).toEqual({ method: 'setLevel', params });
    for (const [payload, message] of [
      [{ params: { eventId: 7 } }, 'Invalid parameters for retryEvent'],
      [{ params: {} }, 'Invalid parameters for retryEvent'],
      [{ params: { eventId: 'ev-1', extra: 1 } }, 'Invalid parameters for retryEvent'],
    ] as const) {
      const reply = await post(`${base}/actions/retryEvent`, payload);
      expect([reply.statusCode, reply.json().code, reply.json().message]).toEqual([400, RuntimeCodes.INVALID_PARAMS, expect.stringContaining(message)]);
    }
    expect(calls(w).filter((c) => c.method === 'retryEvent')).toEqual([]);
  });

  test('an action that does not declare params: true refuses any, and runs with none', async () => {
    const w = await world();
    const { post, run } = await asAdmin(w);
    const refused = await post(`${base}/actions/purge`, { params: { all: true } });
    expect([refused.statusCode, refused.json().code, refused.json().message]).toEqual([400, RuntimeCodes.INVALID_PARAMS, 'The admin action "purge" takes no params: its declaration does not say params: true.']);
    expect(calls(w).filter((c) => c.method === 'purge')).toEqual([]);
    expect(await run('purge', {})).toMatchObject({ status: 'done' });
    expect(await run('purge', { params: {} })).toMatchObject({ status: 'done' });
    expect(calls(w).filter((c) => c.method === 'purge')).toEqual([
      { method: 'purge', params: {} },
      { method: 'purge', params: {} },
    ]);
  });

  test('params are a flat object of a few short scalars; anything else is refused before the method runs', async () => {
    const w = await world();
    const { post } = await asAdmin(w);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    for (const [params, message] of [
      [{ nested: { a: 1 } }, 'params.nested must be a string of at most 500 characters, a finite number or a boolean.'],
      [{ list: [1, 2] }, 'params.list must be'],
      [{ none: null }, 'params.none must be'],
      [{ long: 'x'.repeat(501) }, 'params.long must be'],
      [{ 'not-a-name': 1 }, 'params: "not-a-name" is not a parameter name'],
      [many, 'params may have at most 20 keys.'],
      [[1, 2], 'params must be an object'],
      ['text', 'params must be an object'],
    ] as const) {
      const reply = await post(`${base}/actions/setLevel`, { params });
      expect([reply.statusCode, reply.json().code, reply.json().message]).toEqual([400, RuntimeCodes.INVALID_PARAMS, expect.stringContaining(message)]);
    }
    const stray = await post(`${base}/actions/setLevel`, { level: 3 });
    expect([stray.statusCode, stray.json().code]).toEqual([400, RuntimeCodes.INVALID_PARAMS]);
    // The body is capped below the server's own limit.
    const large = await post(`${base}/actions/setLevel`, { params: { a: 'x'.repeat(17 * 1024) } });
    expect([large.statusCode, large.json().code, large.json().message]).toEqual([413, RuntimeCodes.INVALID_PARAMS, 'Request body too large.']);
    expect(calls(w).filter((c) => c.method === 'setLevel')).toEqual([]);
  });
});

describe('in the request\'s language', () => {
  const FS = 'auths.loginTypes.FSInnerExample';
  const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };

  test('the Feishu login\'s declared texts in Chinese with Accept-Language: zh-CN, in English without it', async () => {
    const w = await world();
    const { cookie } = await asAdmin(w);
    const get = (url: string, headers: Record<string, string> = {}) => w.inject({ method: 'GET', url, headers: { cookie, ...headers } }).then((r) => r.json().data);
    const surface = async (headers?: Record<string, string>) => {
      const logins = await get('/api/admin/logins', headers);
      const fs = logins.find((l: { fullName: string }) => l.fullName === FS);
      const probe = logins.find((l: { fullName: string }) => l.fullName === ADMIN_PROBE);
      return {
        status: fs.status.map((s: { title: string }) => s.title),
        token: fs.status.find((s: { method: string }) => s.method === 'tokenStatus').text,
        actions: fs.actions.map((a: { title: string }) => a.title),
        views: fs.views.map((v: { title: string; empty: string }) => [v.title, v.empty]),
        broken: probe.status.find((s: { method: string }) => s.method === 'broken').text,
      };
    };
    expect(await surface(ZH)).toEqual({
      status: ['租户令牌', '通讯录事件', '定时同步'],
      token: expect.stringMatching(/^已缓存，有效至 \d\d:\d\d:\d\d UTC$/),
      actions: ['同步部门', '重试失败的事件'],
      views: [
        ['失败的事件', '没有失败的事件。'],
        ['已停用的账号', '没有因离开飞书而停用的账号。'],
        ['组织架构', '尚未同步：同步部门后即可查看组织架构。'],
      ],
      broken: '不可用：元素未能应答',
    });
    expect(await surface()).toEqual({
      status: ['Tenant token', 'Contact events', 'Scheduled sync'],
      token: expect.stringMatching(/^cached until \d\d:\d\d:\d\d UTC$/),
      actions: ['Sync departments', 'Retry failed events'],
      views: [
        ['Failed events', 'No failed events.'],
        ['Disabled accounts', 'No account is disabled for leaving Feishu.'],
        ['Organization', 'Nothing synced yet: run a department sync to see the organization.'],
      ],
      broken: 'unavailable: the element failed to answer',
    });
    // A view's columns follow the language too; a declaration of plain strings reads the same in both.
    const view = `/api/admin/elements/${FS}/views/disabledAccounts`;
    expect((await get(view, ZH)).columns).toEqual(['账号', '飞书用户', '原因', '停用时间']);
    expect((await get(view)).columns).toEqual(['Account', 'Feishu user', 'Why', 'Since']);
    expect((await get(`${base}/views/disabledAccounts`, ZH)).columns).toEqual(['Account', 'Why']);
    // An action's progress lines speak the language of the request that started it.
    const started = await w.inject({ method: 'POST', url: `/api/admin/elements/${FS}/actions/retryEvent`, payload: {}, headers: { cookie, ...ZH } });
    expect(started.statusCode).toBe(200);
    const events = await w.inject({ method: 'GET', url: `/api/admin/runs/${started.json().data.runId}/events`, headers: { cookie } });
    const last = events.body.split('\n\n').filter((c) => c.startsWith('event: progress')).map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6))).at(-1);
    expect(last).toMatchObject({ status: 'done', text: '已重新排队：见“失败的事件”' });
  });
});

describe('access', () => {
  test('status lines, table views and row actions are for administrators only', async () => {
    const w = await world();
    const user = await w.signIn('lisi');
    for (const [method, url, payload] of [
      ['GET', '/api/admin/logins', undefined],
      ['GET', `${base}/views/failedEvents`, undefined],
      ['POST', `${base}/actions/retryEvent`, { params: { eventId: 'ev-1' } }],
      ['POST', `${base}/actions/setLevel`, { params: { level: 1 } }],
    ] as const) {
      for (const [cookie, status, code] of [
        [undefined, 401, HttpCodes.NOT_SIGNED_IN],
        [user, 403, HttpCodes.FORBIDDEN],
      ] as const) {
        const reply = await w.inject({ method, url, ...(payload ? { payload } : {}), headers: cookie ? { cookie } : {} });
        expect([url, reply.statusCode, reply.json().code]).toEqual([url, status, code]);
      }
    }
    expect(calls(w)).toEqual([]);
  });
});
