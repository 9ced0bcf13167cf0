import { avatarKey, sandboxAvatar } from '../avatars.js';
import type { FeishuUser } from '../org-types.js';
import { ROOT_DEPARTMENT_ID } from '../org-types.js';
import { stableHex } from '../random.js';
import type { ChangeContext, ChangeResult } from './change-context.js';
import { changedKeys, pickFields, userEventObject } from './payloads.js';

/**
 * User changes and the events they push (§2.1–§2.3). Per app, after field withholding:
 *
 * | change                      | event           | range checked on | payload                                           |
 * |-----------------------------|-----------------|------------------|---------------------------------------------------|
 * | add                         | user.created_v3 | after            | object                                            |
 * | update, move, freeze,       | user.updated_v3 | after            | object = after; old_object = the changed fields   |
 * |   unfreeze                  |                 |                  |   before, plus open_id                            |
 * | resign, delete              | user.deleted_v3 | before           | object (department_ids []); old_object            |
 * |                             |                 |                  |   {department_ids before, open_id}                |
 *
 * - A change the app cannot see (only fields withheld from it changed) pushes it nothing
 *   (UNVERIFIED; the conservative choice: an event that says nothing the app may read is not sent).
 * - mobile and email changes each come as an event of their own (D-U-UPD); the rest of the change
 *   comes first.
 * - old_object always has open_id (whether Feishu always puts ids there is UNVERIFIED, §8.4; key on
 *   object.open_id anyway).
 * - Resignation pushes deleted_v3 only, no updated_v3 with is_resigned (UNVERIFIED, §2.3: a handler
 *   must treat deleted_v3 as the resignation signal). Feishu's delete-user API *is* resignation
 *   (D-USER-DEL): the record stays readable with the resigned status, so both go one way here.
 * - A user moved out of the range gets no event: after the change the app may not read them
 *   (UNVERIFIED; a client reconciles with a sync).
 */

export interface NewUser {
  user_id: string;
  name: string;
  en_name?: string;
  /** Any department ids; the first is the primary one; default the root ("0"). */
  departments?: string[];
  email?: string;
  mobile?: string;
  enterprise_email?: string;
  job_title?: string;
  gender?: 0 | 1 | 2 | 3;
  /** Any id of the user's manager. */
  leader?: string;
  city?: string;
  country?: string;
  employee_type?: number;
}

const PATCHABLE = ['name', 'en_name', 'nickname', 'email', 'enterprise_email', 'mobile', 'job_title', 'gender', 'city', 'country', 'work_station', 'employee_no', 'employee_type', 'join_time'] as const;

export type UserPatch = Partial<Pick<FeishuUser, (typeof PATCHABLE)[number]>> & {
  /** Any id of the new manager; null removes the manager. */
  leader?: string | null;
};

/** Fields that get an event of their own (D-U-UPD). */
const SEPARATE_EVENT_FIELDS = ['mobile', 'email'];

export function createUser(ctx: ChangeContext, spec: NewUser): ChangeResult & { user: FeishuUser } {
  const { org } = ctx.state;
  if (typeof spec.user_id !== 'string' || !spec.user_id || typeof spec.name !== 'string' || !spec.name) throw new Error('user_id and name are required');
  for (const d of spec.departments ?? []) if (d !== ROOT_DEPARTMENT_ID) org.department(d); // throws before anything changes
  const user = org.addUser(newUserRecord(ctx, spec));
  if (spec.departments?.length) org.moveUser(user.user_id, spec.departments);
  const eventIds: string[] = [];
  for (const app of ctx.audience('contact.user.created_v3')) {
    if (!ctx.state.range.canSeeUser(app, user)) continue;
    eventIds.push(ctx.publish(app, 'contact.user.created_v3', { object: userEventObject(org, user, app) }));
  }
  return { user, eventIds };
}

export function updateUser(ctx: ChangeContext, anyId: string, patch: UserPatch): ChangeResult {
  const { org } = ctx.state;
  const unknown = Object.keys(patch).filter((k) => k !== 'leader' && !(PATCHABLE as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`cannot patch ${unknown.join(', ')} (ids are fixed; use move, freeze, unfreeze or resign for the rest)`);
  const leader = patch.leader === undefined ? undefined : patch.leader === null ? null : org.user(patch.leader).open_id;
  return changeUser(ctx, anyId, (user) => {
    const { leader: _ignored, ...fields } = patch;
    if (leader === null) delete user.leader_user_id;
    else if (leader) user.leader_user_id = leader;
    org.updateUser(user.open_id, fields);
  });
}

export function moveUser(ctx: ChangeContext, anyId: string, departments: string[]): ChangeResult {
  if (!Array.isArray(departments) || !departments.length || departments.some((d) => typeof d !== 'string')) throw new Error('departments must be a non-empty list of department ids');
  const { org } = ctx.state;
  if (org.user(anyId).status.is_resigned) throw new Error('a resigned user belongs to no department');
  return changeUser(ctx, anyId, (user) => org.moveUser(user.open_id, departments));
}

export function setUserFrozen(ctx: ChangeContext, anyId: string, frozen: boolean): ChangeResult {
  const { org } = ctx.state;
  if (org.user(anyId).status.is_resigned) throw new Error('the user has resigned');
  return changeUser(ctx, anyId, (user) => org.setFrozen(user.open_id, frozen));
}

export function resignUser(ctx: ChangeContext, anyId: string): ChangeResult {
  const { org, range } = ctx.state;
  const user = org.user(anyId);
  if (user.status.is_resigned) throw new Error('the user has already resigned');
  const apps = ctx.audience('contact.user.deleted_v3').filter((app) => range.canSeeUser(app, user));
  const before = new Map(apps.map((app) => [app, userEventObject(org, user, app)]));
  org.resignUser(user.open_id);
  const eventIds = apps.map((app) =>
    ctx.publish(app, 'contact.user.deleted_v3', {
      object: userEventObject(org, user, app),
      old_object: { ...pickFields(before.get(app)!, ['department_ids']), open_id: user.open_id },
    }),
  );
  return { eventIds };
}

function changeUser(ctx: ChangeContext, anyId: string, mutate: (user: FeishuUser) => void): ChangeResult {
  const { org, range } = ctx.state;
  const user = org.user(anyId);
  const apps = ctx.audience('contact.user.updated_v3');
  const before = new Map(apps.map((app) => [app, userEventObject(org, user, app)]));
  mutate(user);
  const eventIds: string[] = [];
  for (const app of apps) {
    if (!range.canSeeUser(app, user)) continue;
    const old = before.get(app)!;
    const after = userEventObject(org, user, app);
    const changed = changedKeys(old, after);
    const groups = [changed.filter((k) => !SEPARATE_EVENT_FIELDS.includes(k)), ...SEPARATE_EVENT_FIELDS.filter((k) => changed.includes(k)).map((k) => [k])];
    for (const group of groups.filter((g) => g.length)) {
      eventIds.push(ctx.publish(app, 'contact.user.updated_v3', { object: after, old_object: { ...pickFields(old, group), open_id: user.open_id } }));
    }
  }
  return { eventIds };
}

/** A user the way the generator makes them (org-generator.ts): the same id scheme, every field filled. */
function newUserRecord(ctx: ChangeContext, spec: NewUser): FeishuUser {
  const { org } = ctx.state;
  const tenantKey = org.tenantKey;
  const leader = spec.leader ? org.user(spec.leader).open_id : undefined;
  return {
    union_id: `on_${stableHex(`${tenantKey}:union:${spec.user_id}`)}`,
    user_id: spec.user_id,
    open_id: `ou_${stableHex(`${tenantKey}:open:${spec.user_id}`)}`,
    name: spec.name,
    en_name: spec.en_name ?? spec.name,
    nickname: '',
    email: spec.email ?? `${spec.user_id}@example.com`,
    enterprise_email: spec.enterprise_email ?? `${spec.user_id}@corp.example.com`,
    mobile: spec.mobile,
    mobile_visible: true,
    gender: spec.gender ?? 0,
    avatar: sandboxAvatar(ctx.state.avatarBaseUrl, avatarKey(tenantKey, spec.user_id)),
    status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
    department_ids: [ROOT_DEPARTMENT_ID],
    orders: [{ department_id: ROOT_DEPARTMENT_ID, user_order: 0, department_order: 1, is_primary_dept: true }],
    ...(leader ? { leader_user_id: leader } : {}),
    city: spec.city,
    country: spec.country ?? 'CN',
    join_time: Math.floor(ctx.state.now() / 1000),
    is_tenant_manager: false,
    employee_no: `E${String(org.users.length + 1).padStart(6, '0')}`,
    employee_type: spec.employee_type ?? 1,
    job_title: spec.job_title,
  };
}
