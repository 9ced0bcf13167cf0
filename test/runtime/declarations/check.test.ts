import { describe, expect, test } from '@jest/globals';
import { statusLinesOf } from '../../../runtime/declarations/admin.js';
import { declarationsProblem } from '../../../runtime/declarations/check.js';
import { useScenarios } from '../../helpers/scenario.js';

/** The loader's check of what a class declares (roles, admin, endpoints, cli, devServers). */
class Login {
  async getLoginConfig() {
    return {};
  }
  async loginWithCode() {
    return { localUserId: 'x' };
  }
  async describeUser() {
    return undefined;
  }
  status() {
    return {};
  }
  async sync() {}
  async tree() {
    return [];
  }
  async onEvent() {
    return undefined;
  }
}

const withStatics = (statics: Record<string, unknown>, base: Function = Login): Function => Object.assign(class extends (base as typeof Login) {}, statics);

const good = {
  roles: ['login'],
  admin: { status: { method: 'status', title: 'State' }, actions: [{ method: 'sync', title: 'Sync', progress: true, refreshes: ['tree'] }], views: [{ method: 'tree', title: 'Tree', tree: () => [] }] },
  endpoints: [{ method: 'POST', path: 'events/in', access: 'public', body: 'raw', handler: 'onEvent' }],
  cli: [{ name: 'do-it', description: 'does it', options: [{ flags: '--x <x>', description: 'x' }], arguments: [{ name: '<appDir>', description: 'app' }], run: async () => 0 }],
  devServers: [{ option: '--companion [port]', description: 'a companion', start: async () => ({ close: async () => undefined }) }],
};

describe('declarationsProblem', () => {
  test('a full, correct set of declarations passes; so does a class that declares nothing', () => {
    expect(declarationsProblem(withStatics(good), { meta: false })).toBeUndefined();
    expect(declarationsProblem(class {}, { meta: false })).toBeUndefined();
  });

  test('the richer admin shapes pass: status lines, a table view, actions taking params or without a button', () => {
    const admin = {
      status: [
        { method: 'status', title: 'State' },
        { method: 'status', title: 'Again', text: () => 'x' },
      ],
      actions: [{ method: 'sync', title: 'Retry', params: true, button: false, refreshes: ['tree'] }],
      views: [{ method: 'tree', title: 'Rows', empty: 'none', table: () => ({ columns: [], rows: [] }) }],
    };
    expect(declarationsProblem(withStatics({ ...good, admin }), { meta: false })).toBeUndefined();
    expect(declarationsProblem(withStatics({ ...good, admin: { ...admin, status: [] } }), { meta: false })).toBeUndefined();
  });

  test('admin texts may carry both languages: { en, \'zh-CN\' } wherever a text is declared', () => {
    const both = (en: string, zh: string) => ({ en, 'zh-CN': zh });
    const admin = {
      status: [{ method: 'status', title: both('State', '状态'), text: (_v: unknown, locale: string) => (locale === 'zh-CN' ? '好' : 'fine') }],
      actions: [{ method: 'sync', title: both('Sync', '同步'), refreshes: ['tree'] }],
      views: [{ method: 'tree', title: both('Rows', '行'), empty: both('None.', '无。'), table: () => ({ columns: [], rows: [] }) }],
    };
    expect(declarationsProblem(withStatics({ ...good, admin }), { meta: false })).toBeUndefined();
  });

  test.each([
    ['a status title missing a language', { status: [{ method: 'status', title: { en: 'State' } }] }, '`static admin.status[0].title` is not a text'],
    ['an action title with an unknown language', { actions: [{ method: 'sync', title: { en: 'Sync', 'zh-CN': '同步', fr: 'Synchroniser' } }] }, '`static admin.actions[0].title` is not a text'],
    ['a view title with an empty translation', { views: [{ method: 'tree', title: { en: 'Tree', 'zh-CN': '' }, tree: () => [] }] }, '`static admin.views[0].title` is not a text'],
    ['a view empty text that is a number per language', { views: [{ method: 'tree', title: 'Tree', empty: { en: 1, 'zh-CN': 2 }, tree: () => [] }] }, '`static admin.views[0].empty` is not a text'],
  ])('refuses %s, saying what a text may be', (_name, admin, message) => {
    const problem = declarationsProblem(withStatics({ ...good, admin }), { meta: false });
    expect(problem).toContain(message);
    expect(problem).toContain("a non-empty string, or { en: '…', 'zh-CN': '…' }");
  });

  test.each([
    ['an unknown role', { roles: ['superuser'] }, 'unknown role "superuser"'],
    ['a role whose methods are missing', { roles: ['login'], describeUser: undefined }, 'names "describeUser", which the class does not implement'],
    ['a status without title', { admin: { status: { method: 'status' } } }, '`static admin.status` must be'],
    ['an action naming no method of the class', { admin: { actions: [{ method: 'nope', title: 'Nope' }] } }, 'names "nope", which the class does not implement'],
    ['an action refreshing an undeclared view', { admin: { actions: [{ method: 'sync', title: 'Sync', refreshes: ['tree'] }] } }, 'refreshes a view it does not declare'],
    ['a view without tree()', { admin: { views: [{ method: 'tree', title: 'Tree' }] } }, 'views` must be { method, title, tree(value) or table(value), empty? }'],
    ['a view with a table that is not a function', { admin: { views: [{ method: 'tree', title: 'Tree', table: { columns: [] } }] } }, 'tree(value) or table(value)'],
    ['a view with both tree() and table()', { admin: { views: [{ method: 'tree', title: 'Tree', tree: () => [], table: () => ({ columns: [], rows: [] }) }] } }, 'The view "tree" of `static admin` declares both tree() and table()'],
    ['a table view naming no method of the class', { admin: { views: [{ method: 'rows', title: 'Rows', table: () => ({ columns: [], rows: [] }) }] } }, 'A view of `static admin` names "rows", which the class does not implement'],
    ['a status line in a list without title', { admin: { status: [{ method: 'status', title: 'One' }, { method: 'status' }] } }, '`static admin.status[1]` must be { method, title, text?(value) }'],
    ['a status line in a list naming no method of the class', { admin: { status: [{ method: 'status', title: 'One' }, { method: 'nope', title: 'Two' }] } }, '`static admin.status[1]` names "nope", which the class does not implement'],
    ['a status that is neither a line nor a list', { admin: { status: 'status' } }, '`static admin.status` must be { method, title, text?(value) } (status may also be an array of them)'],
    ['an action whose params is not a boolean', { admin: { actions: [{ method: 'sync', title: 'Sync', params: ['id'] }] } }, 'params?: boolean'],
    ['an action whose button is not a boolean', { admin: { actions: [{ method: 'sync', title: 'Sync', button: 'no' }] } }, 'button?: boolean'],
    ['an endpoint without access', { endpoints: [{ method: 'POST', path: 'events', handler: 'onEvent' }] }, 'there is no default'],
    ['an endpoint path with a leading slash', { endpoints: [{ method: 'POST', path: '/events', access: 'public', handler: 'onEvent' }] }, 'path must be segments'],
    ['an endpoint method outside the list', { endpoints: [{ method: 'OPTIONS', path: 'events', access: 'public', handler: 'onEvent' }] }, 'method must be one of GET, POST, PUT, PATCH, DELETE'],
    ['the same endpoint twice', { endpoints: [good.endpoints[0], good.endpoints[0]] }, 'declared twice'],
    ['an endpoint handler the class lacks', { endpoints: [{ method: 'GET', path: 'x', access: 'user', handler: 'missing' }] }, 'names "missing"'],
    ['a command name with spaces', { cli: [{ name: 'do it', description: 'x', run: async () => 0 }] }, 'lower-case letters'],
    ['a command without run', { cli: [{ name: 'do-it', description: 'x' }] }, 'needs a description and run'],
    ['a dev server option without --', { devServers: [{ option: 'companion', description: 'x', start: async () => ({}) }] }, "such as '--companion [port]'"],
    ['endpoints that are not a list', { endpoints: { method: 'POST' } }, '`static endpoints` must be an array'],
  ])('refuses %s', (_name, statics, message) => {
    const { describeUser, ...rest } = statics as Record<string, unknown>;
    const cls = withStatics(rest);
    if ('describeUser' in statics) Object.defineProperty(cls.prototype, 'describeUser', { value: describeUser }); // a login element without it
    expect(declarationsProblem(cls, { meta: false })).toContain(message);
  });

  test('a Meta may leave the methods its declarations name abstract; its Types may not', () => {
    const meta = withStatics({ roles: ['login'], admin: { actions: [{ method: 'sync', title: 'Sync' }] } }, class {});
    expect(declarationsProblem(meta, { meta: true })).toBeUndefined();
    expect(declarationsProblem(meta, { meta: false })).toContain('The "login" role names "getLoginConfig"');
  });
});

const scenario = useScenarios();

describe('in the loader', () => {
  test('a Type with a malformed declaration is MODULE_EXPORT_INVALID and its instances are quarantined; the rest of the app loads', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/hooks/BadType/e.json': { title: 'Bad', type: 'things.Meta', backendBundleEntry: 'index.ts' },
      'apps/a/hooks/BadType/index.ts': `export function extend(Base: any) { return class extends Base { static endpoints = [{ method: 'POST', path: 'events', access: 'public', handler: 'onEvent' }]; }; }`,
      'apps/a/hooks/Bad/e.json': { title: 'Bad one', type: 'hooks.BadType' },
      'apps/a/greeters/Hello/e.json': { title: 'Hello', type: 'things.GreeterType' },
      'apps/a/greeters/Hello/Hello.json': { greeting: 'hi' },
    });
    const app = await s.load('a');
    expect(app.diagnostics).toContainEqual(expect.objectContaining({ code: 'MODULE_EXPORT_INVALID', fullName: 'hooks.BadType', message: expect.stringContaining('The endpoint POST events names "onEvent", which the class does not implement.') }));
    expect(app.getElementDefine('hooks.Bad')?.quarantined).toBe(true);
    expect(app.getElementDefine('greeters.Hello')?.quarantined).toBe(false);
  });
});

describe('statusLinesOf', () => {
  test('one status object is one line; an array is its lines in order; none is none', () => {
    const token = { method: 'tokenStatus', title: 'Token' };
    const events = { method: 'eventStatus', title: 'Events' };
    expect(statusLinesOf({ status: token })).toEqual([token]);
    expect(statusLinesOf({ status: [token, events] })).toEqual([token, events]);
    expect(statusLinesOf({})).toEqual([]);
  });
});
