import type { NewDepartment } from '../org.js';
import { ROOT_DEPARTMENT_ID, type FeishuDepartment } from '../org-types.js';
import type { ChangeContext, ChangeResult } from './change-context.js';
import { changedKeys, departmentEventObject, pickFields } from './payloads.js';

/**
 * Department changes and the events they push (§2.1, §2.2). Per app, after field withholding:
 *
 * | change               | event                 | range checked on | payload                                         |
 * |----------------------|-----------------------|------------------|-------------------------------------------------|
 * | add                  | department.created_v3 | after            | object                                          |
 * | update, move         | department.updated_v3 | after            | object = after; old_object = the whole object   |
 * |                      |                       |                  |   before (the doc does not say "changed only")  |
 * | delete (empty only)  | department.deleted_v3 | before           | object (status.is_deleted true); old_object     |
 * |                      |                       |                  |   {status {is_deleted false}, open_department_id} |
 *
 * - Whether the contact range applies to department events is UNVERIFIED (§8.4); it does here, on
 *   the department itself: a department moved out of the range gets no event (conservative).
 * - Moving a department moves its subtree, yet only the moved department gets an event
 *   (UNVERIFIED: whether Feishu tells about the descendants is not documented).
 * - A change the app cannot see (withheld fields only) pushes it nothing (UNVERIFIED, conservative).
 */

export interface DepartmentPatch {
  name?: string;
  en_name?: string;
  order?: number | string;
  chat_id?: string;
  /** Any id of the new main leader; null removes the leaders. */
  leader?: string | null;
}

export function createDepartment(ctx: ChangeContext, spec: NewDepartment): ChangeResult & { department: FeishuDepartment } {
  const { org, range } = ctx.state;
  if (typeof spec.department_id !== 'string' || !spec.department_id || typeof spec.name !== 'string' || !spec.name) throw new Error('department_id and name are required');
  const department = org.addDepartment(spec);
  const eventIds: string[] = [];
  for (const app of ctx.audience('contact.department.created_v3')) {
    if (!range.canSeeDepartment(app, department.open_department_id)) continue;
    eventIds.push(ctx.publish(app, 'contact.department.created_v3', { object: departmentEventObject(org, department, app) }));
  }
  return { department, eventIds };
}

export function updateDepartment(ctx: ChangeContext, anyId: string, patch: DepartmentPatch): ChangeResult {
  const { org } = ctx.state;
  const unknown = Object.keys(patch).filter((k) => !['name', 'en_name', 'order', 'chat_id', 'leader'].includes(k));
  if (unknown.length) throw new Error(`cannot patch ${unknown.join(', ')} (use move to change the parent)`);
  const leader = patch.leader ? org.user(patch.leader).open_id : patch.leader;
  return changeDepartment(ctx, anyId, (dept) => {
    const next: Parameters<typeof org.updateDepartment>[1] = {};
    if (patch.name !== undefined || patch.en_name !== undefined) {
      next.name = patch.name ?? dept.name;
      next.i18n_name = { ...dept.i18n_name, zh_cn: next.name, ...(patch.en_name !== undefined ? { en_us: patch.en_name } : {}) };
    }
    if (patch.order !== undefined) next.order = String(patch.order);
    if (patch.chat_id !== undefined) next.chat_id = patch.chat_id;
    if (leader !== undefined) {
      next.leader_user_id = leader ?? undefined;
      next.leaders = leader ? [{ leaderType: 1, leaderID: leader }, ...dept.leaders.filter((l) => l.leaderType === 2 && l.leaderID !== leader)] : [];
    }
    org.updateDepartment(dept.open_department_id, next);
  });
}

export function moveDepartment(ctx: ChangeContext, anyId: string, parent: string): ChangeResult {
  if (typeof parent !== 'string' || !parent) throw new Error('parent is required ("0" is the root)');
  const { org } = ctx.state;
  return changeDepartment(ctx, anyId, (dept) => org.moveDepartment(dept.open_department_id, parent));
}

export function deleteDepartment(ctx: ChangeContext, anyId: string): ChangeResult {
  const { org, range } = ctx.state;
  const dept = org.department(anyId);
  if (dept.open_department_id === ROOT_DEPARTMENT_ID) throw new Error('the root department cannot be deleted');
  const apps = ctx.audience('contact.department.deleted_v3').filter((app) => range.canSeeDepartment(app, dept.open_department_id));
  const before = new Map(apps.map((app) => [app, departmentEventObject(org, dept, app)]));
  org.removeDepartment(dept.open_department_id);
  const deleted: FeishuDepartment = { ...dept, status: { is_deleted: true } };
  const eventIds = apps.map((app) =>
    ctx.publish(app, 'contact.department.deleted_v3', {
      object: departmentEventObject(org, deleted, app),
      old_object: pickFields(before.get(app)!, ['status', 'open_department_id']),
    }),
  );
  return { eventIds };
}

function changeDepartment(ctx: ChangeContext, anyId: string, mutate: (dept: FeishuDepartment) => void): ChangeResult {
  const { org, range } = ctx.state;
  const dept = org.department(anyId);
  if (dept.open_department_id === ROOT_DEPARTMENT_ID) throw new Error('the root department is the tenant; it cannot be changed here');
  const apps = ctx.audience('contact.department.updated_v3');
  const before = new Map(apps.map((app) => [app, departmentEventObject(org, dept, app)]));
  mutate(dept);
  const eventIds: string[] = [];
  for (const app of apps) {
    if (!range.canSeeDepartment(app, dept.open_department_id)) continue;
    const old = before.get(app)!;
    const after = departmentEventObject(org, dept, app);
    if (!changedKeys(old, after).length) continue;
    eventIds.push(ctx.publish(app, 'contact.department.updated_v3', { object: after, old_object: old }));
  }
  return { eventIds };
}
