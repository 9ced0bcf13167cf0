import { SCOPES, hasAnyScope, type SandboxApp } from './apps.js';
import type { Org } from './org.js';
import { ROOT_DEPARTMENT_ID, type DepartmentIdType, type FeishuDepartment, type FeishuUser, type UserIdType } from './org-types.js';

/**
 * What an app sees of a user or department: ids converted to the requested id types, and each
 * field group present only when the app holds its scope ("absent scope → field omitted", §4).
 *
 * Which scope gates which group is only partly documented (§3, §4); the split chosen here:
 * | group                                              | scopes                                                  |
 * |----------------------------------------------------|---------------------------------------------------------|
 * | ids, name, en_name, nickname, avatar, status       | any contact read scope (else the call fails: 99991672)  |
 * | user_id                                            | contact:user.employee_id:readonly                       |
 * | email                                              | contact:user.email:readonly                             |
 * | mobile, mobile_visible                             | contact:user.phone:readonly                             |
 * | department_ids, orders, leader_user_id             | contact:user.department:readonly or a whole-contact one |
 * | gender                                             | contact:user.gender:readonly or a whole-contact one     |
 * | job_title, employee_no/type, join_time, city, …    | contact:user.employee:readonly or a whole-contact one   |
 * Whole-contact scopes: contact:contact:readonly_as_app, contact:contact:readonly.
 */
export interface ViewOptions {
  app: SandboxApp;
  userIdType: UserIdType;
  departmentIdType: DepartmentIdType;
}

const WHOLE_CONTACT = [SCOPES.contactReadAsApp, SCOPES.contactRead];

export function userView(org: Org, user: FeishuUser, options: ViewOptions): Record<string, unknown> {
  const { app } = options;
  const view: Record<string, unknown> = {
    union_id: user.union_id,
    open_id: user.open_id,
    name: user.name,
    en_name: user.en_name,
    nickname: user.nickname,
    avatar: user.avatar,
    status: user.status,
  };
  if (hasAnyScope(app, SCOPES.userEmployeeId)) view.user_id = user.user_id;
  if (hasAnyScope(app, SCOPES.userEmail) && user.email) view.email = user.email;
  if (hasAnyScope(app, SCOPES.userPhone) && user.mobile) {
    view.mobile = user.mobile;
    view.mobile_visible = user.mobile_visible;
  }
  if (hasAnyScope(app, SCOPES.userDepartment, ...WHOLE_CONTACT)) {
    view.department_ids = user.department_ids.map((d) => departmentIdAs(org, d, options.departmentIdType));
    view.orders = user.orders.map((o) => ({ ...o, department_id: departmentIdAs(org, o.department_id, options.departmentIdType) }));
    if (user.leader_user_id) view.leader_user_id = userIdAs(org, user.leader_user_id, options.userIdType);
  }
  if (hasAnyScope(app, SCOPES.userGender, ...WHOLE_CONTACT)) view.gender = user.gender;
  if (hasAnyScope(app, SCOPES.userEmployee, ...WHOLE_CONTACT)) {
    Object.assign(view, {
      job_title: user.job_title,
      employee_no: user.employee_no,
      employee_type: user.employee_type,
      join_time: user.join_time,
      city: user.city,
      country: user.country,
      work_station: user.work_station,
      is_tenant_manager: user.is_tenant_manager,
      enterprise_email: user.enterprise_email,
    });
  }
  return view;
}

export function departmentView(org: Org, dept: FeishuDepartment, options: ViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = {
    name: dept.name,
    i18n_name: dept.i18n_name,
    parent_department_id: departmentIdAs(org, dept.parent_department_id, options.departmentIdType),
    department_id: dept.department_id,
    open_department_id: dept.open_department_id,
    order: dept.order,
    unit_ids: dept.unit_ids,
    member_count: dept.member_count,
    primary_member_count: dept.primary_member_count,
    status: dept.status,
    leaders: dept.leaders.map((l) => ({ leaderType: l.leaderType, leaderID: userIdAs(org, l.leaderID, options.userIdType) })),
  };
  if (dept.leader_user_id) view.leader_user_id = userIdAs(org, dept.leader_user_id, options.userIdType);
  if (dept.chat_id) view.chat_id = dept.chat_id;
  return view;
}

/** GET /authen/v1/user_info (§3): flat avatar fields, the tenant key, gated email/mobile/user_id/employee fields. */
export function userInfoView(org: Org, user: FeishuUser, app: SandboxApp): Record<string, unknown> {
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
  if (hasAnyScope(app, SCOPES.userEmail) && user.email) view.email = user.email;
  if (hasAnyScope(app, SCOPES.userPhone) && user.mobile) view.mobile = user.mobile;
  if (hasAnyScope(app, SCOPES.userEmployeeId)) view.user_id = user.user_id;
  if (hasAnyScope(app, SCOPES.userEmployee) && user.enterprise_email) view.enterprise_email = user.enterprise_email;
  if (hasAnyScope(app, SCOPES.userEmployee, ...WHOLE_CONTACT)) view.employee_no = user.employee_no;
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
