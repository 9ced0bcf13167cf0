import { stableHex } from './random.js';
import {
  ROOT_DEPARTMENT_ID,
  type DepartmentIdType,
  type FeishuDepartment,
  type FeishuUser,
  type UserIdType,
} from './org-types.js';

export interface OrgData {
  tenantKey: string;
  tenantName: string;
  users: FeishuUser[];
  departments: FeishuDepartment[];
}

export interface NewDepartment {
  department_id: string;
  name: string;
  /** Any id of the parent (department_id or open_department_id); "0" (root) by default. */
  parent?: string;
  en_name?: string;
  /** Any id of the leading user. */
  leader?: string;
}

/**
 * A mutable organization with an index by every id type, so the server answers each request in O(1)
 * (or O(page)) even for 50,000 users. Objects are stored in Feishu's default response shape (§4:
 * open_id, open_department_id); the projection converts ids per request.
 *
 * Structural changes (ids, memberships, parents) must go through the methods below so the indexes
 * and member counts follow; plain fields (name, mobile, …) may be edited on the objects directly.
 */
export class Org {
  readonly tenantKey: string;
  readonly tenantName: string;
  private readonly userList: FeishuUser[];
  private readonly departmentList: FeishuDepartment[];
  private indexedVersion = -1;
  private currentVersion = 0;
  private byOpenId = new Map<string, FeishuUser>();
  private byUserId = new Map<string, FeishuUser>();
  private byUnionId = new Map<string, FeishuUser>();
  private byOpenDepartmentId = new Map<string, FeishuDepartment>();
  private byDepartmentId = new Map<string, FeishuDepartment>();
  private childrenOf = new Map<string, FeishuDepartment[]>();
  private membersOf = new Map<string, FeishuUser[]>();
  private descendantsCache = new Map<string, FeishuDepartment[]>();
  private root!: FeishuDepartment;

  constructor(data: OrgData) {
    this.tenantKey = data.tenantKey;
    this.tenantName = data.tenantName;
    this.userList = data.users;
    this.departmentList = data.departments;
  }

  /** Bumped by every structural change; caches derived from the org key on it. */
  get version(): number {
    return this.currentVersion;
  }

  get users(): readonly FeishuUser[] {
    return this.userList;
  }

  get departments(): readonly FeishuDepartment[] {
    return this.departmentList;
  }

  /** Users who can still sign in: neither resigned nor frozen. */
  activeUsers(): FeishuUser[] {
    return this.userList.filter((u) => !u.status.is_resigned && !u.status.is_frozen);
  }

  findUser(id: string, type: UserIdType): FeishuUser | undefined {
    this.ensureIndexed();
    if (type === 'user_id') return this.byUserId.get(id);
    if (type === 'union_id') return this.byUnionId.get(id);
    return this.byOpenId.get(id);
  }

  /** "0" yields the virtual root department (its fields are the tenant's). */
  findDepartment(id: string, type: DepartmentIdType): FeishuDepartment | undefined {
    this.ensureIndexed();
    if (id === ROOT_DEPARTMENT_ID) return this.root;
    return type === 'department_id' ? this.byDepartmentId.get(id) : this.byOpenDepartmentId.get(id);
  }

  /** Resolves a user by user_id, open_id or union_id — a convenience for tests; throws when unknown. */
  user(anyId: string): FeishuUser {
    const user = this.findUser(anyId, 'user_id') ?? this.findUser(anyId, 'open_id') ?? this.findUser(anyId, 'union_id');
    if (!user) throw new Error(`sandbox org: no user "${anyId}"`);
    return user;
  }

  /** Resolves a department by department_id or open_department_id; throws when unknown. */
  department(anyId: string): FeishuDepartment {
    const dept = this.findDepartment(anyId, 'department_id') ?? this.findDepartment(anyId, 'open_department_id');
    if (!dept) throw new Error(`sandbox org: no department "${anyId}"`);
    return dept;
  }

  childDepartments(openDepartmentId: string): readonly FeishuDepartment[] {
    this.ensureIndexed();
    return this.childrenOf.get(openDepartmentId) ?? [];
  }

  /** Every department below, breadth first, as `fetch_child=true` lists them. */
  descendantDepartments(openDepartmentId: string): readonly FeishuDepartment[] {
    this.ensureIndexed();
    let list = this.descendantsCache.get(openDepartmentId);
    if (!list) {
      list = [];
      const queue = [...this.childDepartments(openDepartmentId)];
      for (let i = 0; i < queue.length; i++) {
        list.push(queue[i]!);
        queue.push(...this.childDepartments(queue[i]!.open_department_id));
      }
      this.descendantsCache.set(openDepartmentId, list);
    }
    return list;
  }

  /** Direct (not recursive) members; resigned users belong to no department. */
  directMembers(openDepartmentId: string): readonly FeishuUser[] {
    this.ensureIndexed();
    return this.membersOf.get(openDepartmentId) ?? [];
  }

  /** Open ids from the department up to (excluding) the root. */
  ancestorsOf(openDepartmentId: string): string[] {
    this.ensureIndexed();
    const chain: string[] = [];
    let dept = this.byOpenDepartmentId.get(openDepartmentId);
    while (dept && chain.length < 10_000) {
      chain.push(dept.open_department_id);
      dept = this.byOpenDepartmentId.get(dept.parent_department_id);
    }
    return chain;
  }

  addDepartment(spec: NewDepartment): FeishuDepartment {
    this.ensureIndexed();
    if (this.byDepartmentId.has(spec.department_id)) throw new Error(`sandbox org: department "${spec.department_id}" exists`);
    const parent = spec.parent && spec.parent !== ROOT_DEPARTMENT_ID ? this.department(spec.parent).open_department_id : ROOT_DEPARTMENT_ID;
    const leader = spec.leader ? this.user(spec.leader).open_id : undefined;
    const siblings = this.childDepartments(parent);
    const dept: FeishuDepartment = {
      name: spec.name,
      i18n_name: { zh_cn: spec.name, en_us: spec.en_name ?? spec.name, ja_jp: '' },
      parent_department_id: parent,
      department_id: spec.department_id,
      open_department_id: `od-${stableHex(`${this.tenantKey}:dept:${spec.department_id}`)}`,
      ...(leader ? { leader_user_id: leader } : {}),
      order: String((siblings.length + 1) * 1000),
      unit_ids: [],
      member_count: 0,
      primary_member_count: 0,
      status: { is_deleted: false },
      leaders: leader ? [{ leaderType: 1, leaderID: leader }] : [],
    };
    this.departmentList.push(dept);
    this.touch();
    return dept;
  }

  updateDepartment(anyId: string, patch: Partial<Pick<FeishuDepartment, 'name' | 'i18n_name' | 'order' | 'chat_id' | 'leader_user_id' | 'leaders'>>): FeishuDepartment {
    const dept = this.department(anyId);
    Object.assign(dept, patch);
    this.touch();
    return dept;
  }

  /** Moves a department (and its subtree) under another; "0" is the root. */
  moveDepartment(anyId: string, newParentAnyId: string): FeishuDepartment {
    const dept = this.department(anyId);
    const parent = newParentAnyId === ROOT_DEPARTMENT_ID ? ROOT_DEPARTMENT_ID : this.department(newParentAnyId).open_department_id;
    if (parent !== ROOT_DEPARTMENT_ID && this.ancestorsOf(parent).includes(dept.open_department_id)) {
      throw new Error('sandbox org: cannot move a department below itself');
    }
    dept.parent_department_id = parent;
    this.touch();
    return dept;
  }

  /** Feishu refuses to delete a department that still has members or children; so does this. */
  removeDepartment(anyId: string): void {
    const dept = this.department(anyId);
    if (this.childDepartments(dept.open_department_id).length || this.directMembers(dept.open_department_id).length) {
      throw new Error(`sandbox org: department "${anyId}" is not empty`);
    }
    this.departmentList.splice(this.departmentList.indexOf(dept), 1);
    this.touch();
  }

  addUser(user: FeishuUser): FeishuUser {
    this.ensureIndexed();
    if (this.byUserId.has(user.user_id) || this.byOpenId.has(user.open_id)) throw new Error(`sandbox org: user "${user.user_id}" exists`);
    this.userList.push(user);
    this.touch();
    return user;
  }

  updateUser(anyId: string, patch: Partial<FeishuUser>): FeishuUser {
    const user = this.user(anyId);
    Object.assign(user, patch);
    this.touch();
    return user;
  }

  /** Replaces the user's departments (any ids); the first becomes the primary one. */
  moveUser(anyId: string, departmentAnyIds: string[]): FeishuUser {
    const user = this.user(anyId);
    const openIds = departmentAnyIds.map((id) => (id === ROOT_DEPARTMENT_ID ? id : this.department(id).open_department_id));
    user.department_ids = openIds;
    user.orders = openIds.map((department_id, i) => ({
      department_id,
      user_order: 0,
      department_order: openIds.length - i,
      is_primary_dept: i === 0,
    }));
    this.touch();
    return user;
  }

  /** Feishu removes a resigned user from every department but keeps the record. */
  resignUser(anyId: string): FeishuUser {
    const user = this.user(anyId);
    user.status = { ...user.status, is_resigned: true, is_activated: false };
    user.department_ids = [];
    user.orders = [];
    this.touch();
    return user;
  }

  setFrozen(anyId: string, frozen = true): FeishuUser {
    const user = this.user(anyId);
    user.status = { ...user.status, is_frozen: frozen };
    this.touch();
    return user;
  }

  private touch(): void {
    this.currentVersion++;
  }

  private ensureIndexed(): void {
    if (this.indexedVersion === this.currentVersion) return;
    this.indexedVersion = this.currentVersion;
    this.byOpenId = new Map();
    this.byUserId = new Map();
    this.byUnionId = new Map();
    this.byOpenDepartmentId = new Map();
    this.byDepartmentId = new Map();
    this.childrenOf = new Map();
    this.membersOf = new Map();
    this.descendantsCache = new Map();
    this.root = this.makeRoot();
    for (const dept of this.departmentList) {
      this.byOpenDepartmentId.set(dept.open_department_id, dept);
      this.byDepartmentId.set(dept.department_id, dept);
      appendTo(this.childrenOf, dept.parent_department_id, dept);
      dept.member_count = 0;
      dept.primary_member_count = 0;
    }
    for (const list of this.childrenOf.values()) list.sort((a, b) => Number(a.order) - Number(b.order));
    for (const user of this.userList) {
      this.byOpenId.set(user.open_id, user);
      this.byUserId.set(user.user_id, user);
      this.byUnionId.set(user.union_id, user);
      if (user.status.is_resigned) continue;
      for (const deptId of user.department_ids) appendTo(this.membersOf, deptId, user);
      this.countMember(user);
    }
  }

  /** member_count includes sub-departments and counts a user once per department (§4). */
  private countMember(user: FeishuUser): void {
    const counted = new Set<string>();
    const primary = user.orders.find((o) => o.is_primary_dept)?.department_id ?? user.department_ids[0];
    for (const deptId of user.department_ids) {
      for (const ancestor of this.ancestorsUnindexed(deptId)) {
        if (counted.has(ancestor)) continue;
        counted.add(ancestor);
        const dept = ancestor === ROOT_DEPARTMENT_ID ? this.root : this.byOpenDepartmentId.get(ancestor);
        if (!dept) continue;
        dept.member_count++;
        if (deptId === primary) dept.primary_member_count++;
      }
    }
  }

  private ancestorsUnindexed(openDepartmentId: string): string[] {
    const chain = [ROOT_DEPARTMENT_ID];
    let dept = this.byOpenDepartmentId.get(openDepartmentId);
    while (dept && chain.length < 10_000) {
      chain.push(dept.open_department_id);
      dept = this.byOpenDepartmentId.get(dept.parent_department_id);
    }
    return chain;
  }

  private makeRoot(): FeishuDepartment {
    return {
      name: this.tenantName,
      i18n_name: { zh_cn: this.tenantName, en_us: this.tenantName, ja_jp: '' },
      parent_department_id: '',
      department_id: ROOT_DEPARTMENT_ID,
      open_department_id: ROOT_DEPARTMENT_ID,
      order: '0',
      unit_ids: [],
      member_count: 0,
      primary_member_count: 0,
      status: { is_deleted: false },
      leaders: [],
    };
  }
}

function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
