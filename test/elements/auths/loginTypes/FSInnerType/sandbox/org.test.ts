import { describe, expect, test } from '@jest/globals';
import { generateOrg } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';

describe('generateOrg', () => {
  test('the default org has zhangsan, a leader with every field Feishu returns', () => {
    const org = generateOrg();
    const zhangsan = org.user('zhangsan');
    expect(zhangsan).toMatchObject({
      user_id: 'zhangsan',
      name: '张三',
      email: expect.stringContaining('@'),
      mobile: expect.stringMatching(/^\+86\d{11}$/),
      job_title: expect.any(String),
      gender: 1,
      status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
    });
    expect(zhangsan.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
    expect(zhangsan.union_id).toMatch(/^on_[0-9a-f]{32}$/);
    expect(Object.keys(zhangsan.avatar).sort()).toEqual(['avatar_240', 'avatar_640', 'avatar_72', 'avatar_origin']);
    const engineering = org.department('engineering');
    expect(engineering.open_department_id).toMatch(/^od-[0-9a-f]{32}$/);
    expect(engineering.leader_user_id).toBe(zhangsan.open_id);
    expect(engineering.leaders).toContainEqual({ leaderType: 1, leaderID: zhangsan.open_id });
    expect(zhangsan.department_ids).toEqual([engineering.open_department_id]);
    expect(zhangsan.leader_user_id).toBe(org.user('chenyi').open_id); // the CEO, directly under the root
  });

  test('the default org has a few dozen people in a handful of departments, one resigned and one frozen', () => {
    const org = generateOrg();
    expect(org.users.length).toBeGreaterThanOrEqual(24);
    expect(org.departments.filter((d) => d.parent_department_id === '0').length).toBe(6);
    expect(org.users.filter((u) => u.status.is_resigned)).toHaveLength(1);
    expect(org.users.filter((u) => u.status.is_frozen)).toHaveLength(1);
    expect(org.user('zhengshi').department_ids).toEqual([]);
    expect(org.directMembers(org.department('research').open_department_id)).toHaveLength(0);
    expect(org.childDepartments(org.department('engineering').open_department_id).map((d) => d.department_id)).toEqual(['platform', 'research']);
  });

  test('the same seed gives the same org; another seed other ids', () => {
    const a = generateOrg({ seed: 7 });
    const b = generateOrg({ seed: 7 });
    const c = generateOrg({ seed: 8 });
    expect(JSON.stringify(a.users)).toBe(JSON.stringify(b.users));
    expect(a.user('zhangsan').open_id).not.toBe(c.user('zhangsan').open_id);
  });

  test('member_count includes sub-departments; primary_member_count only primary members', () => {
    const org = generateOrg();
    const engineering = org.department('engineering');
    const platform = org.department('platform');
    const direct = org.directMembers(engineering.open_department_id).length;
    expect(engineering.member_count).toBe(direct + platform.member_count);
    const marketing = org.department('marketing'); // lisi is a secondary member there
    expect(marketing.member_count).toBe(marketing.primary_member_count + 1);
  });

  // How fast it is belongs to the benchmarks (bench/feishu.ts prints the generation time), not to a unit test.
  test('5,000 departments and 50,000 users with unique ids', () => {
    const org = generateOrg({ departments: 5000, users: 50_000 });
    expect(org.descendantDepartments('0')).toHaveLength(5000);
    expect(new Set(org.users.map((u) => u.user_id)).size).toBe(50_000);
    expect(new Set(org.users.map((u) => u.open_id)).size).toBe(50_000);
    expect(org.findUser('zhangsan', 'user_id')?.name).toBe('张三');
  });

  test('mutations keep the indexes and counts right', () => {
    const org = generateOrg();
    const hr = org.department('hr');
    const before = hr.member_count;
    org.resignUser('sunqi');
    expect(org.directMembers(hr.open_department_id).map((u) => u.user_id)).not.toContain('sunqi');
    expect(org.department('hr').member_count).toBe(before - 1);

    org.moveDepartment('platform', 'product');
    expect(org.department('platform').parent_department_id).toBe(org.department('product').open_department_id);
    expect(org.childDepartments(org.department('product').open_department_id).map((d) => d.department_id)).toContain('platform');
    expect(() => org.moveDepartment('product', 'platform')).toThrow(/below itself/);

    const added = org.addDepartment({ department_id: 'legal', name: '法务部', leader: 'zhouba' });
    expect(org.findDepartment(added.open_department_id, 'open_department_id')).toBe(added);
    org.moveUser('wangwu', ['legal']);
    expect(org.directMembers(added.open_department_id).map((u) => u.user_id)).toEqual(['wangwu']);
    expect(() => org.removeDepartment('legal')).toThrow(/not empty/);
  });
});
