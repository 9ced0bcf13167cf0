import { appOfBearer, authenticateContactCaller } from '../access.js';
import type { RequestContext, Route } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { json } from '../http.js';
import { pageOf, pageOffset, pageSize } from '../paging.js';
import { userView } from '../projection.js';
import { batchIds, requireApiScope, viewOptions, visibleDepartment } from './contact-common.js';

/** GET /contact/v3/users/:user_id → data.user; unknown → 41012, outside the contact range → 41050 (HTTP 400). */
function getUser(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'user_get');
  const options = viewOptions(ctx, app);
  const user = ctx.state.org.findUser(ctx.params[0]!, options.userIdType);
  if (!user) fail(FEISHU.userIdInvalid);
  if (!ctx.state.range.canSeeUser(app, user)) fail(FEISHU.noUserAuthority);
  return json({ code: 0, msg: 'success', data: { user: userView(ctx.state.org, user, options) } });
}

/**
 * GET /contact/v3/users/batch?user_ids=…&user_ids=… → data.items, in request order. Ids that are
 * unknown or out of range are left out rather than failing the batch (not documented — UNVERIFIED).
 */
function batchUsers(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'users_batch');
  const options = viewOptions(ctx, app);
  const ids = batchIds(ctx, 'user_ids');
  const items = [];
  for (const id of ids) {
    const user = ctx.state.org.findUser(id, options.userIdType);
    if (user && ctx.state.range.canSeeUser(app, user)) items.push(userView(ctx.state.org, user, options));
  }
  return json({ code: 0, msg: 'success', data: items.length ? { items } : {} });
}

/** GET /contact/v3/users/find_by_department: direct members only, paged (§4). */
function findByDepartment(ctx: RequestContext) {
  const { app } = authenticateContactCaller(ctx);
  requireApiScope(app, 'find_by_department');
  const options = viewOptions(ctx, app);
  const id = ctx.query.get('department_id');
  if (!id) fail(FEISHU.contactParam, 'department_id is required');
  const size = pageSize(ctx.query);
  const dept = visibleDepartment(ctx, ctx.state.org, app, id, options.departmentIdType);
  const listing = `users:${dept.open_department_id}`;
  const offset = pageOffset(ctx.query, listing);
  const members = ctx.state.org.directMembers(dept.open_department_id);
  return json({ code: 0, msg: 'success', data: pageOf(members, offset, size, listing, (u) => userView(ctx.state.org, u, options)) });
}

export const contactUserRoutes: Route[] = [
  // Fixed paths first: "batch" and "find_by_department" would otherwise match /users/:user_id.
  { name: 'users_batch', method: 'GET', path: '/open-apis/contact/v3/users/batch', style: 'open', appOf: appOfBearer, handle: batchUsers },
  { name: 'find_by_department', method: 'GET', path: '/open-apis/contact/v3/users/find_by_department', style: 'open', appOf: appOfBearer, handle: findByDepartment },
  { name: 'user_get', method: 'GET', path: /^\/open-apis\/contact\/v3\/users\/([^/]+)$/, style: 'open', appOf: appOfBearer, handle: getUser },
];
