import { SCOPES, type SandboxApp } from '../apps.js';
import { requireScope } from '../access.js';
import type { RequestContext } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import type { Org } from '../org.js';
import type { DepartmentIdType, FeishuDepartment, UserIdType } from '../org-types.js';
import type { ViewOptions } from '../projection.js';

export const USER_READ_SCOPES = [SCOPES.userBase, SCOPES.contactReadAsApp, SCOPES.contactRead];
export const DEPARTMENT_READ_SCOPES = [SCOPES.departmentBase, SCOPES.contactReadAsApp, SCOPES.contactRead];

/** Batch endpoints take at most 50 ids (§4). */
export const MAX_BATCH_IDS = 50;

const USER_ID_TYPES: readonly string[] = ['open_id', 'union_id', 'user_id'];
const DEPARTMENT_ID_TYPES: readonly string[] = ['open_department_id', 'department_id'];

/** user_id_type / department_id_type (§4); asking for user_id needs the employee-id scope. */
export function viewOptions(ctx: RequestContext, app: SandboxApp): ViewOptions {
  const userIdType = ctx.query.get('user_id_type') || 'open_id';
  const departmentIdType = ctx.query.get('department_id_type') || 'open_department_id';
  if (!USER_ID_TYPES.includes(userIdType)) fail(FEISHU.contactParam, `user_id_type must be one of ${USER_ID_TYPES.join(', ')}`);
  if (!DEPARTMENT_ID_TYPES.includes(departmentIdType)) fail(FEISHU.contactParam, `department_id_type must be one of ${DEPARTMENT_ID_TYPES.join(', ')}`);
  if (userIdType === 'user_id') requireScope(app, SCOPES.userEmployeeId);
  return { app, userIdType: userIdType as UserIdType, departmentIdType: departmentIdType as DepartmentIdType };
}

/** A department the app may read: unknown → 40015, outside the contact range (or the root without "all") → 40004. */
export function visibleDepartment(ctx: RequestContext, org: Org, app: SandboxApp, id: string, type: DepartmentIdType): FeishuDepartment {
  const dept = org.findDepartment(id, type);
  if (!dept) fail(FEISHU.departmentNotExist);
  const isRoot = dept.open_department_id === '0';
  if (isRoot ? app.contactScope !== 'all' : !ctx.state.range.canSeeDepartment(app, dept.open_department_id)) {
    fail(FEISHU.noDepartmentAuthority);
  }
  return dept;
}

export function batchIds(ctx: RequestContext, param: string): string[] {
  const ids = ctx.query.getAll(param).filter(Boolean);
  if (!ids.length) fail(FEISHU.contactParam, `${param} is required`);
  if (ids.length > MAX_BATCH_IDS) fail(FEISHU.contactParam, `at most ${MAX_BATCH_IDS} ${param}`);
  return ids;
}
