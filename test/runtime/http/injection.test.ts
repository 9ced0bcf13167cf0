import { expect, test } from '@jest/globals';
import { FSInnerAuthModel, FSInnerDeptModel } from '../../../elements/auths/loginTypes/FSInnerType/index.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { sessionCookie, useHttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();

const NASTY_NAME = `Robert'); DROP TABLE "FSInnerAuthModel";-- <script>alert(1)</script> & "quotes" 🚀 张三`;
const NASTY_DEPT = `R&D <img src=x onerror=alert(1)> '; DELETE FROM jit_session;-- 研发`;
const NASTY_ID = `o'brien";--`;

test('ids and names with SQL metacharacters, HTML and unicode round-trip unchanged through sync and are escaped on pages', async () => {
  const w = await httpWorld();
  const org = w.sandbox.org;
  org.updateUser('lisi', { name: NASTY_NAME });
  org.updateDepartment('product', { name: NASTY_DEPT });
  const template = org.user('wangwu');
  org.addUser({ ...template, user_id: NASTY_ID, open_id: 'ou_nasty0001', union_id: 'on_nasty0001', name: NASTY_NAME, email: 'nasty@example.com' });

  await w.fs().syncDepartmentInfo();
  const users = w.app.dataSource.getRepository(FSInnerAuthModel);
  expect((await users.findOneByOrFail({ userId: 'lisi' })).name).toBe(NASTY_NAME);
  expect((await users.findOneByOrFail({ userId: NASTY_ID })).name).toBe(NASTY_NAME);
  expect((await w.app.dataSource.getRepository(FSInnerDeptModel).findOneByOrFail({ customId: 'product' })).name).toBe(NASTY_DEPT);
  expect(await users.count()).toBeGreaterThan(10); // nothing was dropped
  expect((await w.fs().getUserInfo({ userId: NASTY_ID })).name).toBe(NASTY_NAME); // the id travels safely in a URL path too

  // Over HTTP: JSON keeps the exact strings; HTML escapes them.
  const admin = await w.signIn('zhangsan');
  const orgTree = (await w.inject({ method: 'GET', url: '/api/admin/elements/auths.loginTypes.FSInnerExample/views/getOrgTree', headers: { cookie: admin } })).json().data.nodes;
  expect(orgTree.map((d: { label: string }) => d.label)).toContainEqual(expect.stringContaining(NASTY_DEPT));
  const browser = w.browser();
  const { state } = (await browser.call('auths.loginTypes.FSInnerExample', 'getLoginConfig')).json().data;
  const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
  await browser.get(`/login/callback?code=${code}&state=${state}`);
  const home = await browser.get('/');
  expect(home.body).not.toContain('<script>alert(1)</script>');
  expect(home.body).not.toContain('<img src=x');
  expect(home.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(home.body).toContain('R&amp;D &lt;img src=x onerror=alert(1)&gt;');
  expect(home.body).toContain('🚀 张三');
});
