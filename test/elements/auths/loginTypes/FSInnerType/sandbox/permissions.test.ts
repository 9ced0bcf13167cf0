import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { FEISHU, SCOPES, WHOLE_CONTACT_SCOPES, startSandbox, type EndpointName, type FeishuUser, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, tenantToken, userToken } from './helpers.js';

/**
 * The sandbox's permissions are at least as strict as Feishu's (events-and-scopes notes §4.1,
 * §4.2): an endpoint lets a call through only with one of its API-level permissions, field
 * permissions never count as one, and each field comes back only with a permission that unlocks it.
 */
const V3 = '/open-apis/contact/v3';
const B3 = WHOLE_CONTACT_SCOPES;
const FIELD_SCOPES = [SCOPES.userBase, SCOPES.userEmail, SCOPES.userPhone, SCOPES.userEmployeeId, SCOPES.userEmployee, SCOPES.userEmployeeNumber, SCOPES.userDepartment, SCOPES.userGender, SCOPES.departmentBase];

let sandbox: Sandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  token = await tenantToken(sandbox);
});
afterAll(() => sandbox.close());
const grant = (...scopes: string[]) => {
  sandbox.apps[0]!.scopes = scopes;
};

interface Endpoint {
  name: EndpointName;
  /** The request, naming users by `userId` (open_id unless told). */
  path: (userId?: (user: FeishuUser) => string) => string;
  /** API-level permissions, any one of which lets the call through (§4.1). */
  accepts: string[];
}

const zhangsan = () => sandbox.org.user('zhangsan');
const engineering = () => sandbox.org.department('engineering');
const ENDPOINTS: Endpoint[] = [
  { name: 'user_get', path: (id = (u) => u.open_id) => `${V3}/users/${id(zhangsan())}`, accepts: [SCOPES.contactBase, ...B3] },
  { name: 'users_batch', path: (id = (u) => u.open_id) => `${V3}/users/batch?user_ids=${id(zhangsan())}`, accepts: [SCOPES.contactBase] },
  { name: 'find_by_department', path: () => `${V3}/users/find_by_department?department_id=${engineering().open_department_id}`, accepts: [SCOPES.contactBase, SCOPES.departmentOrganize, ...B3] },
  { name: 'department_get', path: () => `${V3}/departments/${engineering().open_department_id}`, accepts: [SCOPES.contactBase, ...B3] },
  { name: 'department_children', path: () => `${V3}/departments/0/children`, accepts: [SCOPES.contactBase, SCOPES.departmentOrganize, ...B3] },
  { name: 'departments_batch', path: () => `${V3}/departments/batch?department_ids=${engineering().open_department_id}`, accepts: [SCOPES.contactBase] },
  { name: 'contact_scopes', path: () => `${V3}/scopes`, accepts: [SCOPES.contactBase, SCOPES.contactAccessAsApp, SCOPES.contactReadAsApp] },
];
const EVERY_API_SCOPE = [...new Set(ENDPOINTS.flatMap((e) => e.accepts))];

describe('API-level permissions per endpoint (§4.1)', () => {
  test.each(ENDPOINTS)('$name with every field permission but no API-level one: 99991672 under HTTP 400, naming exactly what would do', async ({ path, accepts }) => {
    grant(...FIELD_SCOPES);
    const reply = await getJson(sandbox, path(), token);
    expect(reply.status).toBe(400); // the status of 99991672 is UNVERIFIED; the sandbox answers 400
    expect(reply.body.code).toBe(FEISHU.appLacksScope[0]);
    expect(reply.body.msg).toBe(`${FEISHU.appLacksScope[1]}: [${accepts.join(', ')}]`);
    expect(reply.body.error).toMatchObject({
      log_id: expect.any(String),
      permission_violations: accepts.map((subject) => ({ type: 'action_scope_required', subject })),
      helps: [{ url: expect.stringContaining(`/app/${sandbox.appId}/auth?q=`), description: expect.any(String) }],
    });
  });

  test.each(ENDPOINTS.flatMap((e) => e.accepts.map((scope) => ({ ...e, scope }))))('$name lets $scope alone through', async ({ path, scope }) => {
    grant(scope);
    expect((await getJson(sandbox, path(), token)).body.code).toBe(FEISHU.ok[0]);
  });

  test.each(ENDPOINTS.flatMap((e) => EVERY_API_SCOPE.filter((s) => !e.accepts.includes(s)).map((scope) => ({ ...e, scope }))))('$name does not take $scope', async ({ path, scope }) => {
    grant(scope, ...FIELD_SCOPES);
    expect((await getJson(sandbox, path(), token)).body.code).toBe(FEISHU.appLacksScope[0]);
  });

  test.each(ENDPOINTS)('$name with user_id_type=user_id also needs contact:user.employee_id:readonly', async ({ path }) => {
    const asUserIds = () => {
      const p = path((u) => u.user_id);
      return `${p}${p.includes('?') ? '&' : '?'}user_id_type=user_id`;
    };
    grant(SCOPES.contactBase, ...B3);
    const reply = await getJson(sandbox, asUserIds(), token);
    expect(reply.body).toMatchObject({ code: FEISHU.appLacksScope[0], error: { permission_violations: [{ type: 'action_scope_required', subject: SCOPES.userEmployeeId }] } });
    grant(SCOPES.contactBase, SCOPES.contactAccessAsApp, SCOPES.userEmployeeId);
    expect((await getJson(sandbox, asUserIds(), token)).body.code).toBe(FEISHU.ok[0]);
  });

  test('authen/v1/user_info needs no API-level permission, only a user token', async () => {
    grant();
    const { access } = await userToken(sandbox, 'zhangsan');
    expect((await getJson(sandbox, '/open-apis/authen/v1/user_info', access)).body).toMatchObject({ code: FEISHU.ok[0], data: { open_id: zhangsan().open_id } });
  });
});

/** The keys a view has, given the source object: a listed field appears only if the record has a value for it. */
const present = (record: object, fields: readonly string[]) => fields.filter((f) => (record as Record<string, unknown>)[f] !== undefined);

describe('field permissions: a withheld field is absent (§4.2)', () => {
  const USER_ALWAYS = ['open_id', 'union_id', 'mobile_visible'];
  const EMPLOYEE = ['status', 'job_title', 'enterprise_email', 'city', 'country', 'work_station', 'join_time', 'is_tenant_manager', 'employee_type'];
  const USER_ROWS: Array<{ scope: string; fields: string[] }> = [
    { scope: SCOPES.userEmployeeId, fields: ['user_id'] },
    { scope: SCOPES.userBase, fields: ['name', 'en_name', 'nickname', 'avatar'] },
    { scope: SCOPES.userEmail, fields: ['email'] },
    { scope: SCOPES.userPhone, fields: ['mobile'] },
    { scope: SCOPES.userGender, fields: ['gender'] },
    { scope: SCOPES.userEmployee, fields: [...EMPLOYEE, 'employee_no'] },
    { scope: SCOPES.userEmployeeNumber, fields: ['employee_no'] },
    { scope: SCOPES.userDepartment, fields: ['department_ids', 'orders', 'leader_user_id'] },
    // A whole-contact permission stands in for every field permission but user_id, email and mobile.
    ...B3.map((scope) => ({ scope, fields: ['name', 'en_name', 'nickname', 'avatar', 'gender', ...EMPLOYEE, 'employee_no', 'department_ids', 'orders', 'leader_user_id'] })),
  ];

  test.each(USER_ROWS)('users: $scope adds exactly its fields, on users/:id, users/batch and find_by_department', async ({ scope, fields }) => {
    grant(SCOPES.contactBase, scope);
    const expected = [...USER_ALWAYS, ...present(zhangsan(), fields)].sort();
    const single = (await getJson(sandbox, `${V3}/users/${zhangsan().open_id}`, token)).body.data.user;
    expect(Object.keys(single).sort()).toEqual(expected);
    const batch = (await getJson(sandbox, `${V3}/users/batch?user_ids=${zhangsan().open_id}`, token)).body.data.items[0];
    expect(Object.keys(batch).sort()).toEqual(expected);
    const listed = (await getJson(sandbox, `${V3}/users/find_by_department?department_id=${engineering().open_department_id}&page_size=50`, token)).body.data.items;
    expect(Object.keys(listed.find((u: { open_id: string }) => u.open_id === zhangsan().open_id)).sort()).toEqual(expected);
  });

  test('users: with the API-level permission alone only the ids and mobile_visible come back', async () => {
    grant(SCOPES.contactBase);
    const { user } = (await getJson(sandbox, `${V3}/users/${zhangsan().open_id}`, token)).body.data;
    expect(user).toEqual({ open_id: zhangsan().open_id, union_id: zhangsan().union_id, mobile_visible: zhangsan().mobile_visible });
  });

  const DEPARTMENT_ROWS: Array<{ scope: string; fields: string[]; leaderIds: boolean }> = [
    { scope: SCOPES.departmentBase, fields: ['name', 'i18n_name', 'department_id', 'chat_id', 'status'], leaderIds: false },
    { scope: SCOPES.departmentOrganize, fields: ['parent_department_id', 'leader_user_id', 'order', 'unit_ids', 'member_count', 'primary_member_count'], leaderIds: true },
    ...B3.map((scope) => ({ scope, fields: ['name', 'i18n_name', 'department_id', 'chat_id', 'status', 'parent_department_id', 'leader_user_id', 'order', 'unit_ids', 'member_count', 'primary_member_count'], leaderIds: true })),
  ];

  test.each(DEPARTMENT_ROWS)('departments: $scope adds exactly its fields, on departments/:id, children and batch', async ({ scope, fields, leaderIds }) => {
    grant(SCOPES.contactBase, scope);
    const dept = engineering();
    const expected = ['open_department_id', 'leaders', ...present(dept, fields)].sort();
    const leaders = dept.leaders.map((l) => (leaderIds ? { leaderType: l.leaderType, leaderID: l.leaderID } : { leaderType: l.leaderType }));
    const single = (await getJson(sandbox, `${V3}/departments/${dept.open_department_id}`, token)).body.data.department;
    const batch = (await getJson(sandbox, `${V3}/departments/batch?department_ids=${dept.open_department_id}`, token)).body.data.items[0];
    const listed = (await getJson(sandbox, `${V3}/departments/0/children?page_size=50`, token)).body.data.items.find((d: { open_department_id: string }) => d.open_department_id === dept.open_department_id);
    for (const view of [single, batch, listed]) {
      expect(Object.keys(view).sort()).toEqual(expected);
      expect(view.leaders).toEqual(leaders); // leaderType always, leaderID only with the organize permission
    }
  });

  const USER_INFO_ALWAYS = ['name', 'en_name', 'avatar_url', 'avatar_thumb', 'avatar_middle', 'avatar_big', 'open_id', 'union_id', 'tenant_key'];
  const USER_INFO_ROWS: Array<{ scope: string; fields: string[] }> = [
    { scope: SCOPES.userEmail, fields: ['email'] },
    { scope: SCOPES.userPhone, fields: ['mobile'] },
    { scope: SCOPES.userEmployeeId, fields: ['user_id'] },
    { scope: SCOPES.userEmployee, fields: ['enterprise_email', 'employee_no'] },
    ...B3.map((scope) => ({ scope, fields: ['employee_no'] })),
  ];

  test.each(USER_INFO_ROWS)('authen/v1/user_info: $scope adds exactly $fields', async ({ scope, fields }) => {
    grant(scope);
    const { access } = await userToken(sandbox, 'zhangsan');
    const { data } = (await getJson(sandbox, '/open-apis/authen/v1/user_info', access)).body;
    expect(Object.keys(data).sort()).toEqual([...USER_INFO_ALWAYS, ...fields].sort());
  });

  test('authen/v1/user_info with no permission at all: identity, name and avatars only', async () => {
    grant();
    const { access } = await userToken(sandbox, 'zhangsan');
    expect(Object.keys((await getJson(sandbox, '/open-apis/authen/v1/user_info', access)).body.data).sort()).toEqual([...USER_INFO_ALWAYS].sort());
  });
});
