import type { SandboxApp } from '../apps.js';
import type { Org } from '../org.js';
import type { FeishuDepartment, FeishuUser } from '../org-types.js';
import { departmentView, userView, type ViewOptions } from '../projection.js';

/**
 * The objects inside contact events, as one app may see them (§2.2). Field withholding is the read
 * APIs' own (projection.ts), so an event never shows a field that `GET /contact/v3/users/:id` would
 * hide from the same app. Ids are fixed: users and leaders as open_id, departments as
 * open_department_id — there is no `*_id_type` knob on events.
 *
 * | object                          | built from          | differences from the read API                  |
 * |---------------------------------|---------------------|------------------------------------------------|
 * | user_event (user.*_v3)          | userView            | none                                           |
 * | department_event (department.*) | departmentView      | `order` is an int; no i18n_name, member counts |
 * | scope departments / users       | departmentView / userView | none (`order` stays a string here)       |
 */
const fixedIds = (app: SandboxApp): ViewOptions => ({ app, userIdType: 'open_id', departmentIdType: 'open_department_id' });

export function userEventObject(org: Org, user: FeishuUser, app: SandboxApp): Record<string, unknown> {
  return structuredClone(userView(org, user, fixedIds(app)));
}

const DEPARTMENT_EVENT_FIELDS = ['name', 'parent_department_id', 'department_id', 'open_department_id', 'leader_user_id', 'chat_id', 'order', 'unit_ids', 'status', 'leaders'] as const;

export function departmentEventObject(org: Org, dept: FeishuDepartment, app: SandboxApp): Record<string, unknown> {
  const view = departmentView(org, dept, fixedIds(app));
  const object: Record<string, unknown> = {};
  for (const key of DEPARTMENT_EVENT_FIELDS) if (key in view) object[key] = structuredClone(view[key]);
  if (typeof object.order === 'string') object.order = Number(object.order);
  return object;
}

export function scopeDepartmentObject(org: Org, dept: FeishuDepartment, app: SandboxApp): Record<string, unknown> {
  return structuredClone(departmentView(org, dept, fixedIds(app)));
}

/** Keys whose values differ between two views, a key present in only one of them included. */
export function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/** The fields of `view` named by `keys` (those it has). */
export function pickFields(view: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (key in view) picked[key] = view[key];
  return picked;
}
