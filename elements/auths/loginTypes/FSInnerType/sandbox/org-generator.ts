import { avatarKey, sandboxAvatar, UNBOUND_AVATAR_BASE } from './avatars.js';
import { Org } from './org.js';
import { ROOT_DEPARTMENT_ID, type FeishuDepartment, type FeishuUser } from './org-types.js';
import { pick, seededRandom, stableHex } from './random.js';

export interface OrgOptions {
  /** Number of departments (default 8: six top-level ones, a sub-team and an empty sub-team). */
  departments?: number;
  /** Number of users (default 36), including the named people below. */
  users?: number;
  seed?: number;
  tenantName?: string;
  /** The sandbox the users' avatars point at (avatars.ts); startSandbox rebases them onto itself anyway. */
  avatarBaseUrl?: string;
}

interface NamedDepartment {
  id: string;
  name: string;
  en: string;
  parent?: string;
  /** Left without members so tests can page an empty department. */
  empty?: boolean;
}

const NAMED_DEPARTMENTS: readonly NamedDepartment[] = [
  { id: 'engineering', name: '研发部', en: 'Engineering' },
  { id: 'product', name: '产品部', en: 'Product' },
  { id: 'marketing', name: '市场部', en: 'Marketing' },
  { id: 'sales', name: '销售部', en: 'Sales' },
  { id: 'hr', name: '人力资源部', en: 'Human Resources' },
  { id: 'finance', name: '财务部', en: 'Finance' },
  { id: 'platform', name: '平台组', en: 'Platform', parent: 'engineering' },
  { id: 'research', name: '预研组', en: 'Research', parent: 'engineering', empty: true },
];

interface NamedPerson {
  id: string;
  name: string;
  en: string;
  gender: 1 | 2;
  title: string;
  /** Department ids; "0" = directly under the root. Empty for a resigned user. */
  departments: string[];
  leads?: string;
  resigned?: boolean;
  frozen?: boolean;
}

/** The people the element's docs and tests talk about (getUserInfo(userId="zhangsan")). */
const NAMED_PEOPLE: readonly NamedPerson[] = [
  { id: 'zhangsan', name: '张三', en: 'Zhang San', gender: 1, title: '研发总监', departments: ['engineering'], leads: 'engineering' },
  { id: 'chenyi', name: '陈一', en: 'Chen Yi', gender: 2, title: 'CEO', departments: [ROOT_DEPARTMENT_ID] },
  { id: 'lisi', name: '李四', en: 'Li Si', gender: 1, title: '产品总监', departments: ['product', 'marketing'], leads: 'product' },
  { id: 'wangwu', name: '王五', en: 'Wang Wu', gender: 1, title: '市场总监', departments: ['marketing'], leads: 'marketing' },
  { id: 'zhaoliu', name: '赵六', en: 'Zhao Liu', gender: 2, title: '销售总监', departments: ['sales'], leads: 'sales' },
  { id: 'sunqi', name: '孙七', en: 'Sun Qi', gender: 2, title: 'HRBP', departments: ['hr'], leads: 'hr' },
  { id: 'zhouba', name: '周八', en: 'Zhou Ba', gender: 1, title: '财务经理', departments: ['finance'], leads: 'finance' },
  { id: 'wujiu', name: '吴九', en: 'Wu Jiu', gender: 1, title: '工程师', departments: ['engineering'], frozen: true },
  { id: 'zhengshi', name: '郑十', en: 'Zheng Shi', gender: 2, title: '工程师', departments: [], resigned: true },
];

const SURNAMES = [
  ['王', 'wang'], ['李', 'li'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'], ['赵', 'zhao'],
  ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'], ['胡', 'hu'],
  ['郭', 'guo'], ['何', 'he'], ['高', 'gao'], ['林', 'lin'], ['罗', 'luo'], ['郑', 'zheng'],
] as const;
const GIVEN_NAMES = [
  ['伟', 'wei', 1], ['芳', 'fang', 2], ['娜', 'na', 2], ['敏', 'min', 2], ['静', 'jing', 2], ['丽', 'li', 2],
  ['强', 'qiang', 1], ['磊', 'lei', 1], ['军', 'jun', 1], ['洋', 'yang', 1], ['勇', 'yong', 1], ['艳', 'yan', 2],
  ['杰', 'jie', 1], ['娟', 'juan', 2], ['涛', 'tao', 1], ['明', 'ming', 1], ['超', 'chao', 1], ['秀英', 'xiuying', 2],
  ['霞', 'xia', 2], ['平', 'ping', 1],
] as const;
const TITLES = ['工程师', '高级工程师', '产品经理', '设计师', '运营专员', '销售代表', '会计', '招聘专员', '测试工程师'];
const CITIES = ['北京', '上海', '深圳', '杭州', '成都'];
const JOIN_EPOCH = 1_577_836_800; // 2020-01-01, so join_time values are plausible and fixed.

/**
 * A deterministic organization: the same options always give the same ids, names and tree.
 * Departments beyond the named ones hang below a random earlier department, users beyond the
 * named people are spread round-robin over the departments that may have members.
 */
export function generateOrg(options: OrgOptions = {}): Org {
  const departmentCount = options.departments ?? NAMED_DEPARTMENTS.length;
  const userCount = options.users ?? 36;
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const tenantKey = stableHex(`${seed}:tenant`, 16);
  const avatarBase = options.avatarBaseUrl ?? UNBOUND_AVATAR_BASE;
  const openDept = (id: string) => (id === ROOT_DEPARTMENT_ID ? id : `od-${stableHex(`${tenantKey}:dept:${id}`)}`);

  const departments: FeishuDepartment[] = [];
  for (let i = 0; i < departmentCount; i++) {
    const named = NAMED_DEPARTMENTS[i];
    // Past the named ones, a few more top-level departments, then each hangs below a random earlier one.
    const parent = named ? departments.find((d) => d.department_id === named.parent) : i < 12 ? undefined : departments[Math.floor(random() * i)];
    const id = named?.id ?? `d${String(i + 1).padStart(5, '0')}`;
    const name = named?.name ?? `${parent?.name.split('-')[0] ?? '事业部'}-${i + 1}组`;
    departments.push(newDepartment(id, name, named?.en ?? `Team ${i + 1}`, parent?.open_department_id ?? ROOT_DEPARTMENT_ID, openDept(id), i));
  }
  const staffable = departments.filter((_, i) => !NAMED_DEPARTMENTS[i]?.empty);
  const deptById = new Map(departments.map((d) => [d.department_id, d]));

  const users: FeishuUser[] = [];
  const taken = new Map(NAMED_PEOPLE.map((p) => [p.id, 1]));
  for (let i = 0; i < userCount; i++) {
    const named = NAMED_PEOPLE[i];
    if (named) {
      const deptIds = named.departments.filter((d) => d === ROOT_DEPARTMENT_ID || deptById.has(d)).map(openDept);
      const user = newUser(avatarBase, tenantKey, i, named.id, named.name, named.en, named.gender, named.title, deptIds, random);
      if (named.resigned) user.status = { ...user.status, is_resigned: true, is_activated: false };
      if (named.frozen) user.status = { ...user.status, is_frozen: true };
      const led = named.leads && deptById.get(named.leads);
      if (led) setLeader(led, user.open_id);
      users.push(user);
      continue;
    }
    const [surname, surnamePinyin] = pick(random, SURNAMES);
    const [given, givenPinyin, gender] = pick(random, GIVEN_NAMES);
    const id = uniqueId(`${surnamePinyin}${givenPinyin}`, taken);
    const dept = staffable.length ? staffable[(i - NAMED_PEOPLE.length) % staffable.length]! : undefined;
    const en = `${cap(givenPinyin)} ${cap(surnamePinyin)}`;
    const user = newUser(avatarBase, tenantKey, i, id, `${surname}${given}`, en, gender, pick(random, TITLES), dept ? [dept.open_department_id] : [ROOT_DEPARTMENT_ID], random);
    if (dept && !dept.leader_user_id) setLeader(dept, user.open_id);
    else if (dept && dept.leaders.length === 1 && dept.department_id === 'engineering') dept.leaders.push({ leaderType: 2, leaderID: user.open_id });
    users.push(user);
  }
  assignManagers(users, departments);
  return new Org({ tenantKey, tenantName: options.tenantName ?? '飞书沙箱科技有限公司', users, departments });
}

/** A user's manager is the leader of their primary department, or of its parent when they lead it. */
function assignManagers(users: FeishuUser[], departments: FeishuDepartment[]): void {
  const byOpenId = new Map(departments.map((d) => [d.open_department_id, d]));
  const ceo = users.find((u) => u.department_ids[0] === ROOT_DEPARTMENT_ID && u.job_title === 'CEO');
  for (const user of users) {
    let dept = byOpenId.get(user.department_ids[0] ?? '');
    while (dept && (!dept.leader_user_id || dept.leader_user_id === user.open_id)) dept = byOpenId.get(dept.parent_department_id);
    const manager = dept?.leader_user_id ?? (user.department_ids.length && user !== ceo ? ceo?.open_id : undefined);
    if (manager) user.leader_user_id = manager;
  }
}

function newDepartment(id: string, name: string, en: string, parent: string, openId: string, index: number): FeishuDepartment {
  return {
    name,
    i18n_name: { zh_cn: name, ja_jp: '', en_us: en },
    parent_department_id: parent,
    department_id: id,
    open_department_id: openId,
    order: String((index + 1) * 1000),
    unit_ids: [],
    member_count: 0,
    primary_member_count: 0,
    status: { is_deleted: false },
    leaders: [],
  };
}

function setLeader(dept: FeishuDepartment, openId: string): void {
  dept.leader_user_id = openId;
  dept.leaders = [{ leaderType: 1, leaderID: openId }];
}

function newUser(
  avatarBase: string, tenantKey: string, index: number, userId: string, name: string, en: string, gender: 0 | 1 | 2 | 3,
  title: string, departmentIds: string[], random: () => number,
): FeishuUser {
  return {
    union_id: `on_${stableHex(`${tenantKey}:union:${userId}`)}`,
    user_id: userId,
    open_id: `ou_${stableHex(`${tenantKey}:open:${userId}`)}`,
    name,
    en_name: en,
    nickname: '',
    email: `${userId}@example.com`,
    enterprise_email: `${userId}@corp.example.com`,
    mobile: `+86138${String(10_000_000 + index).slice(-8)}`,
    mobile_visible: true,
    gender,
    // Served by the sandbox itself (Feishu's CDN is out of reach offline).
    avatar: sandboxAvatar(avatarBase, avatarKey(tenantKey, userId)),
    status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
    department_ids: departmentIds,
    city: pick(random, CITIES),
    country: 'CN',
    work_station: `F${1 + Math.floor(random() * 20)}-${String(index % 1000).padStart(3, '0')}`,
    join_time: JOIN_EPOCH + Math.floor(random() * 1500) * 86_400,
    is_tenant_manager: index === 0,
    employee_no: `E${String(index + 1).padStart(6, '0')}`,
    employee_type: index % 10 === 9 ? 2 : 1,
    orders: departmentIds.map((department_id, i) => ({
      department_id,
      user_order: 0,
      department_order: departmentIds.length - i,
      is_primary_dept: i === 0,
    })),
    job_title: title,
  };
}

/** liwei, liwei2, liwei3…; `taken` counts uses per base so 50,000 users stay O(n). */
function uniqueId(base: string, taken: Map<string, number>): string {
  let uses = taken.get(base) ?? 0;
  let id = uses ? `${base}${uses + 1}` : base;
  while (taken.has(id)) id = `${base}${++uses + 1}`;
  taken.set(base, uses + 1);
  taken.set(id, 1);
  return id;
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
