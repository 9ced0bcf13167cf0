import { ROOT_DEPARTMENT_ID, type UserIdType } from './feishu/api.js';
import type { FeishuContactUser, FeishuDepartment, FeishuUserInfo } from './feishu/types.js';
import type { FSInnerAuthModel } from './models.js';

export interface DepartmentRef {
  /** open_department_id. */
  id: string;
  /** The tenant's own department_id, when known. */
  customId: string | null;
  name: string | null;
  /** null: unknown, the app cannot read this department's leaders (contact:department.organize:readonly) or the department. */
  isLeader: boolean | null;
  isPrimary: boolean;
}

/** What the seed's getLoginCode returns, plus ids and the local account. */
export interface FSInnerUserInfo {
  userId: string;
  openId: string | null;
  unionId: string | null;
  name: string | null;
  mobile: string | null;
  email: string | null;
  avatar: string | null;
  /** Name of the primary department. */
  department: string | null;
  /** null: unknown, the app cannot read the user's departments (contact:user.department:readonly). */
  departments: DepartmentRef[] | null;
  position: string | null;
  gender: Gender | null;
  /** null: unknown, the app cannot read it (contact:user.employee:readonly); never taken for "active". */
  status: UserStatus | null;
  /** Leads one of their departments; null when that cannot be told (see DepartmentRef.isLeader). */
  isLeader: boolean | null;
  localUserId: string;
}

/** getUserInfo's richer view of one person (contact v3). */
export interface FSInnerUserDetail extends Omit<FSInnerUserInfo, 'localUserId'> {
  enName: string | null;
  employeeNo: string | null;
  employeeType: number | null;
  managerUserId: string | null;
  avatars: { avatar72: string | null; avatar240: string | null; avatar640: string | null; avatarOrigin: string | null };
  /** null when the app cannot read the status (contact:user.employee:readonly). */
  statusFlags: { isFrozen: boolean; isResigned: boolean; isActivated: boolean; isExited: boolean; isUnjoin: boolean } | null;
  localUserId: string | null;
}

export type Gender = 'unknown' | 'male' | 'female' | 'other';
export type UserStatus = 'active' | 'inactive' | 'frozen' | 'resigned' | 'gone';

/** Department facts needed to name a user's departments and tell if they lead one. */
export interface DepartmentFacts {
  name: string | null;
  customId: string | null;
  /** null: unknown, the leaders were withheld (contact:department.organize:readonly). */
  leaderIds: string[] | null;
}

const GENDERS: Gender[] = ['unknown', 'male', 'female', 'other'];

export const genderOf = (gender: number | undefined): Gender | null => (gender === undefined ? null : (GENDERS[gender] ?? 'other'));

/** A missing status is unknown, not "active": Feishu withholds it without contact:user.employee:readonly (events-and-scopes notes §4.2). */
export function statusOf(status: FeishuContactUser['status']): UserStatus | null {
  if (!status) return null;
  if (status.is_resigned || status.is_exited) return 'resigned';
  if (status.is_frozen) return 'frozen';
  if (status.is_activated === false || status.is_unjoin) return 'inactive';
  return 'active';
}

/**
 * Leaders of a department: the main leader and every entry of leaders[] (contract §4, "Is the user a
 * department leader?"); null when they were withheld. leader_user_id and leaders[].leaderID come
 * with parent_department_id under contact:department.organize:readonly (events-and-scopes notes
 * §4.2), so a department that names no leader and has no parent field is one whose leaders the app
 * cannot see, not one without leaders.
 */
export function leaderIdsOf(department: FeishuDepartment): string[] | null {
  const ids = new Set<string>();
  if (department.leader_user_id) ids.add(department.leader_user_id);
  for (const leader of department.leaders ?? []) if (leader.leaderID) ids.add(leader.leaderID);
  if (ids.size === 0 && department.parent_department_id === undefined) return null;
  return [...ids];
}

/** Facts about a department as Feishu sent it; withheld fields stay null. */
export function departmentFactsOf(department: FeishuDepartment): DepartmentFacts {
  return { name: department.name ?? null, customId: department.department_id ?? null, leaderIds: leaderIdsOf(department) };
}

/**
 * Whether a user leads a department, from the department's facts; null when they are unknown. The
 * root "0" is virtual (contract §4) and leads no one: membership of it is never leadership.
 */
export function leadsDepartment(departmentId: string, facts: DepartmentFacts | undefined, userId: string): boolean | null {
  if (departmentId === ROOT_DEPARTMENT_ID) return false;
  return facts?.leaderIds ? facts.leaderIds.includes(userId) : null;
}

/** Leads any of these departments: true if one says so, false only if every one says not, else unknown. */
export function leadsAny(departments: DepartmentRef[] | null): boolean | null {
  if (departments === null) return null;
  if (departments.some((d) => d.isLeader === true)) return true;
  return departments.every((d) => d.isLeader === false) ? false : null;
}

/** The primary department: flagged in orders[], else the largest department_order, else the first listed. */
export function primaryDepartmentId(user: FeishuContactUser): string | undefined {
  const orders = user.orders ?? [];
  const flagged = orders.find((o) => o.is_primary_dept)?.department_id;
  if (flagged) return flagged;
  const byOrder = [...orders].sort((a, b) => (b.department_order ?? 0) - (a.department_order ?? 0))[0]?.department_id;
  return byOrder ?? user.department_ids?.[0];
}

export const idOf = (user: { user_id?: string; open_id?: string; union_id?: string }, type: UserIdType): string | undefined => user[type];

/**
 * Feishu-owned fields of FSInnerAuthModel, from a contact user and the facts of their departments.
 * A field Feishu withheld (no permission for it) is null, never a default.
 */
export function profileFromContact(user: FeishuContactUser, userId: string, departments: Map<string, DepartmentFacts>): ContactProfile {
  const primary = primaryDepartmentId(user);
  const refs: DepartmentRef[] | null =
    user.department_ids?.map((id) => {
      const facts = departments.get(id);
      return { id, customId: facts?.customId ?? null, name: facts?.name ?? null, isLeader: leadsDepartment(id, facts, userId), isPrimary: id === primary };
    }) ?? null;
  return {
    openId: user.open_id ?? null,
    unionId: user.union_id ?? null,
    name: user.name ?? null,
    mobile: user.mobile ?? null,
    email: user.email ?? user.enterprise_email ?? null,
    avatar: user.avatar?.avatar_240 ?? user.avatar?.avatar_72 ?? null,
    department: refs?.find((r) => r.isPrimary)?.name ?? null,
    departments: refs,
    position: user.job_title ?? null,
    gender: genderOf(user.gender),
    status: statusOf(user.status),
    isLeader: leadsAny(refs),
    employeeNo: user.employee_no ?? null,
  };
}

/** What login, sync and getUserInfo know of a person: the seed's fields (null when unknown) and the employee number. */
export type ContactProfile = Omit<FSInnerUserInfo, 'userId' | 'localUserId'> & { employeeNo: string | null };

/**
 * The contact record's fields each profile field comes from in profileFromContact. A record that
 * lacks all of them withheld that field (no field permission), which says nothing about its value.
 */
const SOURCES: { readonly [Key in keyof ContactProfile]: ReadonlyArray<keyof FeishuContactUser> } = {
  openId: ['open_id'],
  unionId: ['union_id'],
  name: ['name'],
  mobile: ['mobile'],
  email: ['email', 'enterprise_email'],
  avatar: ['avatar'],
  department: ['department_ids'],
  departments: ['department_ids'],
  position: ['job_title'],
  gender: ['gender'],
  status: ['status'],
  isLeader: ['department_ids'],
  employeeNo: ['employee_no'],
};

/**
 * A profile from a contact record that may leave fields out (a contact event, which carries only
 * what the app's field permissions allow): what the record withheld keeps its stored value rather
 * than becoming unknown. A field the record carries, even empty, is taken as it is.
 */
export function keepWithheld(fresh: ContactProfile, user: FeishuContactUser, stored: ContactProfile | null): ContactProfile {
  if (!stored) return fresh;
  const merged: Record<string, unknown> = { ...fresh };
  for (const [key, sources] of Object.entries(SOURCES)) {
    if (sources.every((field) => user[field] === undefined)) merged[key] = stored[key as keyof ContactProfile];
  }
  return merged as ContactProfile;
}

/** The Feishu-owned fields a stored user row holds, as a profile's (departments come from the memberships). */
export function storedProfile(row: FSInnerAuthModel): Partial<ContactProfile> {
  return {
    name: row.name,
    mobile: row.mobile,
    email: row.email,
    avatar: row.avatar,
    department: row.department,
    position: row.position,
    gender: row.gender as ContactProfile['gender'],
    status: row.status as ContactProfile['status'],
    employeeNo: row.employeeNo,
  };
}

/** Each field from `first` unless it is unknown there, then from `second` (e.g. the contact record, then user_info). */
export function preferKnown(first: ContactProfile, second: ContactProfile): ContactProfile {
  const merged = { ...second };
  for (const key of Object.keys(first) as Array<keyof ContactProfile>) {
    if (first[key] !== null && first[key] !== undefined) (merged as Record<string, unknown>)[key] = first[key];
  }
  return merged;
}

/** What user_info alone tells: identity, name, avatar and the gated email/mobile/employee no.; nothing of departments or status. */
export function profileFromUserInfo(info: FeishuUserInfo): ContactProfile {
  return {
    openId: info.open_id,
    unionId: info.union_id ?? null,
    name: info.name ?? null,
    mobile: info.mobile ?? null,
    email: info.email ?? info.enterprise_email ?? null,
    avatar: info.avatar_middle ?? info.avatar_url ?? null,
    department: null,
    departments: null,
    position: null,
    gender: null,
    status: null,
    isLeader: null,
    employeeNo: info.employee_no ?? null,
  };
}
