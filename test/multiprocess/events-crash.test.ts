import { afterAll, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { FSInnerAuthModel, FSInnerEventModel, FSInnerMembershipModel, type FSInnerType } from '../../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox, type DeliveryView, type FeishuUser } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp } from '../../runtime/index.js';
import { createTestDatabase, ENGINE } from '../helpers/database.js';
import { tempDir } from '../helpers/fixture.js';
import { until } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';
import { eventSecrets, startServer, WEBHOOK_EVENTS, writeDemoApp, type ServerProcess } from './servers.js';

/**
 * A burst of 1,000 contact events pushed by webhook to a `jit serve` process that is killed with
 * SIGKILL halfway through, then started again on the same database: the sandbox retries what was
 * not acknowledged (Feishu's 15 s / 5 min / 1 h / 6 h schedule, compressed 1000×), and every event
 * ends up recorded once and applied once, the directory equal to the sandbox's organization.
 *
 * Each of the 1,000 changes touches a different person (500 new people, 300 retitled, 200 resigned),
 * so every event must come out "applied" whatever order the retries bring them in, and the final
 * directory tells which were applied.
 */
const temp = tempDir('jit-events-crash-');
afterAll(() => temp.cleanup());

const INSTANCE = 'auths.loginTypes.FSInnerExample';
const HOOK = '/hooks/auths/loginTypes/FSInnerExample/events';
const TOKEN = 'vt-events-crash-0123456789';
const KEY = 'ek-events-crash-abcdef0123';
const CREATED = 500;
const RETITLED = 300;
const RESIGNED = 200;
const EVENTS = CREATED + RETITLED + RESIGNED;
/** 15 s → 15 ms, 5 min → 300 ms, 1 h → 3.6 s, 6 h → 21.6 s: a server down for up to ~25 s loses nothing. */
const TIME_SCALE = 0.001;

test(`${EVENTS} contact events by webhook, the server SIGKILLed halfway and restarted (${ENGINE}): each recorded once and applied once, none lost`, async () => {
  const sandbox = await startSandbox({ rate: 0, org: { departments: 30, users: 600 }, events: { timeScale: TIME_SCALE, challengeTimeoutMs: 5000 } });
  const database = await createTestDatabase();
  const port = await freePort();
  const dataDir = join(temp.dir, 'data');
  const databaseUrl = database.url ?? `sqlite:${join(temp.dir, 'shared.sqlite')}`;
  const appDir = writeDemoApp(temp.dir, sandbox, { requestsPerSecond: 1000, requestsPerMinute: 60000, ...WEBHOOK_EVENTS });
  const secrets = eventSecrets(sandbox, TOKEN, KEY);
  const env = { JIT_DATABASE_URL: databaseUrl, ...secrets };
  // This process reads the database (no services: it applies nothing); first it syncs the org in.
  const reader = await loadApp(appDir, { dataDir, env: secrets, databaseUrl, migrate: true });
  const servers: ServerProcess[] = [];
  try {
    await reader.getElement<FSInnerType>(INSTANCE).syncDepartmentInfo();
    const users = reader.dataSource.getRepository(FSInnerAuthModel);
    const events = reader.dataSource.getRepository(FSInnerEventModel);
    const synced = new Set((await users.find()).map((u) => u.userId));
    const candidates = sandbox.org.activeUsers().filter((u) => synced.has(u.user_id) && !u.status.is_frozen);
    expect(candidates.length).toBeGreaterThanOrEqual(RETITLED + RESIGNED);

    const first = await startServer(appDir, port, env);
    servers.push(first);
    await sandbox.events.subscribe(sandbox.appId, { mode: 'webhook', callbackUrl: `${first.base}${HOOK}`, encryptKey: KEY, verificationToken: TOKEN });

    // The burst: 1,000 org changes at once, one event each, queued by the sandbox and pushed one by one.
    const departments = sandbox.org.departments.filter((d) => d.department_id !== '0');
    const eventIds: string[] = [];
    const created: string[] = [];
    for (let i = 0; i < CREATED; i++) {
      const userId = `burst-${String(i).padStart(4, '0')}`;
      created.push(userId);
      eventIds.push(...sandbox.changes.addUser({ user_id: userId, name: `突发 ${i}`, departments: [departments[i % departments.length]!.department_id], job_title: `new hire ${i}` }).eventIds);
    }
    const retitled = candidates.slice(0, RETITLED).map((u) => u.user_id);
    for (const userId of retitled) eventIds.push(...sandbox.changes.updateUser(userId, { job_title: `retitled ${userId}` }).eventIds);
    const resigned = candidates.slice(RETITLED, RETITLED + RESIGNED).map((u) => u.user_id);
    for (const userId of resigned) eventIds.push(...sandbox.changes.resignUser(userId).eventIds);
    expect(new Set(eventIds).size).toBe(EVENTS);
    const ours = new Set(eventIds);
    const deliveries = (): DeliveryView[] => sandbox.events.deliveries({ appId: sandbox.appId }).filter((d) => ours.has(d.eventId));

    // Halfway through the burst: SIGKILL, no goodbye.
    await until(() => deliveries().filter((d) => d.state === 'delivered').length >= EVENTS / 2, 30_000, 'half the burst delivered');
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    const recordedBeforeKill = await events.count();
    expect(recordedBeforeKill).toBeGreaterThanOrEqual(EVENTS / 2);
    expect(recordedBeforeKill).toBeLessThan(EVENTS); // it really died mid-burst

    // What the dead process left: at most the one row its applier was on, claimed, and its applier lease.
    // Both run out by themselves (lease 10 s, claim 20 s: events/applier.ts DEFAULT_TIMING), and the
    // test waits them out as a deployment would: nothing is reset by hand.
    const claimed = (await events.find()).filter((r) => r.status === 'pending' && r.claimedBy !== null && (r.claimedUntil ?? 0) > killedAt);
    expect(claimed.length).toBeLessThanOrEqual(1);

    // Restarted on the same database and port; the sandbox's retries find it there again.
    const second = await startServer(appDir, port, env);
    servers.push(second);
    await until(() => deliveries().every((d) => d.state === 'delivered' || d.state === 'failed'), 45_000, 'every delivery settled');
    // Within the dead claim's 20 s and a 5 s poll of the kill (the dead lease, 10 s, runs out first); with
    // the 60 s claim this once had, the row it held would still be waiting.
    await until(async () => (await events.countBy({ status: 'applied' })) === EVENTS || (await events.countBy({ status: 'pending' })) === 0, killedAt + 35_000 - Date.now(), 'the inbox drained');

    // Feishu's side: nothing given up, and the kill did cost retries.
    const settled = deliveries();
    expect(settled.filter((d) => d.state !== 'delivered').map((d) => [d.eventId, d.state, d.lastStatus])).toEqual([]);
    const retried = settled.filter((d) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);

    // The inbox: one row per event, every one applied.
    const rows = await events.find({ where: { instance: INSTANCE } });
    expect(rows).toHaveLength(EVENTS);
    expect(new Set(rows.map((r) => r.eventKey))).toEqual(ours);
    expect(rows.filter((r) => r.status !== 'applied').map((r) => [r.eventKey, r.status, r.lastErrorCode, r.lastError])).toEqual([]);
    // Applied once: one claim per row, except the row the dead process held (its attempt counted, then one more).
    const reclaimed = rows.filter((r) => r.attempts !== 1);
    expect(reclaimed.map((r) => r.id)).toEqual(claimed.map((r) => r.id));
    expect(reclaimed.every((r) => r.attempts === 2)).toBe(true);
    // A re-delivery of a recorded event (its 200 lost in the kill) is counted, not recorded again; only retried pushes can be one.
    const duplicates = rows.reduce((n, r) => n + r.duplicates, 0);
    expect(duplicates).toBeLessThanOrEqual(retried.length);

    // The directory is the sandbox's organization: everyone once, each as Feishu now has them.
    const stored = await users.find({ where: { instance: INSTANCE } });
    expect(new Set(stored.map((u) => u.userId)).size).toBe(stored.length);
    const byId = new Map(stored.map((u) => [u.userId, u]));
    const expected = [...synced, ...created].map((id) => sandbox.org.user(id));
    expect(stored).toHaveLength(expected.length);
    const view = (u: FeishuUser) => ({ userId: u.user_id, name: u.name, position: u.job_title ?? null, status: u.status.is_resigned ? 'resigned' : u.status.is_frozen ? 'frozen' : 'active' });
    const seen = (u: FSInnerAuthModel | undefined) => (u ? { userId: u.userId, name: u.name, position: u.position, status: u.status } : undefined);
    expect(expected.map((u) => seen(byId.get(u.user_id)))).toEqual(expected.map(view));
    expect(retitled.every((id) => byId.get(id)?.position === `retitled ${id}`)).toBe(true);
    expect(resigned.every((id) => byId.get(id)?.status === 'resigned')).toBe(true);
    // Each new person's membership, once.
    const memberships = await reader.dataSource.getRepository(FSInnerMembershipModel).find({ where: { instance: INSTANCE } });
    const newMemberships = memberships.filter((m) => m.userId.startsWith('burst-'));
    expect(newMemberships).toHaveLength(CREATED);
    expect(new Set(newMemberships.map((m) => m.userId)).size).toBe(CREATED);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await reader.close();
    await sandbox.close();
    await database.drop();
  }
}, 90_000);
