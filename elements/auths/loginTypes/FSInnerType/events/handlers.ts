import { Code } from '../../../../../runtime/errcode.js';
import type { Directory } from '../directory.js';
import { FSInnerCodes, FSInnerErrors, isUserGone } from '../feishu-errors.js';
import type { FeishuApi, UserIdType } from '../feishu/api.js';
import type { FeishuContactUser, FeishuDepartment } from '../feishu/types.js';
import type { Leavers } from '../leavers.js';
import { idOf, keepWithheld, leaderIdsOf, profileFromContact, type DepartmentFacts } from '../profile.js';
import type { ApplyOutcome } from './applier.js';
import { FSInnerEventErrors } from './errors.js';

/**
 * Applies one recorded contact event to the local copy (feishu-events-and-scopes.md §2), with the
 * same mapping as a sync (profile.ts, directory.ts) and the same leaver rule (leavers.ts):
 *
 *   event type                      what changes                                                  ordered by
 *   contact.user.created_v3         upsert the user (event.object); settle                        the user
 *   contact.user.updated_v3         upsert the user (event.object, the state after); settle       the user
 *                                   (status is_frozen → frozen, is_resigned → resigned, back → active)
 *   contact.user.deleted_v3         resigned: status resigned, the rest kept; settle              the user
 *   contact.department.created_v3   upsert the department                                         the department
 *   contact.department.updated_v3   upsert; a new name or leaders reach its members               the department
 *   contact.department.deleted_v3   status deleted                                                the department
 *   contact.scope.updated_v3        added users and departments: upserted; removed users: gone;   each user and
 *                                   members of removed departments: read again, gone when Feishu   department
 *                                   no longer shows them; settle                                   on its own
 *   anything else (v1 included)     ignored: EVENT_UNHANDLED
 *
 * Ordering: each user and department row keeps eventAt, the create_time of the newest event applied
 * to it. An older event is stale and changes nothing; a newer or equal one applies and moves eventAt;
 * one without a readable create_time applies and leaves eventAt alone. (A sync neither reads nor
 * moves it: its data carries no event time.)
 * Withheld fields: what the payload leaves out (no field permission) keeps its stored value.
 * Ids: events name people by open_id and departments by open_department_id. Departments are stored
 * by open_department_id; people by userIdType: from the payload when it carries that id, else
 * from the directory by open_id, else from Feishu (GET user by open_id).
 * A missing object or id is EVENT_UNAPPLICABLE (failed at once); a Feishu failure is thrown (retried).
 */
export interface EventContext {
  directory: Directory;
  leavers: Leavers;
  api: FeishuApi;
  userIdType: UserIdType;
  /** Names and leaders of departments, stored or fetched (FSInnerType.departmentFacts). */
  departmentFacts(deptIds: string[]): Promise<Map<string, DepartmentFacts>>;
  /** Reads one stored user again from Feishu and settles them (FSInnerType.syncUserInfo with forceUpdate). */
  resyncUser(userId: string): Promise<void>;
}

export interface RecordedEvent {
  type: string;
  createTime: number | null;
  /** The stored envelope (token already stripped). */
  payload: Record<string, unknown>;
}

type Handler = (ctx: EventContext, event: RecordedEvent, body: Record<string, unknown>) => Promise<ApplyOutcome>;

const HANDLERS: Record<string, Handler> = {
  'contact.user.created_v3': (ctx, e, body) => userChanged(ctx, e, body),
  'contact.user.updated_v3': (ctx, e, body) => userChanged(ctx, e, body),
  'contact.user.deleted_v3': (ctx, e, body) => userChanged(ctx, e, body, { resigned: true }),
  'contact.department.created_v3': (ctx, e, body) => departmentChanged(ctx, e, body),
  'contact.department.updated_v3': (ctx, e, body) => departmentChanged(ctx, e, body),
  'contact.department.deleted_v3': (ctx, e, body) => departmentChanged(ctx, e, body, { deleted: true }),
  'contact.scope.updated_v3': scopeChanged,
};

/** The event types applied here (the long connection subscribes to exactly these). */
export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(HANDLERS);

export async function applyEvent(ctx: EventContext, event: RecordedEvent): Promise<ApplyOutcome> {
  const handler = Object.hasOwn(HANDLERS, event.type) ? HANDLERS[event.type] : undefined;
  if (!handler || event.payload['schema'] !== '2.0') return { status: 'ignored', reason: FSInnerEventErrors.EVENT_UNHANDLED.create({ type: event.type }) };
  const body = event.payload['event'];
  if (!isObject(body)) throw unapplicable(event, 'the envelope has no event body');
  return handler(ctx, event, body);
}

async function userChanged(ctx: EventContext, event: RecordedEvent, body: Record<string, unknown>, options: { resigned?: boolean } = {}): Promise<ApplyOutcome> {
  const object = isObject(body['object']) ? body['object'] : {};
  // deleted_v3 names the person in old_object as well (§2.2).
  const openId = object['open_id'] ?? (isObject(body['old_object']) ? body['old_object']['open_id'] : undefined);
  if (typeof openId !== 'string' || openId.length === 0) throw unapplicable(event, 'event.object.open_id is missing');
  const applied = await upsertUser(ctx, { ...(object as FeishuContactUser), open_id: openId }, event.createTime, options);
  if (applied === 'stale') return { status: 'stale' };
  await ctx.leavers.settle([applied.userId]);
  return { status: 'applied' };
}

/**
 * Stores what a user event says of one person. A resignation (deleted_v3) keeps the stored
 * departments: its object lists none ("实际无返回值", §2.2), which is not "in none".
 */
async function upsertUser(ctx: EventContext, given: FeishuContactUser, createTime: number | null, options: { resigned?: boolean } = {}): Promise<{ userId: string } | 'stale'> {
  const user: FeishuContactUser = options.resigned ? { ...given, department_ids: undefined, orders: undefined } : given;
  const userId = await userIdOf(ctx, user);
  const row = await ctx.directory.findUser(userId);
  if (isStale(row?.eventAt, createTime)) return 'stale';
  const fresh = profileFromContact(user, userId, await ctx.departmentFacts(user.department_ids ?? []));
  const stored = row ? await ctx.directory.storedProfile(row) : null;
  const profile = keepWithheld(fresh, user, stored);
  await ctx.directory.saveUser(userId, options.resigned ? { ...profile, status: 'resigned' } : profile, {
    synced: true,
    membershipsUnchanged: user.department_ids === undefined,
    ...(createTime !== null ? { eventAt: createTime } : {}),
  });
  return { userId };
}

async function departmentChanged(ctx: EventContext, event: RecordedEvent, body: Record<string, unknown>, options: { deleted?: boolean } = {}): Promise<ApplyOutcome> {
  const object = isObject(body['object']) ? body['object'] : isObject(body['old_object']) ? body['old_object'] : undefined;
  if (!object || typeof object['open_department_id'] !== 'string') throw unapplicable(event, 'event.object.open_department_id is missing');
  const applied = await upsertDepartment(ctx, object as unknown as FeishuDepartment, event.createTime, options);
  return { status: applied === 'stale' ? 'stale' : 'applied' };
}

/**
 * Stores what a department event says, the way a sync stores a department (department-sync.ts
 * toDepartmentRow), except that what the payload withholds keeps its stored value and leaders,
 * named by open_id in events, are stored in userIdType.
 */
async function upsertDepartment(ctx: EventContext, d: FeishuDepartment, createTime: number | null, options: { deleted?: boolean } = {}): Promise<'applied' | 'stale'> {
  const row = await ctx.directory.findDepartment(d.open_department_id);
  if (isStale(row?.eventAt, createTime)) return 'stale';
  const storedLeaders = row?.leaderIds == null ? null : (JSON.parse(row.leaderIds) as string[]);
  const leaderOpenIds = leaderIdsOf(d); // null: withheld (contact:department.organize:readonly)
  const leaderIds = leaderOpenIds === null ? (row ? storedLeaders : null) : await userIdsOf(ctx, leaderOpenIds);
  const leaderUserId = d.leader_user_id === undefined ? (row?.leaderUserId ?? null) : ((await userIdsOf(ctx, [d.leader_user_id]))?.[0] ?? null);
  const name = d.name ?? row?.name ?? null;
  await ctx.directory.saveDepartments(
    [
      {
        deptId: d.open_department_id,
        customId: d.department_id ?? row?.customId ?? null,
        name,
        parentId: d.parent_department_id ?? row?.parentId ?? null,
        leaderUserId,
        leaderIds,
        memberCount: d.member_count ?? row?.memberCount ?? null,
        // An int in department events, a string in scope events (§2.2); stored as the sync stores it.
        sortOrder: d.order === undefined || d.order === null ? (row?.sortOrder ?? null) : String(d.order),
        deleted: options.deleted === true || (d.status?.is_deleted ?? row?.status === 'deleted'),
      },
    ],
    createTime !== null ? { eventAt: createTime } : {},
  );
  // Members stored before the department was (a user event naming it first) learn its name and leaders too.
  const change: { name?: string | null; leaderIds?: string[] | null } = {};
  if (!row || name !== row.name) change.name = name;
  if (!row || JSON.stringify(leaderIds) !== JSON.stringify(storedLeaders)) change.leaderIds = leaderIds;
  if (Object.keys(change).length > 0) await ctx.directory.departmentChanged(d.open_department_id, change);
  return 'applied';
}

/**
 * The app's contact range changed (§2.2: added and removed, each with departments, users and
 * user groups). Who was added is upserted from the payload; who was removed is no longer visible to
 * the app: gone. Members of a removed department may still be in range some other way, so each is
 * read again from Feishu, as a sync rechecks the people it stopped seeing. Members of an added
 * department arrive with their own events or the next sync.
 */
async function scopeChanged(ctx: EventContext, event: RecordedEvent, body: Record<string, unknown>): Promise<ApplyOutcome> {
  const added = scopePart(body['added']);
  const removed = scopePart(body['removed']);
  const settle: string[] = [];
  let stale = 0;
  let applied = 0;
  const count = (result: unknown) => (result === 'stale' ? stale++ : applied++);

  for (const d of added.departments) count(await upsertDepartment(ctx, d, event.createTime));
  for (const u of added.users) {
    const result = await upsertUser(ctx, u, event.createTime);
    count(result);
    if (result !== 'stale') settle.push(result.userId);
  }

  const gone: string[] = [];
  for (const u of removed.users) {
    const userId = idOf(u, ctx.userIdType) ?? (u.open_id ? (await ctx.directory.findUserByOpenId(u.open_id))?.userId : undefined);
    if (!userId) continue; // never stored here: nothing to take away
    const row = await ctx.directory.findUser(userId);
    if (!row) continue;
    if (isStale(row.eventAt, event.createTime)) stale++;
    else gone.push(userId);
  }
  await ctx.directory.markUsersGone(gone, { eventAt: event.createTime });
  settle.push(...gone);
  applied += gone.length;

  const removedDepartments: string[] = [];
  for (const d of removed.departments) {
    const row = await ctx.directory.findDepartment(d.open_department_id);
    if (!row) continue;
    if (isStale(row.eventAt, event.createTime)) {
      stale++;
      continue;
    }
    await upsertDepartment(ctx, d, event.createTime, { deleted: true });
    removedDepartments.push(d.open_department_id);
    applied++;
  }
  // syncUserInfo settles each one itself.
  for (const userId of await ctx.directory.membersUnder(removedDepartments)) if (!gone.includes(userId)) await ctx.resyncUser(userId);

  if (settle.length > 0) await ctx.leavers.settle(settle);
  return { status: applied === 0 && stale > 0 ? 'stale' : 'applied' };
}

/** The userIdType id of the person a user event names. */
async function userIdOf(ctx: EventContext, user: FeishuContactUser): Promise<string> {
  const direct = idOf(user, ctx.userIdType);
  if (direct) return direct;
  const openId = user.open_id!;
  const known = await ctx.directory.findUserByOpenId(openId);
  if (known) return known.userId;
  const contact = await ctx.api.getUser(openId, 'open_id');
  const viaContact = idOf(contact, ctx.userIdType);
  if (viaContact) return viaContact;
  throw FSInnerErrors.PERMISSION_MISSING.create({ missing: `userIdType "${ctx.userIdType}" needs scope contact:user.employee_id:readonly` }, { scopes: ['contact:user.employee_id:readonly'] });
}

/**
 * open_ids (leaders in department events) as userIdType ids: from the directory, else from Feishu;
 * null (unknown) when one of them cannot be read, rather than a shorter list that would say
 * "does not lead". A Feishu failure other than a missing permission or an invisible user is thrown.
 */
async function userIdsOf(ctx: EventContext, openIds: string[]): Promise<string[] | null> {
  if (ctx.userIdType === 'open_id') return openIds;
  const known = await ctx.directory.userIdsByOpenId(openIds);
  const ids: string[] = [];
  for (const openId of openIds) {
    let id = known.get(openId);
    if (id === undefined) {
      try {
        id = idOf(await ctx.api.getUser(openId, 'open_id'), ctx.userIdType);
      } catch (err) {
        if (!(isUserGone(err) || (Code.is(err) && err.code === FSInnerCodes.PERMISSION_MISSING))) throw err;
      }
    }
    if (id === undefined) return null;
    ids.push(id);
  }
  return ids;
}

function scopePart(value: unknown): { users: FeishuContactUser[]; departments: FeishuDepartment[] } {
  const part = isObject(value) ? value : {};
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
  return {
    // open_id needs no permission (§4.2): a user without one is not a user record.
    users: list(part['users']).filter((u) => typeof u['open_id'] === 'string') as FeishuContactUser[],
    departments: list(part['departments']).filter((d) => typeof d['open_department_id'] === 'string') as unknown as FeishuDepartment[],
  };
}

/** Older than the newest event already applied to the same row. */
const isStale = (eventAt: number | null | undefined, createTime: number | null): boolean => createTime !== null && eventAt != null && createTime < eventAt;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const unapplicable = (event: RecordedEvent, problem: string) => FSInnerEventErrors.EVENT_UNAPPLICABLE.create({ type: event.type, problem });
