import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FEISHU, SCOPES, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { userToken } from './helpers.js';

// The SDK ships CommonJS as its main entry; createRequire avoids jest's ESM/CJS interop quirks.
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof import('@larksuiteoapi/node-sdk');

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

let sandbox: Sandbox;
let client: InstanceType<typeof lark.Client>;

beforeAll(async () => {
  sandbox = await startSandbox({ org: { departments: 30, users: 200 } });
  client = new lark.Client({
    appId: sandbox.appId,
    appSecret: sandbox.appSecret,
    domain: sandbox.baseUrl,
    disableTokenCache: false,
    logger: silent,
  });
});
afterAll(() => sandbox.close());

describe('the official node-sdk against the sandbox', () => {
  test('contact.user.get with an implicitly fetched and cached tenant token', async () => {
    const zhangsan = sandbox.org.user('zhangsan');
    const res = await client.contact.user.get({ path: { user_id: zhangsan.open_id }, params: { user_id_type: 'open_id', department_id_type: 'open_department_id' } });
    expect(res.code).toBe(0);
    expect(res.data?.user).toMatchObject({ open_id: zhangsan.open_id, user_id: 'zhangsan', name: '张三', department_ids: zhangsan.department_ids });
    const again = await client.contact.user.get({ path: { user_id: 'lisi' }, params: { user_id_type: 'user_id' } });
    expect(again.data?.user?.name).toBe('李四');
    expect(sandbox.stats().byEndpoint.tenant_token.total).toBe(1);
  });

  test('contact.department.children pages through every child of the root', async () => {
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await client.contact.department.children({
        path: { department_id: '0' },
        params: { page_size: 4, fetch_child: true, department_id_type: 'department_id', ...(pageToken ? { page_token: pageToken } : {}) },
      });
      expect(res.code).toBe(0);
      names.push(...(res.data?.items ?? []).map((d) => d.department_id!));
      pageToken = res.data?.has_more ? res.data.page_token : undefined;
    } while (pageToken);
    expect(names).toHaveLength(30);
    expect(names).toContain('platform');
  });

  test('contact.user.findByDepartment, also through the SDK iterator', async () => {
    const res = await client.contact.user.findByDepartment({
      params: { department_id: 'engineering', department_id_type: 'department_id', user_id_type: 'user_id', page_size: 5 },
    });
    expect(res.code).toBe(0);
    expect(res.data?.items?.[0]).toMatchObject({ user_id: 'zhangsan', leader_user_id: 'chenyi' });
    const all: string[] = [];
    for await (const page of await client.contact.user.findByDepartmentWithIterator({
      params: { department_id: 'engineering', department_id_type: 'department_id', user_id_type: 'user_id', page_size: 5 },
    })) {
      all.push(...(page?.items ?? []).map((u) => u.user_id!));
    }
    const engineering = sandbox.org.department('engineering');
    expect(all).toEqual(sandbox.org.directMembers(engineering.open_department_id).map((u) => u.user_id));
  });

  test('authen.userInfo.get with a user access token', async () => {
    const { access } = await userToken(sandbox, 'zhangsan');
    const res = await client.authen.userInfo.get({}, lark.withUserAccessToken(access));
    expect(res.code).toBe(0);
    expect(res.data).toMatchObject({ name: '张三', user_id: 'zhangsan', open_id: sandbox.org.user('zhangsan').open_id, tenant_key: sandbox.org.tenantKey });
  });

  test('contact.scope.list and its iterator read the contact range', async () => {
    const res = await client.contact.scope.list({ params: { user_id_type: 'user_id', department_id_type: 'department_id', page_size: 100 } });
    expect(res.code).toBe(0);
    expect(res.data?.department_ids).toEqual(sandbox.org.childDepartments('0').map((d) => d.department_id));
    const departments: string[] = [];
    for await (const page of await client.contact.scope.listWithIterator({ params: { department_id_type: 'department_id', user_id_type: 'user_id', page_size: 2 } })) {
      departments.push(...(page?.department_ids ?? []));
    }
    expect(departments).toEqual(res.data?.department_ids);
  });

  test('a missing API-level permission: the SDK rejects with the 99991672 body and its permission_violations', async () => {
    const app = sandbox.apps[0]!;
    const granted = [...app.scopes];
    app.scopes = granted.filter((s) => s !== SCOPES.contactBase);
    try {
      const error = await client.contact.user.get({ path: { user_id: 'lisi' }, params: { user_id_type: 'user_id' } }).catch((e: unknown) => e);
      expect((error as { response?: { status: number; data: unknown } }).response).toMatchObject({
        status: 400,
        data: { code: FEISHU.appLacksScope[0], error: { permission_violations: expect.arrayContaining([{ type: 'action_scope_required', subject: SCOPES.contactBase }]) } },
      });
    } finally {
      app.scopes = granted;
    }
  });

  test('a business error on an old endpoint reaches the SDK caller as a body code', async () => {
    const res = await client.contact.user.get({ path: { user_id: 'nobody' }, params: { user_id_type: 'user_id' } });
    expect(res.code).toBe(41012);
  });

  test('bad credentials: the SDK surfaces the token endpoint code', async () => {
    // The SDK's default token cache is process-wide and keyed by app id alone: give this client its own.
    const entries = new Map<string, unknown>();
    const cache = {
      get: async (key: unknown) => entries.get(String(key)),
      set: async (key: unknown, value: unknown) => Boolean(entries.set(String(key), value)),
    };
    const wrong = new lark.Client({ appId: sandbox.appId, appSecret: 'wrong', domain: sandbox.baseUrl, cache, logger: silent });
    await expect(wrong.contact.user.get({ path: { user_id: 'zhangsan' }, params: { user_id_type: 'user_id' } })).rejects.toThrow(/10014/);
  });
});
