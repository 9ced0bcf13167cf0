import type { SandboxApp } from '../apps.js';
import type { NewDepartment } from '../org.js';
import type { ChangeContext, ChangeResult } from './change-context.js';
import { createDepartment, deleteDepartment, moveDepartment, updateDepartment, type DepartmentPatch } from './department-changes.js';
import { setContactRange, type ContactRangeChange } from './scope-changes.js';
import { createUser, moveUser, resignUser, setUserFrozen, updateUser, type NewUser, type UserPatch } from './user-changes.js';

/**
 * Org changes as a Feishu admin makes them: each one changes the org (or an app's contact range) and
 * pushes the matching contact events to every app entitled to them (`sandbox.changes`, and the
 * /_sandbox/org/… control routes). Editing `sandbox.org` directly stays silent — handy to set a
 * scene up, never what Feishu does.
 */
export class OrgChanges {
  constructor(private readonly ctx: ChangeContext) {}

  addUser(spec: NewUser): ChangeResult & { openId: string } {
    const { user, eventIds } = createUser(this.ctx, spec);
    return { openId: user.open_id, eventIds };
  }

  updateUser(anyId: string, patch: UserPatch): ChangeResult {
    return updateUser(this.ctx, anyId, patch);
  }

  /** Replaces the user's departments (any ids; the first is the primary one). */
  moveUser(anyId: string, departments: string[]): ChangeResult {
    return moveUser(this.ctx, anyId, departments);
  }

  freezeUser(anyId: string): ChangeResult {
    return setUserFrozen(this.ctx, anyId, true);
  }

  unfreezeUser(anyId: string): ChangeResult {
    return setUserFrozen(this.ctx, anyId, false);
  }

  resignUser(anyId: string): ChangeResult {
    return resignUser(this.ctx, anyId);
  }

  /** Feishu's delete-user API is resignation (D-USER-DEL): the same change and event. */
  deleteUser(anyId: string): ChangeResult {
    return resignUser(this.ctx, anyId);
  }

  addDepartment(spec: NewDepartment): ChangeResult & { openDepartmentId: string } {
    const { department, eventIds } = createDepartment(this.ctx, spec);
    return { openDepartmentId: department.open_department_id, eventIds };
  }

  updateDepartment(anyId: string, patch: DepartmentPatch): ChangeResult {
    return updateDepartment(this.ctx, anyId, patch);
  }

  moveDepartment(anyId: string, parent: string): ChangeResult {
    return moveDepartment(this.ctx, anyId, parent);
  }

  /** Only an empty department (no members, no children), as Feishu requires. */
  deleteDepartment(anyId: string): ChangeResult {
    return deleteDepartment(this.ctx, anyId);
  }

  setContactRange(appId: string, change: ContactRangeChange): ChangeResult {
    const app = this.ctx.state.apps.find((a: SandboxApp) => a.appId === appId);
    if (!app) throw new Error(`no app "${appId}"`);
    return setContactRange(this.ctx, app, change);
  }
}

export type { ContactRangeChange, DepartmentPatch, NewUser, UserPatch };
