import type { SandboxApp } from './apps.js';
import type { Org } from './org.js';
import { ROOT_DEPARTMENT_ID, type FeishuDepartment, type FeishuUser } from './org-types.js';

interface Resolved {
  version: number;
  scope: SandboxApp['contactScope'];
  users: SandboxApp['contactUsers'];
  /** The listed departments, in the order listed, and the listed users: what GET /contact/v3/scopes names. */
  listedDepartments: FeishuDepartment[];
  listedUsers: FeishuUser[];
  /** open_department_ids of the listed departments and everything below them. */
  visible: Set<string>;
  /** open_ids of the users listed one by one. */
  visibleUsers: Set<string>;
}

/**
 * An app's contact range (§4.1, FD-DRES): "all members", or listed departments with everything below
 * them plus people listed one by one (`contactUsers`). The root "0" is visible only with "all".
 * Computed once per app and org version.
 */
export class ContactRange {
  private cache = new WeakMap<SandboxApp, Resolved>();

  constructor(private readonly org: Org) {}

  canSeeDepartment(app: SandboxApp, openDepartmentId: string): boolean {
    const range = this.resolve(app);
    return !range || range.visible.has(openDepartmentId);
  }

  /**
   * A user is visible through any of their departments or when listed themselves; a resigned user
   * (no departments) only with "all" or when listed.
   */
  canSeeUser(app: SandboxApp, user: FeishuUser): boolean {
    const range = this.resolve(app);
    return !range || range.visibleUsers.has(user.open_id) || user.department_ids.some((d) => range.visible.has(d));
  }

  /**
   * What `GET /contact/v3/scopes` lists (D-SCOPES): with "all members", the first-level departments
   * under the root and the root's direct users; otherwise exactly the departments and users listed,
   * sub-departments and members not expanded.
   */
  listing(app: SandboxApp): { departments: readonly FeishuDepartment[]; users: readonly FeishuUser[] } {
    const range = this.resolve(app);
    if (!range) return { departments: this.org.childDepartments(ROOT_DEPARTMENT_ID), users: this.org.directMembers(ROOT_DEPARTMENT_ID) };
    return { departments: range.listedDepartments, users: range.listedUsers };
  }

  private resolve(app: SandboxApp): Resolved | undefined {
    if (app.contactScope === 'all') return undefined;
    const cached = this.cache.get(app);
    if (cached && cached.version === this.org.version && cached.scope === app.contactScope && cached.users === app.contactUsers) return cached;
    const resolved: Resolved = { version: this.org.version, scope: app.contactScope, users: app.contactUsers, listedDepartments: [], listedUsers: [], visible: new Set(), visibleUsers: new Set() };
    for (const id of app.contactScope) {
      if (id === ROOT_DEPARTMENT_ID) continue;
      const dept = this.org.findDepartment(id, 'department_id') ?? this.org.findDepartment(id, 'open_department_id');
      if (!dept || resolved.listedDepartments.includes(dept)) continue;
      resolved.listedDepartments.push(dept);
      resolved.visible.add(dept.open_department_id);
      for (const below of this.org.descendantDepartments(dept.open_department_id)) resolved.visible.add(below.open_department_id);
    }
    for (const id of app.contactUsers ?? []) {
      const user = this.org.findUser(id, 'user_id') ?? this.org.findUser(id, 'open_id') ?? this.org.findUser(id, 'union_id');
      if (!user || resolved.visibleUsers.has(user.open_id)) continue;
      resolved.listedUsers.push(user);
      resolved.visibleUsers.add(user.open_id);
    }
    this.cache.set(app, resolved);
    return resolved;
  }
}
