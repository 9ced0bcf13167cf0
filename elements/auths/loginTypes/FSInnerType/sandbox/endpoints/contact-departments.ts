import { appOfBearer, authenticateContactCaller } from '../access.js';
import { FEISHU } from '../errors.js';
import type { RequestContext, Route } from '../context.js';
import { json } from '../http.js';
import { pageOf, pageOffset, pageSize } from '../paging.js';
import { departmentView } from '../projection.js';
import { batchIds, requireApiScope, viewOptions, visibleDepartment } from './contact-common.js';

/**
 * GET /contact/v3/departments/:department_id → data.department. "0" answers a virtual root (with
 * the "all members" range only): the docs contradict each other on whether the root can be
 * fetched (§4, UNVERIFIED), so a client should not depend on it.
 */
function getDepartment(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'department_get');
  const options = viewOptions(ctx, app);
  const dept = visibleDepartment(ctx, ctx.state.org, app, ctx.params[0]!, options.departmentIdType);
  return json({ code: 0, msg: 'success', data: { department: departmentView(ctx.state.org, dept, options) } });
}

/**
 * GET …/departments/:department_id/children; fetch_child=true lists every level, breadth first. A
 * parent outside the contact range (the root included, without "all members") → 40014.
 */
function children(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'department_children');
  const options = viewOptions(ctx, app);
  const size = pageSize(ctx.query);
  const parent = visibleDepartment(ctx, ctx.state.org, app, ctx.params[0]!, options.departmentIdType, FEISHU.noParentDepartmentAuthority);
  const recursive = ctx.query.get('fetch_child') === 'true';
  const listing = `children:${parent.open_department_id}:${recursive}`;
  const offset = pageOffset(ctx.query, listing);
  const org = ctx.state.org;
  const all = recursive ? org.descendantDepartments(parent.open_department_id) : org.childDepartments(parent.open_department_id);
  return json({ code: 0, msg: 'success', data: pageOf(all, offset, size, listing, (d) => departmentView(org, d, options)) });
}

/** GET …/departments/batch?department_ids=…: unknown or out-of-range ids are left out (UNVERIFIED). */
function batchDepartments(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'departments_batch');
  const options = viewOptions(ctx, app);
  const items = [];
  for (const id of batchIds(ctx, 'department_ids')) {
    const dept = ctx.state.org.findDepartment(id, options.departmentIdType);
    if (dept && dept.open_department_id !== '0' && ctx.state.range.canSeeDepartment(app, dept.open_department_id)) {
      items.push(departmentView(ctx.state.org, dept, options));
    }
  }
  return json({ code: 0, msg: 'success', data: items.length ? { items } : {} });
}

export const contactDepartmentRoutes: Route[] = [
  { name: 'departments_batch', method: 'GET', path: '/open-apis/contact/v3/departments/batch', style: 'open', appOf: appOfBearer, handle: batchDepartments },
  { name: 'department_children', method: 'GET', path: /^\/open-apis\/contact\/v3\/departments\/([^/]+)\/children$/, style: 'open', appOf: appOfBearer, handle: children },
  // "special" rate (§7): unpublished; the sandbox assumes the standard 1000/min & 50/s (rate-limiter.ts).
  { name: 'department_get', method: 'GET', path: /^\/open-apis\/contact\/v3\/departments\/([^/]+)$/, style: 'open', appOf: appOfBearer, handle: getDepartment },
];
