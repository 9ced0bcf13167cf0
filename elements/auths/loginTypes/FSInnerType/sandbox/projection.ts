import { SCOPES, WHOLE_CONTACT_SCOPES, hasAnyScope, type SandboxApp } from './apps.js';
import type { Org } from './org.js';
import { ROOT_DEPARTMENT_ID, type DepartmentIdType, type FeishuDepartment, type FeishuUser, type UserIdType } from './org-types.js';

/**
 * What an app sees of a user or department: ids converted to the requested id types, and each
 * field present only when the app holds one of the permissions that unlock it (contract
 * feishu-events-and-scopes.md §4.2). A withheld field is **absent** from the JSON: the docs say
 * such fields are "returned only once the matching permission is enabled"; absent rather than
 * empty is UNVERIFIED, and the stricter choice (a client must not read a missing field as false,
 * zero or "active"). B3 = the whole-contact permissions (WHOLE_CONTACT_SCOPES).
 *
 * Users (users/:id, users/batch, find_by_department):
 * | field(s)                                                          | needs (any one)                                   |
 * |-------------------------------------------------------------------|---------------------------------------------------|
 * | open_id, union_id, mobile_visible                                 | nothing                                           |
 * | user_id                                                           | contact:user.employee_id:readonly (not B3)        |
 * | name, en_name, nickname, avatar                                   | contact:user.base:readonly, B3                    |
 * | email                                                             | contact:user.email:readonly only                  |
 * | mobile                                                            | contact:user.phone:readonly only                  |
 * | gender                                                            | contact:user.gender:readonly, B3                  |
 * | status, job_title, enterprise_email, city, country, work_station, | contact:user.employee:readonly, B3                |
 * |   join_time, is_tenant_manager, employee_type                     |                                                   |
 * | employee_no                                                       | contact:user.employee_number:read, …employee, B3  |
 * | department_ids, orders, leader_user_id                            | contact:user.department:readonly, B3              |
 *
 * Departments (departments/:id, children, batch):
 * | field(s)                                                          | needs (any one)                                   |
 * |-------------------------------------------------------------------|---------------------------------------------------|
 * | open_department_id, leaders[].leaderType                          | nothing                                           |
 * | name, i18n_name, department_id, chat_id, status                   | contact:department.base:readonly, B3              |
 * | parent_department_id, leader_user_id, order, unit_ids,            | contact:department.organize:readonly, B3          |
 * |   member_count, primary_member_count, leaders[].leaderID          |                                                   |
 *
 * user_info (GET /authen/v1/user_info): email (user.email), mobile (user.phone), user_id
 * (user.employee_id), enterprise_email (user.employee), employee_no (user.employee, B3).
 */
export interface ViewOptions {
  app: SandboxApp;
  userIdType: UserIdType;
  departmentIdType: DepartmentIdType;
}

const B3 = WHOLE_CONTACT_SCOPES;

export function userView(org: Org, user: FeishuUser, options: ViewOptions): Record<string, unknown> {
  const can = (...scopes: string[]) => hasAnyScope(options.app, ...scopes);
  const view: Record<string, unknown> = {
    union_id: user.union_id,
    open_id: user.open_id,
    mobile_visible: user.mobile_visible,
  };
  if (can(SCOPES.userEmployeeId)) view.user_id = user.user_id;
  if (can(SCOPES.userBase, ...B3)) {
    Object.assign(view, { name: user.name, en_name: user.en_name, avatar: user.avatar });
    if (user.nickname !== undefined) view.nickname = user.nickname;
  }
  if (can(SCOPES.userEmail) && user.email) view.email = user.email;
  if (can(SCOPES.userPhone) && user.mobile) view.mobile = user.mobile;
  if (can(SCOPES.userGender, ...B3)) view.gender = user.gender;
  if (can(SCOPES.userEmployee, ...B3)) {
    Object.assign(view, {
      status: user.status,
      job_title: user.job_title,
      employee_type: user.employee_type,
      join_time: user.join_time,
      city: user.city,
      country: user.country,
      work_station: user.work_station,
      is_tenant_manager: user.is_tenant_manager,
      enterprise_email: user.enterprise_email,
    });
  }
  if (can(SCOPES.userEmployeeNumber, SCOPES.userEmployee, ...B3)) view.employee_no = user.employee_no;
  if (can(SCOPES.userDepartment, ...B3)) {
    view.department_ids = user.department_ids.map((d) => departmentIdAs(org, d, options.departmentIdType));
    view.orders = user.orders.map((o) => ({ ...o, department_id: departmentIdAs(org, o.department_id, options.departmentIdType) }));
    if (user.leader_user_id) view.leader_user_id = userIdAs(org, user.leader_user_id, options.userIdType);
  }
  return view;
}

export function departmentView(org: Org, dept: FeishuDepartment, options: ViewOptions): Record<string, unknown> {
  const can = (...scopes: string[]) => hasAnyScope(options.app, ...scopes);
  const organize = can(SCOPES.departmentOrganize, ...B3);
  const view: Record<string, unknown> = {
    open_department_id: dept.open_department_id,
    leaders: dept.leaders.map((l) => (organize ? { leaderType: l.leaderType, leaderID: userIdAs(org, l.leaderID, options.userIdType) } : { leaderType: l.leaderType })),
  };
  if (can(SCOPES.departmentBase, ...B3)) {
    Object.assign(view, { name: dept.name, i18n_name: dept.i18n_name, department_id: dept.department_id, status: dept.status });
    if (dept.chat_id) view.chat_id = dept.chat_id;
  }
  if (organize) {
    Object.assign(view, {
      parent_department_id: departmentIdAs(org, dept.parent_department_id, options.departmentIdType),
      order: dept.order,
      unit_ids: dept.unit_ids,
      member_count: dept.member_count,
      primary_member_count: dept.primary_member_count,
    });
    if (dept.leader_user_id) view.leader_user_id = userIdAs(org, dept.leader_user_id, options.userIdType);
  }
  return view;
}

/** GET /authen/v1/user_info (§4.2): flat avatar fields and the tenant key always; the gated fields as above. */
export function userInfoView(org: Org, user: FeishuUser, app: SandboxApp): Record<string, unknown> {
  const can = (...scopes: string[]) => hasAnyScope(app, ...scopes);
  const view: Record<string, unknown> = {
    name: user.name,
    en_name: user.en_name,
    avatar_url: user.avatar.avatar_origin,
    avatar_thumb: user.avatar.avatar_72,
    avatar_middle: user.avatar.avatar_240,
    avatar_big: user.avatar.avatar_640,
    open_id: user.open_id,
    union_id: user.union_id,
    tenant_key: org.tenantKey,
  };
  if (can(SCOPES.userEmail) && user.email) view.email = user.email;
  if (can(SCOPES.userPhone) && user.mobile) view.mobile = user.mobile;
  if (can(SCOPES.userEmployeeId)) view.user_id = user.user_id;
  if (can(SCOPES.userEmployee) && user.enterprise_email) view.enterprise_email = user.enterprise_email;
  if (can(SCOPES.userEmployee, ...B3)) view.employee_no = user.employee_no;
  return view;
}

export function userIdAs(org: Org, openId: string, type: UserIdType): string {
  if (type === 'open_id') return openId;
  return org.findUser(openId, 'open_id')?.[type] ?? openId;
}

export function departmentIdAs(org: Org, openDepartmentId: string, type: DepartmentIdType): string {
  if (type === 'open_department_id' || openDepartmentId === ROOT_DEPARTMENT_ID || openDepartmentId === '') return openDepartmentId;
  return org.findDepartment(openDepartmentId, 'open_department_id')?.department_id ?? openDepartmentId;
}
