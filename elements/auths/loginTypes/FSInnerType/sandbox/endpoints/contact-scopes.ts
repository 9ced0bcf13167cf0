import { SCOPES, hasAnyScope } from '../apps.js';
import { appOfBearer, authenticateTenantCaller } from '../access.js';
import type { RequestContext, Route } from '../context.js';
import { json } from '../http.js';
import { pageOffset, pageSize, pageToken, type PageLimits } from '../paging.js';
import { departmentIdAs, userIdAs } from '../projection.js';
import { requireApiScope, viewOptions } from './contact-common.js';

/** §4.1: page_size 1–100, default 50 (40011 otherwise). */
const SCOPES_PAGE: PageLimits = { default: 50, max: 100 };

/**
 * GET /open-apis/contact/v3/scopes (D-SCOPES): the app's contact range, tenant token only.
 * "All members" lists the first-level departments under the root and the root's direct users; a
 * limited range lists exactly the departments and users in it, not expanded. Within a page
 * user_ids come first, then department_ids (then group_ids: the sandbox has no user groups); their
 * combined length is at most page_size. Empty lists are left out (UNVERIFIED, as for `items`).
 *
 * The doc attaches contact:user.employee_id:readonly to `user_ids`; whether that holds beyond
 * user_id_type=user_id is UNVERIFIED, so the sandbox withholds `user_ids` without it (the stricter
 * reading).
 */
function listScopes(ctx: RequestContext) {
  const { app } = authenticateTenantCaller(ctx);
  requireApiScope(app, 'contact_scopes');
  const options = viewOptions(ctx, app);
  const size = pageSize(ctx.query, SCOPES_PAGE);
  const offset = pageOffset(ctx.query, 'scopes');
  const { departments, users } = ctx.state.range.listing(app);
  const org = ctx.state.org;
  const visibleUsers = hasAnyScope(app, SCOPES.userEmployeeId) ? users : [];
  const all = [...visibleUsers.map((u) => ({ user: userIdAs(org, u.open_id, options.userIdType) })), ...departments.map((d) => ({ department: departmentIdAs(org, d.open_department_id, options.departmentIdType) }))];
  const slice = all.slice(offset, offset + size);
  const hasMore = offset + size < all.length;
  const data: Record<string, unknown> = {};
  const userIds = slice.flatMap((e) => ('user' in e ? [e.user] : []));
  const departmentIds = slice.flatMap((e) => ('department' in e ? [e.department] : []));
  if (userIds.length) data.user_ids = userIds;
  if (departmentIds.length) data.department_ids = departmentIds;
  data.has_more = hasMore;
  if (hasMore) data.page_token = pageToken('scopes', offset + size);
  return json({ code: 0, msg: 'success', data });
}

export const contactScopesRoute: Route = {
  name: 'contact_scopes',
  method: 'GET',
  path: '/open-apis/contact/v3/scopes',
  style: 'open',
  appOf: appOfBearer,
  handle: listScopes,
};
