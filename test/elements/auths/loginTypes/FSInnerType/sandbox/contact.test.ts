import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, tenantToken, userToken } from './helpers.js';

const V3 = '/open-apis/contact/v3';
let sandbox: Sandbox;
let token: string;
afterEach(() => sandbox?.close());

describe('users (contract §4)', () => {
  beforeEach(async () => {
    sandbox = await startSandbox();
    token = await tenantToken(sandbox);
  });

  test('get by open_id (default), union_id and user_id; ids inside follow the requested types', async () => {
    const zhangsan = sandbox.org.user('zhangsan');
    const byOpen = await getJson(sandbox, `${V3}/users/${zhangsan.open_id}`, token);
    expect(byOpen.body).toMatchObject({ code: 0, msg: 'success', data: { user: { open_id: zhangsan.open_id, name: '张三' } } });
    expect(byOpen.body.data.user.department_ids).toEqual(zhangsan.department_ids);
    const byUnion = await getJson(sandbox, `${V3}/users/${zhangsan.union_id}?user_id_type=union_id`, token);
    expect(byUnion.body.data.user.user_id).toBe('zhangsan');
    expect(byUnion.body.data.user.leader_user_id).toBe(sandbox.org.user('chenyi').union_id);
    const byUserId = await getJson(sandbox, `${V3}/users/zhangsan?user_id_type=user_id&department_id_type=department_id`, token);
    expect(byUserId.body.data.user).toMatchObject({ department_ids: ['engineering'], leader_user_id: 'chenyi', orders: [{ department_id: 'engineering', is_primary_dept: true }] });
  });

  test('unknown user → 41012 with HTTP 200; a bad id type → 40001', async () => {
    const reply = await getJson(sandbox, `${V3}/users/ou_nobody`, token);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ code: 41012, msg: expect.any(String) });
    expect((await getJson(sandbox, `${V3}/users/zhangsan?user_id_type=email`, token)).body.code).toBe(40001);
  });

  test('a resigned user is still readable, with no departments', async () => {
    const reply = await getJson(sandbox, `${V3}/users/zhengshi?user_id_type=user_id`, token);
    expect(reply.body.data.user).toMatchObject({ status: { is_resigned: true }, department_ids: [] });
  });

  test('batch: repeated user_ids, unknown ones left out, more than 50 refused', async () => {
    const reply = await getJson(sandbox, `${V3}/users/batch?user_id_type=user_id&user_ids=lisi&user_ids=nobody&user_ids=zhangsan`, token);
    expect(reply.body.data.items.map((u: { user_id: string }) => u.user_id)).toEqual(['lisi', 'zhangsan']);
    const tooMany = Array.from({ length: 51 }, (_, i) => `user_ids=u${i}`).join('&');
    expect((await getJson(sandbox, `${V3}/users/batch?${tooMany}`, token)).body.code).toBe(40001);
  });

  test('contact v3 accepts a user token too', async () => {
    const { access } = await userToken(sandbox, 'lisi');
    expect((await getJson(sandbox, `${V3}/users/zhangsan?user_id_type=user_id`, access)).body.code).toBe(0);
  });
});

describe('find_by_department paging (contract §4)', () => {
  const path = (query: string) => `${V3}/users/find_by_department?department_id_type=department_id&user_id_type=user_id&${query}`;

  beforeEach(async () => {
    sandbox = await startSandbox({ org: { departments: 8, users: 130 } });
    token = await tenantToken(sandbox);
  });

  test('default page size 10; page_token only with has_more; pages cover all direct members once', async () => {
    const dept = sandbox.org.department('engineering');
    const expected = sandbox.org.directMembers(dept.open_department_id).map((u) => u.user_id);
    expect(expected.length).toBeGreaterThan(10);
    const seen: string[] = [];
    let pageToken = '';
    for (;;) {
      const reply = await getJson(sandbox, path(`department_id=engineering${pageToken ? `&page_token=${pageToken}` : ''}`), token);
      expect(reply.body.code).toBe(0);
      expect(reply.body.data.items.length).toBeLessThanOrEqual(10);
      seen.push(...reply.body.data.items.map((u: { user_id: string }) => u.user_id));
      if (!reply.body.data.has_more) {
        expect(reply.body.data).not.toHaveProperty('page_token');
        break;
      }
      pageToken = reply.body.data.page_token;
    }
    expect(seen).toEqual(expected);
  });

  test('page_size 50 is fine, 51 and 0 → 40011', async () => {
    expect((await getJson(sandbox, path('department_id=engineering&page_size=50'), token)).body.code).toBe(0);
    expect((await getJson(sandbox, path('department_id=engineering&page_size=51'), token)).body.code).toBe(40011);
    expect((await getJson(sandbox, path('department_id=engineering&page_size=0'), token)).body.code).toBe(40011);
  });

  test('a garbled page_token, or one from another department → 40012', async () => {
    expect((await getJson(sandbox, path('department_id=engineering&page_token=garbage'), token)).body.code).toBe(40012);
    const first = await getJson(sandbox, path('department_id=engineering&page_size=1'), token);
    const foreign = await getJson(sandbox, path(`department_id=sales&page_token=${first.body.data.page_token}`), token);
    expect(foreign.body.code).toBe(40012);
  });

  test('an empty department: has_more false and no items', async () => {
    const reply = await getJson(sandbox, path('department_id=research'), token);
    expect(reply.body).toEqual({ code: 0, msg: 'success', data: { has_more: false } });
  });

  test('an unknown department → 40015', async () => {
    expect((await getJson(sandbox, path('department_id=nowhere'), token)).body.code).toBe(40015);
  });
});

describe('departments (contract §4)', () => {
  beforeEach(async () => {
    sandbox = await startSandbox({ org: { departments: 200, users: 400 } });
    token = await tenantToken(sandbox);
  });

  test('get by open_department_id and by department_id', async () => {
    const engineering = sandbox.org.department('engineering');
    const byOpen = await getJson(sandbox, `${V3}/departments/${engineering.open_department_id}`, token);
    expect(byOpen.body.data.department).toMatchObject({
      name: '研发部',
      department_id: 'engineering',
      open_department_id: engineering.open_department_id,
      parent_department_id: '0',
      order: expect.any(String),
      leaders: [{ leaderType: 1, leaderID: sandbox.org.user('zhangsan').open_id }, expect.anything()],
      status: { is_deleted: false },
    });
    const byCustom = await getJson(sandbox, `${V3}/departments/platform?department_id_type=department_id&user_id_type=user_id`, token);
    expect(byCustom.body.data.department.parent_department_id).toBe('engineering');
    expect((await getJson(sandbox, `${V3}/departments/od-nope`, token)).body.code).toBe(40015);
  });

  test('children of the root, paged; fetch_child=true lists every level', async () => {
    const direct: string[] = [];
    let pageToken = '';
    do {
      const reply = await getJson(sandbox, `${V3}/departments/0/children?page_size=50${pageToken ? `&page_token=${pageToken}` : ''}`, token);
      direct.push(...(reply.body.data.items ?? []).map((d: { open_department_id: string }) => d.open_department_id));
      pageToken = reply.body.data.page_token ?? '';
    } while (pageToken);
    expect(direct).toEqual(sandbox.org.childDepartments('0').map((d) => d.open_department_id));
    let all = 0;
    pageToken = '';
    do {
      const reply = await getJson(sandbox, `${V3}/departments/0/children?fetch_child=true&page_size=50${pageToken ? `&page_token=${pageToken}` : ''}`, token);
      all += reply.body.data.items.length;
      pageToken = reply.body.data.page_token ?? '';
    } while (pageToken);
    expect(all).toBe(200);
    expect((await getJson(sandbox, `${V3}/departments/0/children?page_size=51`, token)).body.code).toBe(40011);
  });

  test('batch by department_ids', async () => {
    const reply = await getJson(sandbox, `${V3}/departments/batch?department_id_type=department_id&department_ids=hr&department_ids=finance&department_ids=nope`, token);
    expect(reply.body.data.items.map((d: { department_id: string }) => d.department_id)).toEqual(['hr', 'finance']);
  });
});

// Permissions: permissions.test.ts; the contact range: contact-range.test.ts.
describe('tokens', () => {
  test('tenant-token errors: missing header 99991661, unknown token 99991663', async () => {
    sandbox = await startSandbox();
    expect((await getJson(sandbox, `${V3}/users/x`)).body.code).toBe(99991661);
    expect((await getJson(sandbox, `${V3}/users/x`, 't-forged')).body.code).toBe(99991663);
  });
});
