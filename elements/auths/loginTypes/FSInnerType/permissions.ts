import type { FSInnerConfig } from './config.js';

/**
 * The Feishu permissions this element relies on, per feature, and what each one costs when it is
 * missing (events-and-scopes notes §4.1 for API-level permissions, §4.2 for field permissions).
 * checkConfig (preflight.ts) reports against this catalogue; the README's "Going live" list is
 * PERMISSIONS' values, and the sandbox's demo grant equals it (tests compare all three).
 *
 * Two kinds, reported apart:
 * - API-level: without one of them the endpoint answers 99991672 and the call fails (48001);
 * - field: the call works, but Feishu leaves the fields out, and they are stored as unknown (null).
 */
export const PERMISSIONS = {
  /** API-level: every contact v3 call; departments/batch (and users/batch) accept nothing else. */
  contactBase: 'contact:contact.base:readonly',
  userBase: 'contact:user.base:readonly',
  userEmail: 'contact:user.email:readonly',
  userPhone: 'contact:user.phone:readonly',
  userGender: 'contact:user.gender:readonly',
  /** The user_id field, and user_id_type=user_id on every contact call (API-level then). */
  userEmployeeId: 'contact:user.employee_id:readonly',
  userEmployee: 'contact:user.employee:readonly',
  userDepartment: 'contact:user.department:readonly',
  departmentBase: 'contact:department.base:readonly',
  departmentOrganize: 'contact:department.organize:readonly',
} as const;

/** "B3": whole-contact permissions that stand in for most field permissions and for some API-level ones (§4). */
export const WHOLE_CONTACT = ['contact:contact:access_as_app', 'contact:contact:readonly', 'contact:contact:readonly_as_app'] as const;

export type Level = 'api' | 'field';

/**
 * How checkConfig finds out whether a requirement is met: by calling an endpoint (a 99991672
 * means the API-level permission is missing), or by looking for fields in what Feishu returned
 * (a field that is always sent when granted, or any sample having it).
 */
export type Evidence =
  | { api: 'user_get' | 'departments_batch' | 'department_get' | 'department_listings' }
  | { userFields: readonly string[]; alwaysSent: boolean }
  | { departmentFields: readonly string[]; alwaysSent: boolean };

export interface Requirement {
  /** The exact permission to enable: the narrowest that does. */
  permission: string;
  /** Others that would do instead (any one). */
  alternatives: readonly string[];
  level: Level;
  evidence: Evidence;
  /** What the feature loses while it is missing. */
  cost: string;
  /** Without it the feature does not work at all. */
  fatal: boolean;
}

export type FeatureName = 'login' | 'inClientLogin' | 'userDetails' | 'departmentSync';

export interface Feature {
  name: FeatureName;
  title: string;
  requirements: Requirement[];
  notes: string[];
}

const P = PERMISSIONS;
const B3 = WHOLE_CONTACT;

const USER_ID_FIELD: Evidence = { userFields: ['user_id'], alwaysSent: true };

/** The catalogue for one config: userIdType "user_id" adds contact:user.employee_id:readonly everywhere, as a fatal need. */
export function features(config: Pick<FSInnerConfig, 'userIdType' | 'syncRootDepartments'>): Feature[] {
  const userIdType = config.userIdType === 'user_id';
  const login: Requirement[] = [
    ...(userIdType ? [{ permission: P.userEmployeeId, alternatives: [], level: 'field', evidence: USER_ID_FIELD, fatal: true, cost: 'userIdType "user_id": neither user_info nor the contact record carries user_id, so every login fails with 48001' } as const] : []),
    { permission: P.contactBase, alternatives: B3, level: 'api', evidence: { api: 'user_get' }, fatal: false, cost: 'sign-in works from user_info alone: department, position, status, gender and leader flag stay unknown' },
    { permission: P.userEmail, alternatives: [], level: 'field', evidence: { userFields: ['email'], alwaysSent: false }, fatal: false, cost: 'email stays empty; binding "match" cannot match by email' },
    { permission: P.userPhone, alternatives: [], level: 'field', evidence: { userFields: ['mobile'], alwaysSent: false }, fatal: false, cost: 'mobile stays empty; binding "match" cannot match by mobile' },
  ];
  const userDetails: Requirement[] = [
    ...(userIdType ? [{ permission: P.userEmployeeId, alternatives: [], level: 'api', evidence: USER_ID_FIELD, fatal: true, cost: 'userIdType "user_id": getUserInfo and syncUserInfo ask with user_id_type=user_id and fail with 48001' } as const] : []),
    { permission: P.contactBase, alternatives: B3, level: 'api', evidence: { api: 'user_get' }, fatal: true, cost: 'getUserInfo and syncUserInfo fail with 48001; sign-in stores no details' },
    { permission: P.contactBase, alternatives: [], level: 'api', evidence: { api: 'departments_batch' }, fatal: false, cost: 'departments/batch accepts no other permission: department names and leader flags stay unknown unless a department sync stored them' },
    { permission: P.userBase, alternatives: B3, level: 'field', evidence: { userFields: ['name', 'avatar'], alwaysSent: true }, fatal: false, cost: 'name, English name and avatar unknown (sign-in still has them from user_info)' },
    { permission: P.userEmployee, alternatives: B3, level: 'field', evidence: { userFields: ['status'], alwaysSent: true }, fatal: false, cost: 'status unknown (statusFlags null: resigned and frozen people are not recognised); position, employee number and type empty' },
    { permission: P.userDepartment, alternatives: B3, level: 'field', evidence: { userFields: ['department_ids'], alwaysSent: true }, fatal: false, cost: 'departments, primary department, manager and leader flag unknown' },
    { permission: P.departmentBase, alternatives: B3, level: 'field', evidence: { departmentFields: ['name'], alwaysSent: true }, fatal: false, cost: 'department names empty' },
    { permission: P.departmentOrganize, alternatives: B3, level: 'field', evidence: { departmentFields: ['parent_department_id'], alwaysSent: true }, fatal: false, cost: "leader flags (isLeader) unknown: departments' leaders are withheld" },
    { permission: P.userGender, alternatives: B3, level: 'field', evidence: { userFields: ['gender'], alwaysSent: true }, fatal: false, cost: 'gender unknown' },
    { permission: P.userEmail, alternatives: [], level: 'field', evidence: { userFields: ['email'], alwaysSent: false }, fatal: false, cost: 'email empty' },
    { permission: P.userPhone, alternatives: [], level: 'field', evidence: { userFields: ['mobile'], alwaysSent: false }, fatal: false, cost: 'mobile empty' },
  ];
  const fromRoots = config.syncRootDepartments !== undefined;
  const departmentSync: Requirement[] = [
    ...(userIdType ? [{ permission: P.userEmployeeId, alternatives: [], level: 'api', evidence: USER_ID_FIELD, fatal: true, cost: 'userIdType "user_id": every listing asks with user_id_type=user_id and fails with 48001' } as const] : []),
    { permission: P.contactBase, alternatives: [P.departmentOrganize, ...B3], level: 'api', evidence: { api: 'department_listings' }, fatal: true, cost: 'departments/:id/children and users/find_by_department answer 99991672: the sync fails with 48001' },
    fromRoots
      ? { permission: P.contactBase, alternatives: B3, level: 'api', evidence: { api: 'department_get' }, fatal: true, cost: 'syncRootDepartments: the roots cannot be read, the sync fails with 48001' }
      : { permission: P.contactBase, alternatives: B3, level: 'api', evidence: { api: 'department_get' }, fatal: false, cost: 'syncDepartmentInfo({ deptId }) and syncRootDepartments fail with 48001' },
    { permission: P.contactBase, alternatives: B3, level: 'api', evidence: { api: 'user_get' }, fatal: false, cost: 'people who drop out of the listings (resigned, deleted, out of range) cannot be looked up: such a sync fails instead of marking them' },
    { permission: P.departmentBase, alternatives: B3, level: 'field', evidence: { departmentFields: ['name'], alwaysSent: true }, fatal: false, cost: 'department names and custom ids empty' },
    { permission: P.departmentOrganize, alternatives: B3, level: 'field', evidence: { departmentFields: ['parent_department_id'], alwaysSent: true }, fatal: false, cost: 'parents (the org tree), leaders, member counts and order unknown' },
    { permission: P.userEmployee, alternatives: B3, level: 'field', evidence: { userFields: ['status'], alwaysSent: true }, fatal: false, cost: 'status unknown: resigned and frozen people are not recognised, onLeave never disables their accounts' },
    { permission: P.userDepartment, alternatives: B3, level: 'field', evidence: { userFields: ['department_ids'], alwaysSent: true }, fatal: false, cost: "memberships unknown: the stored ones are left as they were" },
    { permission: P.userBase, alternatives: B3, level: 'field', evidence: { userFields: ['name', 'avatar'], alwaysSent: true }, fatal: false, cost: 'names and avatars empty' },
  ];
  return [
    { name: 'login', title: 'Login (QR code and redirect)', requirements: login, notes: ['The details stored at sign-in need the permissions of "user details".'] },
    {
      name: 'inClientLogin',
      title: 'Login inside the Feishu client',
      requirements: login,
      notes: ['No permission beyond those of login. The page URL must be listed under Security Settings → Redirect URLs (the client checks it, error 10236); that cannot be checked from the server.'],
    },
    { name: 'userDetails', title: 'User details (getUserInfo, syncUserInfo: status, position, leader)', requirements: userDetails, notes: [] },
    { name: 'departmentSync', title: 'Department sync with leaders and parents (syncDepartmentInfo)', requirements: departmentSync, notes: [] },
  ];
}

/** Every permission some feature relies on: the "Going live" list. */
export const REQUIRED_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);
