import type { SandboxApp } from '../apps.js';
import { ROOT_DEPARTMENT_ID } from '../org-types.js';
import type { ChangeContext, ChangeResult } from './change-context.js';
import { scopeDepartmentObject, userEventObject } from './payloads.js';

/**
 * An admin changes an app's contact range (通讯录权限范围) → contact.scope.updated_v3 to that app
 * alone (D-SCOPE-EV), `{added, removed}`, each `{departments, users, user_groups}`.
 *
 * What goes in each list is not documented beyond the shape (UNVERIFIED). The sandbox names things
 * at the grain `GET /contact/v3/scopes` lists them (contact-range.ts), and only what really changed
 * for the app:
 *
 * | list     | holds                                                                           |
 * |----------|---------------------------------------------------------------------------------|
 * | added    | departments / users the range now lists that the app could not see before      |
 * | removed  | departments / users the range listed before that the app cannot see any more   |
 *
 * So "all members" → [engineering] removes the other first-level departments and the root's own
 * members; [platform] → [engineering] adds engineering and removes nothing (platform is still
 * visible). user_groups is always [] (the sandbox has none). Objects carry the app's field
 * permissions, like the read APIs. No change visible to the app → no event.
 */

export interface ContactRangeChange {
  contactScope: SandboxApp['contactScope'];
  contactUsers?: string[];
}

export function setContactRange(ctx: ChangeContext, app: SandboxApp, change: ContactRangeChange): ChangeResult {
  const { org, range } = ctx.state;
  validate(ctx, change);
  const before: SandboxApp = { ...app };
  app.contactScope = change.contactScope === 'all' ? 'all' : [...change.contactScope];
  app.contactUsers = change.contactUsers ? [...change.contactUsers] : undefined;
  if (!ctx.audience('contact.scope.updated_v3').includes(app)) return { eventIds: [] };

  const was = range.listing(before);
  const now = range.listing(app);
  const added = {
    departments: now.departments.filter((d) => !range.canSeeDepartment(before, d.open_department_id)),
    users: now.users.filter((u) => !range.canSeeUser(before, u)),
  };
  const removed = {
    departments: was.departments.filter((d) => !range.canSeeDepartment(app, d.open_department_id)),
    users: was.users.filter((u) => !range.canSeeUser(app, u)),
  };
  if (!added.departments.length && !added.users.length && !removed.departments.length && !removed.users.length) return { eventIds: [] };
  const scope = (part: typeof added) => ({
    departments: part.departments.map((d) => scopeDepartmentObject(org, d, app)),
    users: part.users.map((u) => userEventObject(org, u, app)),
    user_groups: [],
  });
  return { eventIds: [ctx.publish(app, 'contact.scope.updated_v3', { added: scope(added), removed: scope(removed) })] };
}

/** Unknown ids would silently narrow the range (ContactRange skips them): refuse them instead. */
function validate(ctx: ChangeContext, change: ContactRangeChange): void {
  const { org } = ctx.state;
  if (change.contactScope !== 'all') {
    if (!Array.isArray(change.contactScope)) throw new Error('contactScope must be "all" or a list of department ids');
    for (const id of change.contactScope) if (id !== ROOT_DEPARTMENT_ID) org.department(String(id));
  }
  if (change.contactUsers !== undefined) {
    if (!Array.isArray(change.contactUsers)) throw new Error('contactUsers must be a list of user ids');
    for (const id of change.contactUsers) org.user(String(id));
  }
}
