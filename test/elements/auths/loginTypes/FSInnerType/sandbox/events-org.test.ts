import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { SCOPES, startSandbox, type EventEnvelope, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { control, deliveries, settled, startReceiver, type Receiver } from './event-helpers.js';
import { getJson, tenantToken } from './helpers.js';

// Org changes through the control API push contact events (§2) — to the apps entitled to them, with
// the fields each may read. One receiver collects every app's webhook pushes; envelopes say whose.
const FULL = 'cli_events_full'; // the demo grant, whole tenant
const BARE = 'cli_events_bare'; // contact:contact.base:readonly only: every gated field withheld
const NO_API = 'cli_events_noapi'; // field permissions, and contact:contact:readonly — not one of the event's three
const AS_APP = 'cli_events_asapp'; // contact:contact:readonly_as_app only
const RANGED = 'cli_events_ranged'; // the demo grant, contact range = engineering
const APPS = [FULL, BARE, NO_API, AS_APP, RANGED];

let sandbox: Sandbox;
let receiver: Receiver;

beforeEach(async () => {
  sandbox = await startSandbox({
    apps: [
      { appId: FULL },
      { appId: BARE, scopes: [SCOPES.contactBase] },
      { appId: NO_API, scopes: [SCOPES.contactRead, SCOPES.userBase, SCOPES.userEmail, SCOPES.userEmployee] },
      { appId: AS_APP, scopes: [SCOPES.contactReadAsApp] },
      { appId: RANGED, contactScope: ['engineering'] },
    ],
  });
  receiver = await startReceiver();
  for (const appId of APPS) {
    const saved = await control(sandbox, 'POST', `/_sandbox/apps/${appId}/events`, { mode: 'webhook', callbackUrl: receiver.url, verificationToken: `vt-${appId}` });
    expect(saved.status).toBe(200);
  }
});
afterEach(async () => {
  await sandbox.close();
  await receiver.close();
});

/** Makes a change, waits until its pushes are answered, and returns the envelopes per app. */
async function change(method: string, path: string, body?: unknown): Promise<Record<string, EventEnvelope[]>> {
  const reply = await control(sandbox, method, path, body);
  expect(reply).toMatchObject({ status: 200, body: { ok: true } });
  await settled(sandbox, reply.body.eventIds);
  const byApp: Record<string, EventEnvelope[]> = Object.fromEntries(APPS.map((a) => [a, []]));
  for (const envelope of receiver.envelopes().filter((e) => reply.body.eventIds.includes(e.header.event_id))) byApp[envelope.header.app_id]!.push(envelope);
  return byApp;
}

const od = (id: string) => sandbox.org.department(id).open_department_id;
const ou = (id: string) => sandbox.org.user(id).open_id;
const secretOf = (appId: string) => sandbox.apps.find((a) => a.appId === appId)!.appSecret;

describe('user events', () => {
  test('adding a user pushes contact.user.created_v3: a schema 2.0 envelope whose object is what the read API returns to that app', async () => {
    const pushed = await change('POST', '/_sandbox/org/users', { user_id: 'newbie', name: '新人', departments: ['engineering'], mobile: '+8613800000001' });
    const [envelope] = pushed[FULL]!;
    expect(envelope!.schema).toBe('2.0');
    expect(envelope!.header).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      event_type: 'contact.user.created_v3',
      create_time: expect.stringMatching(/^\d{13}$/),
      token: `vt-${FULL}`,
      app_id: FULL,
      tenant_key: sandbox.org.tenantKey,
    });
    const read = await getJson(sandbox, `/open-apis/contact/v3/users/${ou('newbie')}`, await tenantToken(sandbox, FULL, secretOf(FULL)));
    expect(envelope!.event).toEqual({ object: read.body.data.user });
    expect(envelope!.event.object).toMatchObject({ department_ids: [od('engineering')], user_id: 'newbie', mobile: '+8613800000001' });
    // Every entitled app got its own event id; the one in range too.
    const ids = [FULL, BARE, AS_APP, RANGED].map((a) => pushed[a]![0]!.header.event_id);
    expect(new Set(ids).size).toBe(4);
  });

  test('field permissions withhold fields exactly as the read APIs do; ids are fixed to open_id / open_department_id', async () => {
    const pushed = await change('POST', '/_sandbox/org/users', { user_id: 'newbie', name: '新人', departments: ['engineering'], leader: 'zhangsan' });
    const bare = pushed[BARE]![0]!.event.object;
    expect(bare).toEqual({ open_id: ou('newbie'), union_id: sandbox.org.user('newbie').union_id, mobile_visible: true });
    const read = await getJson(sandbox, `/open-apis/contact/v3/users/${ou('newbie')}`, await tenantToken(sandbox, BARE, secretOf(BARE)));
    expect(bare).toEqual(read.body.data.user);
    // readonly_as_app stands in for most field permissions, never for email, mobile or user_id.
    const asApp = pushed[AS_APP]![0]!.event.object as Record<string, unknown>;
    expect(asApp).toMatchObject({ name: '新人', department_ids: [od('engineering')], leader_user_id: ou('zhangsan') });
    expect(asApp).not.toHaveProperty('email');
    expect(asApp).not.toHaveProperty('user_id');
  });

  test('an update pushes updated_v3 with the state after and only the changed fields before (plus open_id); mobile and email come as events of their own', async () => {
    const before = structuredClone(sandbox.org.user('zhangsan'));
    const pushed = await change('POST', '/_sandbox/org/users/zhangsan', { job_title: 'CTO', mobile: '+8613900000000', email: 'cto@example.com' });
    const full = pushed[FULL]!.map((e) => e.event);
    expect(full.map((e) => e.old_object)).toEqual([
      { job_title: before.job_title, open_id: before.open_id },
      { mobile: before.mobile, open_id: before.open_id },
      { email: before.email, open_id: before.open_id },
    ]);
    for (const e of full) expect(e.object).toMatchObject({ open_id: before.open_id, job_title: 'CTO', mobile: '+8613900000000', email: 'cto@example.com' });
    // BARE may read none of these fields: there is nothing to tell it.
    expect(await deliveries(sandbox, { appId: BARE })).toEqual([]);
    // AS_APP reads job_title, not mobile or email: one event.
    expect(pushed[AS_APP]!.map((e) => e.event.old_object)).toEqual([{ job_title: before.job_title, open_id: before.open_id }]);
  });

  test('moving a user changes department_ids and orders; an app whose range the user leaves is told nothing, one they enter is told', async () => {
    const out = await change('POST', '/_sandbox/org/users/zhangsan/move', { departments: ['product'] });
    expect(out[FULL]![0]!.event).toMatchObject({
      object: { department_ids: [od('product')] },
      old_object: { department_ids: [od('engineering')], orders: [expect.objectContaining({ department_id: od('engineering'), is_primary_dept: true })], open_id: ou('zhangsan') },
    });
    expect(out[RANGED]).toEqual([]);
    const into = await change('POST', '/_sandbox/org/users/lisi/move', { departments: ['platform'] });
    expect(into[RANGED]![0]!.event.object).toMatchObject({ open_id: ou('lisi'), department_ids: [od('platform')] });
  });

  test('freeze and unfreeze push updated_v3 with the status before', async () => {
    const frozen = await change('POST', '/_sandbox/org/users/lisi/freeze');
    expect(frozen[FULL]![0]!.event).toMatchObject({ object: { status: { is_frozen: true } }, old_object: { status: { is_frozen: false }, open_id: ou('lisi') } });
    const thawed = await change('POST', '/_sandbox/org/users/lisi/unfreeze');
    expect(thawed[FULL]![0]!.event).toMatchObject({ object: { status: { is_frozen: false } }, old_object: { status: { is_frozen: true } } });
    // Freezing a frozen user changes nothing and pushes nothing.
    const again = await control(sandbox, 'POST', '/_sandbox/org/users/wujiu/freeze');
    expect(again.body.eventIds).toEqual([]);
  });

  test('resignation pushes deleted_v3 only: the full user with empty department_ids, and {department_ids, open_id} before', async () => {
    const pushed = await change('POST', '/_sandbox/org/users/zhangsan/resign');
    for (const appId of [FULL, RANGED]) {
      expect(pushed[appId]!.map((e) => e.header.event_type)).toEqual(['contact.user.deleted_v3']);
      expect(pushed[appId]![0]!.event).toEqual({
        object: expect.objectContaining({ open_id: ou('zhangsan'), name: '张三', department_ids: [], status: expect.objectContaining({ is_resigned: true }) }),
        old_object: { department_ids: [od('engineering')], open_id: ou('zhangsan') },
      });
    }
    expect(pushed[BARE]![0]!.event.old_object).toEqual({ open_id: ou('zhangsan') }); // department_ids withheld from it
    expect((await control(sandbox, 'POST', '/_sandbox/org/users/zhangsan/resign')).status).toBe(400);
  });

  test('deleting a user is resignation (the delete-user API is resignation in Feishu); the range is checked before the change', async () => {
    const pushed = await change('DELETE', '/_sandbox/org/users/lisi');
    expect(pushed[FULL]!.map((e) => e.header.event_type)).toEqual(['contact.user.deleted_v3']);
    expect(pushed[RANGED]).toEqual([]); // lisi was never in engineering
    expect(sandbox.org.user('lisi').status.is_resigned).toBe(true);
  });
});

describe('department events', () => {
  test('created, updated, moved and deleted: department_event shapes with open ids and an int order', async () => {
    const created = await change('POST', '/_sandbox/org/departments', { department_id: 'qa', name: '测试组', parent: 'engineering', leader: 'zhangsan' });
    const qa = od('qa');
    const object = {
      name: '测试组',
      parent_department_id: od('engineering'),
      department_id: 'qa',
      open_department_id: qa,
      leader_user_id: ou('zhangsan'),
      order: expect.any(Number),
      unit_ids: [],
      status: { is_deleted: false },
      leaders: [{ leaderType: 1, leaderID: ou('zhangsan') }],
    };
    expect(created[FULL]![0]!.event).toEqual({ object });
    expect(created[RANGED]).toHaveLength(1); // below engineering, so inside its range
    expect(created[BARE]![0]!.event).toEqual({ object: { open_department_id: qa, leaders: [{ leaderType: 1 }] } });

    const renamed = await change('POST', '/_sandbox/org/departments/qa', { name: '质量组' });
    expect(renamed[FULL]![0]!.event).toEqual({ object: { ...object, name: '质量组' }, old_object: object }); // the whole object before

    const moved = await change('POST', '/_sandbox/org/departments/qa/move', { parent: '0' });
    expect(moved[FULL]![0]!.event).toMatchObject({ object: { parent_department_id: '0' }, old_object: { parent_department_id: od('engineering') } });
    expect(moved[RANGED]).toEqual([]); // it left the range

    const deleted = await change('DELETE', '/_sandbox/org/departments/qa');
    expect(deleted[FULL]![0]!.header.event_type).toBe('contact.department.deleted_v3');
    expect(deleted[FULL]![0]!.event).toEqual({ object: { ...object, name: '质量组', parent_department_id: '0', status: { is_deleted: true } }, old_object: { status: { is_deleted: false }, open_department_id: qa } });
  });

  test('a department with members cannot be deleted, and nothing is pushed', async () => {
    const reply = await control(sandbox, 'DELETE', '/_sandbox/org/departments/engineering');
    expect(reply.status).toBe(400);
    expect(await deliveries(sandbox)).toEqual([]);
  });
});

describe('contact.scope.updated_v3', () => {
  test('narrowing and widening a range tells that app alone what it lost and gained, with its field permissions', async () => {
    const narrowed = await change('POST', `/_sandbox/apps/${FULL}/contact-range`, { contactScope: ['engineering'] });
    expect(APPS.filter((a) => got(narrowed, a))).toEqual([FULL]);
    const event = narrowed[FULL]![0]!.event as { added: Scope; removed: Scope };
    expect(event.added).toEqual({ departments: [], users: [], user_groups: [] });
    expect(event.removed.departments.map((d) => d.open_department_id).sort()).toEqual(['product', 'marketing', 'sales', 'hr', 'finance'].map(od).sort());
    expect(event.removed.users.map((u) => u.open_id)).toContain(ou('chenyi')); // directly under the root
    expect(event.removed.departments[0]).toMatchObject({ name: expect.any(String), order: expect.any(String), parent_department_id: '0' });

    const widened = await change('POST', `/_sandbox/apps/${FULL}/contact-range`, { contactScope: ['engineering', 'product'] });
    const added = (widened[FULL]![0]!.event as { added: Scope }).added;
    expect(added.departments.map((d) => d.open_department_id)).toEqual([od('product')]);

    // The narrowed range now filters user events: lisi (product, marketing) is visible, wangwu (marketing) is not.
    const updates = await change('POST', '/_sandbox/org/users/wangwu', { job_title: '市场 VP' });
    expect(updates[FULL]).toEqual([]);
  });

  test('setting the same range again, or a range with unknown ids, pushes nothing', async () => {
    expect((await control(sandbox, 'POST', `/_sandbox/apps/${FULL}/contact-range`, { contactScope: 'all' })).body.eventIds).toEqual([]);
    expect((await control(sandbox, 'POST', `/_sandbox/apps/${FULL}/contact-range`, { contactScope: ['nowhere'] })).status).toBe(400);
    expect(await deliveries(sandbox)).toEqual([]);
  });
});

describe('who is pushed nothing', () => {
  test('an app without one of the three API-level permissions gets no contact event, whatever its field permissions', async () => {
    await change('POST', '/_sandbox/org/users', { user_id: 'newbie', name: '新人' });
    await change('POST', '/_sandbox/org/users/lisi/freeze');
    await change('POST', '/_sandbox/org/departments', { department_id: 'qa', name: '测试组' });
    await change('POST', `/_sandbox/apps/${NO_API}/contact-range`, { contactScope: ['engineering'] });
    expect(await deliveries(sandbox, { appId: NO_API })).toEqual([]);
    expect((await deliveries(sandbox, { appId: AS_APP })).length).toBeGreaterThanOrEqual(3);
  });

  test('an app that did not add the event type, chose no mode, or is disabled gets nothing', async () => {
    await control(sandbox, 'POST', `/_sandbox/apps/${BARE}/events`, { mode: 'webhook', callbackUrl: receiver.url, eventTypes: ['contact.department.created_v3'] });
    await control(sandbox, 'POST', `/_sandbox/apps/${AS_APP}/events`, { mode: 'none' });
    sandbox.apps.find((a) => a.appId === RANGED)!.status = 'disabled';
    const pushed = await change('POST', '/_sandbox/org/users', { user_id: 'newbie', name: '新人', departments: ['engineering'] });
    expect(APPS.filter((a) => got(pushed, a))).toEqual([FULL]);
  });

  test('editing sandbox.org directly is silent: only changes made as an admin push events', async () => {
    sandbox.org.updateUser('zhangsan', { job_title: 'CTO' });
    expect(await deliveries(sandbox)).toEqual([]);
    const { eventIds } = sandbox.changes.updateUser('zhangsan', { job_title: 'CEO' });
    expect(eventIds.length).toBe(APPS.length - 2); // not NO_API; BARE cannot read job_title
  });
});

interface Scope {
  departments: Array<Record<string, unknown> & { open_department_id: string }>;
  users: Array<Record<string, unknown> & { open_id: string }>;
  user_groups: unknown[];
}

function got(byApp: Record<string, EventEnvelope[]>, appId: string): boolean {
  return byApp[appId]!.length > 0;
}
