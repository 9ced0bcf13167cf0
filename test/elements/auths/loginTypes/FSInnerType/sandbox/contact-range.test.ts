import { afterEach, describe, expect, test } from '@jest/globals';
import { FEISHU, ROOT_DEPARTMENT_ID, SCOPES, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, tenantToken, userToken } from './helpers.js';

/** An app's contact range (events-and-scopes notes §4.1, §4.2 "GET /contact/v3/scopes"). */
const V3 = '/open-apis/contact/v3';
const Q = 'department_id_type=department_id&user_id_type=user_id';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

const code = async (path: string, token: string) => (await getJson(sandbox, path, token)).body.code;

describe('a contact range below the root', () => {
  test('departments outside it answer 40004 (HTTP 403), the children of one 40014 (HTTP 403), users outside it 41050 (HTTP 400)', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_eng', contactScope: ['engineering'] }] });
    const token = await tenantToken(sandbox);
    // Inside: the department, everything below it, its members.
    expect(await code(`${V3}/departments/engineering?${Q}`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/departments/platform?${Q}`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/departments/engineering/children?${Q}`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/users/find_by_department?department_id=platform&${Q}`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/users/zhangsan?${Q}`, token)).toBe(FEISHU.ok[0]);

    const sales = await getJson(sandbox, `${V3}/departments/sales?${Q}`, token);
    expect({ status: sales.status, code: sales.body.code }).toEqual({ status: 403, code: FEISHU.noDepartmentAuthority[0] });
    expect(await code(`${V3}/departments/${ROOT_DEPARTMENT_ID}?${Q}`, token)).toBe(FEISHU.noDepartmentAuthority[0]);
    expect(await code(`${V3}/users/find_by_department?department_id=hr&${Q}`, token)).toBe(FEISHU.noDepartmentAuthority[0]);
    expect(await code(`${V3}/users/find_by_department?department_id=${ROOT_DEPARTMENT_ID}&${Q}`, token)).toBe(FEISHU.noDepartmentAuthority[0]);

    const rootChildren = await getJson(sandbox, `${V3}/departments/${ROOT_DEPARTMENT_ID}/children?${Q}`, token);
    expect({ status: rootChildren.status, code: rootChildren.body.code }).toEqual({ status: 403, code: FEISHU.noParentDepartmentAuthority[0] });
    expect(await code(`${V3}/departments/sales/children?${Q}`, token)).toBe(FEISHU.noParentDepartmentAuthority[0]);

    const zhaoliu = await getJson(sandbox, `${V3}/users/zhaoliu?${Q}`, token);
    expect({ status: zhaoliu.status, code: zhaoliu.body.code }).toEqual({ status: 400, code: FEISHU.noUserAuthority[0] });
  });

  test('batch endpoints leave out what lies outside the range', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_eng', contactScope: ['engineering'] }] });
    const token = await tenantToken(sandbox);
    const users = await getJson(sandbox, `${V3}/users/batch?${Q}&user_ids=zhangsan&user_ids=zhaoliu`, token);
    expect(users.body.data.items.map((u: { user_id: string }) => u.user_id)).toEqual(['zhangsan']);
    const departments = await getJson(sandbox, `${V3}/departments/batch?${Q}&department_ids=platform&department_ids=sales`, token);
    expect(departments.body.data.items.map((d: { department_id: string }) => d.department_id)).toEqual(['platform']);
  });

  test('people listed one by one (contactUsers) are visible wherever they sit', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_eng', contactScope: ['engineering'], contactUsers: ['zhaoliu'] }] });
    const token = await tenantToken(sandbox);
    expect(await code(`${V3}/users/zhaoliu?${Q}`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/users/lisi?${Q}`, token)).toBe(FEISHU.noUserAuthority[0]);
  });
});

describe('GET /open-apis/contact/v3/scopes', () => {
  test('all members: the first-level departments under the root and the root’s direct users', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    const reply = await getJson(sandbox, `${V3}/scopes?${Q}`, token);
    const org = sandbox.org;
    expect(reply.body).toEqual({
      code: FEISHU.ok[0],
      msg: 'success',
      data: {
        user_ids: org.directMembers(ROOT_DEPARTMENT_ID).map((u) => u.user_id),
        department_ids: org.childDepartments(ROOT_DEPARTMENT_ID).map((d) => d.department_id),
        has_more: false,
      },
    });
    expect(reply.body.data.user_ids).toContain('chenyi'); // the CEO sits directly under the root
  });

  test('a limited range: exactly the listed departments and users, not expanded; open ids by default', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_some', contactScope: ['engineering', 'platform', 'hr'], contactUsers: ['zhaoliu'] }] });
    const token = await tenantToken(sandbox);
    const custom = await getJson(sandbox, `${V3}/scopes?${Q}`, token);
    expect(custom.body.data).toEqual({ user_ids: ['zhaoliu'], department_ids: ['engineering', 'platform', 'hr'], has_more: false });
    const open = await getJson(sandbox, `${V3}/scopes`, token);
    expect(open.body.data).toEqual({
      user_ids: [sandbox.org.user('zhaoliu').open_id],
      department_ids: ['engineering', 'platform', 'hr'].map((id) => sandbox.org.department(id).open_department_id),
      has_more: false,
    });
  });

  test('paged: user_ids first, then department_ids, at most page_size in all; page_size 1–100', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_some', contactScope: ['engineering', 'hr'], contactUsers: ['zhaoliu', 'lisi'] }] });
    const token = await tenantToken(sandbox);
    const pages: unknown[] = [];
    let pageToken = '';
    do {
      const reply = await getJson(sandbox, `${V3}/scopes?${Q}&page_size=3${pageToken ? `&page_token=${pageToken}` : ''}`, token);
      expect(reply.body.code).toBe(FEISHU.ok[0]);
      const { has_more, page_token, ...lists } = reply.body.data;
      pages.push(lists);
      pageToken = has_more ? page_token : '';
    } while (pageToken);
    expect(pages).toEqual([{ user_ids: ['zhaoliu', 'lisi'], department_ids: ['engineering'] }, { department_ids: ['hr'] }]);

    expect(await code(`${V3}/scopes?page_size=100`, token)).toBe(FEISHU.ok[0]);
    expect(await code(`${V3}/scopes?page_size=101`, token)).toBe(FEISHU.badPageSize[0]);
    expect(await code(`${V3}/scopes?page_size=0`, token)).toBe(FEISHU.badPageSize[0]);
    expect(await code(`${V3}/scopes?page_token=garbage`, token)).toBe(FEISHU.badPageToken[0]);
  });

  test('a tenant token only: a user token answers 99991668', async () => {
    sandbox = await startSandbox();
    const { access } = await userToken(sandbox, 'zhangsan');
    expect(await code(`${V3}/scopes`, access)).toBe(FEISHU.userTokenNotAccepted[0]);
  });

  test('user_ids are withheld without contact:user.employee_id:readonly (the stricter reading of the doc)', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_noid', scopes: [SCOPES.contactBase], contactScope: ['engineering'], contactUsers: ['zhaoliu'] }] });
    const token = await tenantToken(sandbox);
    const reply = await getJson(sandbox, `${V3}/scopes`, token);
    expect(reply.body.data).toEqual({ department_ids: [sandbox.org.department('engineering').open_department_id], has_more: false });
  });
});
