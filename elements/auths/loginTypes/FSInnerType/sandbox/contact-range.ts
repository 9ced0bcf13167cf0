import type { SandboxApp } from './apps.js';
import type { Org } from './org.js';
import { ROOT_DEPARTMENT_ID, type FeishuUser } from './org-types.js';

/**
 * An app's contact range (§4, FD-DRES): "all members", or listed departments with everything below
 * them. The root "0" is visible only with "all". Computed once per app and org version.
 */
export class ContactRange {
  private cache = new WeakMap<SandboxApp, { version: number; scope: string[]; visible: Set<string> }>();

  constructor(private readonly org: Org) {}

  canSeeDepartment(app: SandboxApp, openDepartmentId: string): boolean {
    const visible = this.visible(app);
    return !visible || visible.has(openDepartmentId);
  }

  /** A user is visible through any of their departments; a resigned user (no departments) only with "all". */
  canSeeUser(app: SandboxApp, user: FeishuUser): boolean {
    const visible = this.visible(app);
    return !visible || user.department_ids.some((d) => visible.has(d));
  }

  private visible(app: SandboxApp): Set<string> | undefined {
    if (app.contactScope === 'all') return undefined;
    const cached = this.cache.get(app);
    if (cached && cached.version === this.org.version && cached.scope === app.contactScope) return cached.visible;
    const visible = new Set<string>();
    for (const id of app.contactScope) {
      if (id === ROOT_DEPARTMENT_ID) continue;
      const dept = this.org.findDepartment(id, 'department_id') ?? this.org.findDepartment(id, 'open_department_id');
      if (!dept) continue;
      visible.add(dept.open_department_id);
      for (const below of this.org.descendantDepartments(dept.open_department_id)) visible.add(below.open_department_id);
    }
    this.cache.set(app, { version: this.org.version, scope: app.contactScope, visible });
    return visible;
  }
}
