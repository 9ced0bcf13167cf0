import { SCOPES, WHOLE_CONTACT_SCOPES, type SandboxApp } from '../apps.js';
import { requireScope } from '../access.js';
import type { RequestContext } from '../context.js';
import type { EndpointName } from '../endpoint-names.js';
import { FEISHU, fail, type FeishuError } from '../errors.js';
import type { Org } from '../org.js';
import type { DepartmentIdType, FeishuDepartment, UserIdType } from '../org-types.js';
import type { ViewOptions } from '../projection.js';

/**
 * API-level permissions per contact endpoint, any one of which lets the call through (§4.1). Field
 * permissions (contact:user.base:readonly and the like) are **not** among them: they only decide
 * which fields come back (projection.ts). users/batch and departments/batch accept only
 * contact:contact.base:readonly.
 */
export const API_SCOPES = {
  user_get: [SCOPES.contactBase, ...WHOLE_CONTACT_SCOPES],
  users_batch: [SCOPES.contactBase],
  find_by_department: [SCOPES.contactBase, SCOPES.departmentOrganize, ...WHOLE_CONTACT_SCOPES],
  department_get: [SCOPES.contactBase, ...WHOLE_CONTACT_SCOPES],
  department_children: [SCOPES.contactBase, SCOPES.departmentOrganize, ...WHOLE_CONTACT_SCOPES],
  departments_batch: [SCOPES.contactBase],
  contact_scopes: [SCOPES.contactBase, SCOPES.contactAccessAsApp, SCOPES.contactReadAsApp],
} as const satisfies Partial<Record<EndpointName, readonly string[]>>;

/** 99991672 unless the app holds one of the endpoint's API-level permissions. */
export function requireApiScope(app: SandboxApp, endpoint: keyof typeof API_SCOPES): void {
  requireScope(app, ...API_SCOPES[endpoint]);
}

/** Batch endpoints take at most 50 ids (§4). */
export const MAX_BATCH_IDS = 50;

const USER_ID_TYPES: readonly string[] = ['open_id', 'union_id', 'user_id'];
const DEPARTMENT_ID_TYPES: readonly string[] = ['open_department_id', 'department_id'];

/**
 * user_id_type / department_id_type (§4). `user_id_type=user_id` additionally needs
 * contact:user.employee_id:readonly on every contact endpoint (§4.1): 99991672 naming it otherwise.
 */
export function viewOptions(ctx: RequestContext, app: SandboxApp): ViewOptions {
  const userIdType = ctx.query.get('user_id_type') || 'open_id';
  const departmentIdType = ctx.query.get('department_id_type') || 'open_department_id';
  if (!USER_ID_TYPES.includes(userIdType)) fail(FEISHU.contactParam, `user_id_type must be one of ${USER_ID_TYPES.join(', ')}`);
  if (!DEPARTMENT_ID_TYPES.includes(departmentIdType)) fail(FEISHU.contactParam, `department_id_type must be one of ${DEPARTMENT_ID_TYPES.join(', ')}`);
  if (userIdType === 'user_id') requireScope(app, SCOPES.userEmployeeId);
  return { app, userIdType: userIdType as UserIdType, departmentIdType: departmentIdType as DepartmentIdType };
}

/**
 * A department the app may read: unknown → 40015; outside the contact range (or the root without
 * "all members") → `outOfRange`, 40004 "no dept authority" by default. The children listing passes
 * 40014 "no parent dept authority": the department asked about is the parent of what it lists.
 * Which endpoint answers which of the two is not documented per endpoint (§4.1 lists both for the
 * department pages, HTTP 403) — UNVERIFIED; a client should treat them alike.
 */
export function visibleDepartment(ctx: RequestContext, org: Org, app: SandboxApp, id: string, type: DepartmentIdType, outOfRange: FeishuError = FEISHU.noDepartmentAuthority): FeishuDepartment {
  const dept = org.findDepartment(id, type);
  if (!dept) fail(FEISHU.departmentNotExist);
  const isRoot = dept.open_department_id === '0';
  if (isRoot ? app.contactScope !== 'all' : !ctx.state.range.canSeeDepartment(app, dept.open_department_id)) fail(outOfRange);
  return dept;
}

export function batchIds(ctx: RequestContext, param: string): string[] {
  const ids = ctx.query.getAll(param).filter(Boolean);
  if (!ids.length) fail(FEISHU.contactParam, `${param} is required`);
  if (ids.length > MAX_BATCH_IDS) fail(FEISHU.contactParam, `at most ${MAX_BATCH_IDS} ${param}`);
  return ids;
}
