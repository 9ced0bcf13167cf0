import type { UserIdType } from './feishu/api.js';
import type { FeishuContactUser, FeishuDepartment, FeishuUserInfo } from './feishu/types.js';

export interface DepartmentRef {
  /** open_department_id. */
  id: string;
  /** The tenant's own department_id, when known. */
  customId: string | null;
  name: string | null;
  isLeader: boolean;
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
  departments: DepartmentRef[];
  position: string | null;
  gender: Gender | null;
  status: UserStatus;
  isLeader: boolean;
  localUserId: string;
}

/** getUserInfo's richer view of one person (contact v3). */
export interface FSInnerUserDetail extends Omit<FSInnerUserInfo, 'localUserId'> {
  enName: string | null;
  employeeNo: string | null;
  employeeType: number | null;
  managerUserId: string | null;
  avatars: { avatar72: string | null; avatar240: string | null; avatar640: string | null; avatarOrigin: string | null };
  statusFlags: { isFrozen: boolean; isResigned: boolean; isActivated: boolean; isExited: boolean; isUnjoin: boolean };
  localUserId: string | null;
}

export type Gender = 'unknown' | 'male' | 'female' | 'other';
export type UserStatus = 'active' | 'inactive' | 'frozen' | 'resigned' | 'gone';

/** Department facts needed to name a user's departments and tell if they lead one. */
export interface DepartmentFacts {
  name: string | null;
  customId: string | null;
  leaderIds: string[];
}

const GENDERS: Gender[] = ['unknown', 'male', 'female', 'other'];

export const genderOf = (gender: number | undefined): Gender | null => (gender === undefined ? null : (GENDERS[gender] ?? 'other'));

export function statusOf(status: FeishuContactUser['status']): UserStatus {
  if (!status) return 'active';
  if (status.is_resigned || status.is_exited) return 'resigned';
  if (status.is_frozen) return 'frozen';
  if (status.is_activated === false || status.is_unjoin) return 'inactive';
  return 'active';
}

/** Leaders of a department: the main leader and every entry of leaders[] (contract §4, "Is the user a department leader?"). */
export function leaderIdsOf(department: FeishuDepartment): string[] {
  const ids = new Set<string>();
  if (department.leader_user_id) ids.add(department.leader_user_id);
  for (const leader of department.leaders ?? []) if (leader.leaderID) ids.add(leader.leaderID);
  return [...ids];
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

/** Feishu-owned fields of FSInnerAuthModel, from a contact user and the facts of their departments. */
export function profileFromContact(user: FeishuContactUser, userId: string, departments: Map<string, DepartmentFacts>) {
  const primary = primaryDepartmentId(user);
  const refs: DepartmentRef[] = (user.department_ids ?? []).map((id) => {
    const facts = departments.get(id);
    return { id, customId: facts?.customId ?? null, name: facts?.name ?? null, isLeader: facts?.leaderIds.includes(userId) ?? false, isPrimary: id === primary };
  });
  return {
    openId: user.open_id ?? null,
    unionId: user.union_id ?? null,
    name: user.name ?? null,
    mobile: user.mobile ?? null,
    email: user.email ?? user.enterprise_email ?? null,
    avatar: user.avatar?.avatar_240 ?? user.avatar?.avatar_72 ?? null,
    department: refs.find((r) => r.isPrimary)?.name ?? null,
    departments: refs,
    position: user.job_title ?? null,
    gender: genderOf(user.gender),
    status: statusOf(user.status),
    isLeader: refs.some((r) => r.isLeader),
    employeeNo: user.employee_no ?? null,
  };
}

export type ContactProfile = ReturnType<typeof profileFromContact>;

/** What user_info alone tells (used when the app has no contact permission). */
export function profileFromUserInfo(info: FeishuUserInfo): ContactProfile {
  return {
    openId: info.open_id,
    unionId: info.union_id ?? null,
    name: info.name ?? null,
    mobile: info.mobile ?? null,
    email: info.email ?? info.enterprise_email ?? null,
    avatar: info.avatar_middle ?? info.avatar_url ?? null,
    department: null,
    departments: [],
    position: null,
    gender: null,
    status: 'active',
    isLeader: false,
    employeeNo: info.employee_no ?? null,
  };
}
