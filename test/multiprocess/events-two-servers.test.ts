import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { encryptEvent, signEvent } from '../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import { FSInnerAuthModel, FSInnerEventModel, type FSInnerType } from '../../elements/auths/loginTypes/FSInnerType/index.js';
import { SDK_APP_ID, completeApp, defaultApp, startSandbox, type Sandbox, type FeishuUser } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp, type App } from '../../runtime/index.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../helpers/database.js';
import { tempDir } from '../helpers/fixture.js';
import { sleep, until } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';
import { eventSecrets, startServer, writeDemoApp, type ServerProcess } from './servers.js';

/**
 * Contact events reaching two `jit serve` processes of one app on one database (PostgreSQL under
 * test:postgres, a shared SQLite file by default): whichever process an event reaches, and however
 * often, it is recorded once and applied once.
 *
 *   webhook     Feishu pushes to one request URL; behind a load balancer that is either process,
 *               and Feishu re-sends (at least once). The sandbox sends each event to A, then copies
 *               of it to B and to A again; then the same pushes hit A and B at the same moment.
 *   websocket   one long connection per app and database: the process holding the lease connects,
 *               the other stands by, and takes over when the holder is killed.
 */
const INSTANCE = 'auths.loginTypes.FSInnerExample';
const HOOK = '/hooks/auths/loginTypes/FSInnerExample/events';
const TOKEN = 'vt-two-servers-0123456789';
const KEY = 'ek-two-servers-abcdef0123';
/** LongConnection's lease (events/long-connection.ts defaults): a dead holder's lease runs out after ttl; standbys try every retry ±25 %. */
const LEASE_TTL_MS = 20_000;
const LEASE_RETRY_MS = 5_000;

interface World {
  sandbox: Sandbox;
  /** Reads the shared database from this process (no services: it applies nothing). */
  reader: App;
  start(): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/** One sandbox, one app folder, one database; servers started on demand, each on a port of its own. */
async function startWorld(options: { longConnection: boolean; config: Record<string, unknown> }): Promise<World> {
  const temp = tempDir('jit-events-2-');
  const sandbox = await startSandbox({
    rate: 0,
    org: { departments: 12, users: 200 },
    apps: [options.longConnection ? completeApp({ appId: SDK_APP_ID }) : defaultApp()],
    // Retries 1000× faster than Feishu's (15 ms, 300 ms, 3.6 s, 21.6 s); long-connection clients reconnect within a second.
    events: { timeScale: 0.001, challengeTimeoutMs: 5000, clientConfig: { ReconnectNonce: 0, ReconnectInterval: 1 } },
  });
  const database: TestDatabase = await createTestDatabase();
  const databaseUrl = database.url ?? `sqlite:${join(temp.dir, 'shared.sqlite')}`;
  const appDir = writeDemoApp(temp.dir, sandbox, { requestsPerSecond: 1000, requestsPerMinute: 60000, ...options.config });
  const secrets = eventSecrets(sandbox, TOKEN, KEY);
  const reader = await loadApp(appDir, { dataDir: join(temp.dir, 'data'), env: secrets, databaseUrl, migrate: true });
  const servers: ServerProcess[] = [];
  return {
    sandbox,
    reader,
    async start() {
      const served = await startServer(appDir, await freePort(), { JIT_DATABASE_URL: databaseUrl, ...secrets });
      servers.push(served);
      return served;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await reader.close();
      await sandbox.close();
      await database.drop();
      temp.cleanup();
    },
  };
}

const inbox = (w: World) => w.reader.dataSource.getRepository(FSInnerEventModel).find({ where: { instance: INSTANCE }, order: { id: 'ASC' } });

/** Org changes through the sandbox, one event each and each to a different person: new people, new titles, resignations. */
function orgChanges(sandbox: Sandbox, tag: string, n: { created: number; retitled: number; resigned: number }, untouched: Set<string>): { eventIds: string[]; users: string[] } {
  const eventIds: string[] = [];
  const users: string[] = [];
  for (let i = 0; i < n.created; i++) {
    const userId = `${tag}-new-${i}`;
    users.push(userId);
    eventIds.push(...sandbox.changes.addUser({ user_id: userId, name: `${tag} ${i}`, job_title: `${tag} hire ${i}` }).eventIds);
  }
  const existing = sandbox.org.activeUsers().filter((u) => untouched.has(u.user_id) && !u.status.is_frozen);
  const picked = existing.slice(0, n.retitled + n.resigned);
  if (picked.length < n.retitled + n.resigned) throw new Error('the sandbox org has too few untouched people');
  for (const u of picked) untouched.delete(u.user_id);
  for (const u of picked.slice(0, n.retitled)) eventIds.push(...sandbox.changes.updateUser(u.user_id, { job_title: `${tag} retitled` }).eventIds);
  for (const u of picked.slice(n.retitled)) eventIds.push(...sandbox.changes.resignUser(u.user_id).eventIds);
  users.push(...picked.map((u) => u.user_id));
  return { eventIds, users };
}

/** The directory rows of these people are what the sandbox has now. */
async function expectDirectoryMatches(w: World, userIds: string[]): Promise<void> {
  const stored = await w.reader.dataSource.getRepository(FSInnerAuthModel).find({ where: { instance: INSTANCE } });
  const byId = new Map(stored.map((u) => [u.userId, u]));
  expect(new Set(stored.map((u) => u.userId)).size).toBe(stored.length); // nobody twice
  const view = (u: FeishuUser) => ({ userId: u.user_id, name: u.name, position: u.job_title ?? null, status: u.status.is_resigned ? 'resigned' : u.status.is_frozen ? 'frozen' : 'active' });
  const seen = (id: string) => {
    const u = byId.get(id);
    return u ? { userId: u.userId, name: u.name, position: u.position, status: u.status } : { userId: id, missing: true };
  };
  expect(userIds.map(seen)).toEqual(userIds.map((id) => view(w.sandbox.org.user(id))));
}

/** Each of `eventIds` recorded exactly once and applied exactly once (one claim). */
async function expectAppliedOnce(w: World, eventIds: string[], via: 'webhook' | 'websocket'): Promise<FSInnerEventModel[]> {
  const wanted = new Set(eventIds);
  const rows = (await inbox(w)).filter((r) => wanted.has(r.eventKey));
  expect(rows).toHaveLength(eventIds.length);
  expect(new Set(rows.map((r) => r.eventKey)).size).toBe(eventIds.length);
  expect(rows.filter((r) => r.status !== 'applied' || r.attempts !== 1 || r.via !== via).map((r) => [r.eventKey, r.status, r.attempts, r.via, r.lastError])).toEqual([]);
  return rows;
}

describe(`two server processes on one ${ENGINE} database, events by webhook`, () => {
  let w: World;
  let a: ServerProcess;
  let b: ServerProcess;
  const untouched = new Set<string>();

  beforeAll(async () => {
    w = await startWorld({ longConnection: false, config: { eventTransport: 'webhook', verificationToken: '${FEISHU_VERIFICATION_TOKEN}', encryptKey: '${FEISHU_ENCRYPT_KEY}' } });
    for (const u of w.sandbox.org.activeUsers()) untouched.add(u.user_id);
    a = await w.start();
    b = await w.start();
  }, 90_000);

  afterAll(async () => w?.stop());

  const subscribe = (to: ServerProcess) => w.sandbox.events.subscribe(w.sandbox.appId, { mode: 'webhook', callbackUrl: `${to.base}${HOOK}`, encryptKey: KEY, verificationToken: TOKEN });
  const delivered = (eventIds: string[], copies: number) => {
    const wanted = new Set(eventIds);
    const list = w.sandbox.events.deliveries({ appId: w.sandbox.appId }).filter((d) => wanted.has(d.eventId));
    return list.length === eventIds.length * copies && list.every((d) => d.state === 'delivered');
  };

  test('each event pushed to A, then again to B, then again to A: recorded once, applied once, the re-deliveries counted', async () => {
    await subscribe(a);
    const { eventIds, users } = orgChanges(w.sandbox, 'lb', { created: 8, retitled: 8, resigned: 8 }, untouched);
    expect(new Set(eventIds).size).toBe(24);
    await until(() => delivered(eventIds, 1), 20_000, 'the events delivered to A');
    await subscribe(b);
    for (const id of eventIds) w.sandbox.events.duplicate(id);
    await until(() => delivered(eventIds, 2), 20_000, 'the copies delivered to B');
    await subscribe(a);
    for (const id of eventIds) w.sandbox.events.duplicate(id);
    await until(() => delivered(eventIds, 3), 20_000, 'the second copies delivered to A');
    // Both processes took the same event_ids and acknowledged them with 200 (the sandbox saw 'delivered').
    const deliveries = w.sandbox.events.deliveries({ appId: w.sandbox.appId }).filter((d) => eventIds.includes(d.eventId));
    expect(deliveries.map((d) => d.lastStatus)).toEqual(deliveries.map(() => 200));

    await until(async () => (await inbox(w)).filter((r) => r.status === 'pending').length === 0, 20_000, 'the inbox drained');
    const rows = await expectAppliedOnce(w, eventIds, 'webhook');
    // Two copies of each came after the first; a push retried by the sandbox (an answer later than 3 s) adds one.
    const attemptsOf = (id: string) => deliveries.filter((d) => d.eventId === id).reduce((n, d) => n + d.attempts, 0);
    expect(rows.filter((r) => r.duplicates < 2 || r.duplicates > attemptsOf(r.eventKey) - 1).map((r) => [r.eventKey, r.duplicates])).toEqual([]);
    await expectDirectoryMatches(w, users);
  }, 90_000);

  test('the same push reaching A and B at the same moment: one row, the other counted as a duplicate, applied once', async () => {
    const people = w.sandbox.org.activeUsers().filter((u) => untouched.has(u.user_id) && !u.status.is_frozen).slice(0, 20);
    expect(people.map((p) => p.user_id)).toHaveLength(20);
    const eventIds: string[] = [];
    const replies = await Promise.all(
      people.map(async (person) => {
        untouched.delete(person.user_id);
        // Feishu's change, made silently in the sandbox; the event saying so is pushed by this test to both servers at once.
        const after = w.sandbox.org.updateUser(person.user_id, { job_title: `raced ${person.user_id}` });
        const eventId = randomBytes(16).toString('hex');
        eventIds.push(eventId);
        const envelope = {
          schema: '2.0',
          header: { event_id: eventId, event_type: 'contact.user.updated_v3', create_time: String(Date.now()), token: TOKEN, app_id: w.sandbox.appId, tenant_key: w.sandbox.org.tenantKey },
          event: { object: structuredClone(after), old_object: { job_title: person.job_title, open_id: person.open_id } },
        };
        return Promise.all([a, b].map((server) => pushTo(server, envelope)));
      }),
    );
    expect(replies.flat()).toEqual(replies.flat().map(() => 200));
    await until(async () => (await inbox(w)).filter((r) => r.status === 'pending').length === 0, 20_000, 'the inbox drained');
    const rows = await expectAppliedOnce(w, eventIds, 'webhook');
    expect(rows.map((r) => r.duplicates)).toEqual(rows.map(() => 1));
    await expectDirectoryMatches(
      w,
      people.map((p) => p.user_id),
    );
  }, 60_000);
});

/** A push as Feishu sends it with an encrypt key: {"encrypt"} body, signed. */
async function pushTo(server: ServerProcess, envelope: object): Promise<number> {
  const body = JSON.stringify({ encrypt: encryptEvent(KEY, JSON.stringify(envelope)) });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const response = await fetch(`${server.base}${HOOK}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signEvent(KEY, timestamp, nonce, body) },
    body,
  });
  await response.text();
  return response.status;
}

describe(`two server processes on one ${ENGINE} database, events over the long connection`, () => {
  let w: World;
  const untouched = new Set<string>();

  beforeAll(async () => {
    w = await startWorld({ longConnection: true, config: { eventTransport: 'websocket' } });
    for (const u of w.sandbox.org.activeUsers()) untouched.add(u.user_id);
  }, 60_000);

  afterAll(async () => w?.stop());

  const connections = () => w.sandbox.events.connections().filter((c) => c.appId === SDK_APP_ID);
  const delivered = (eventIds: string[]) => {
    const wanted = new Set(eventIds);
    const list = w.sandbox.events.deliveries({ appId: SDK_APP_ID }).filter((d) => wanted.has(d.eventId));
    return list.length === eventIds.length && list.every((d) => d.state === 'delivered');
  };

  test('one of the two holds the connection; events are applied once; killing the holder hands the connection to the other', async () => {
    // A starts alone and connects; B, started after, finds the lease taken and stands by.
    const a = await w.start();
    await until(() => connections().length === 1, 20_000, 'A to open the long connection (FSInnerType connects with eventTransport "websocket" while served)');
    const first = connections()[0]!.deviceId;
    const b = await w.start();
    // Long enough for B to have tried the lease (at start, then every retry): still one connection, A's.
    const watched: number[] = [];
    const end = Date.now() + LEASE_RETRY_MS * 1.5;
    while (Date.now() < end) {
      watched.push(connections().length);
      await sleep(100);
    }
    expect(new Set(watched)).toEqual(new Set([1]));
    expect(connections().map((c) => c.deviceId)).toEqual([first]);

    await w.sandbox.events.subscribe(SDK_APP_ID, { mode: 'websocket' });
    const before = orgChanges(w.sandbox, 'ws1', { created: 10, retitled: 10, resigned: 5 }, untouched);
    await until(() => delivered(before.eventIds), 20_000, 'the events acked');
    expect(w.sandbox.events.deliveries({ appId: SDK_APP_ID }).filter((d) => before.eventIds.includes(d.eventId)).every((d) => d.transport === 'websocket')).toBe(true);
    await until(async () => (await inbox(w)).filter((r) => r.status === 'pending').length === 0, 20_000, 'the inbox drained');
    await expectAppliedOnce(w, before.eventIds, 'websocket');
    await expectDirectoryMatches(w, before.users);

    // The holder dies; its lease runs out and B takes the connection over, never two at once.
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    const counts: number[] = [];
    await until(
      () => {
        const now = connections();
        counts.push(now.length);
        return now.length === 1 && now[0]!.deviceId !== first;
      },
      LEASE_TTL_MS + LEASE_RETRY_MS * 1.25 + 10_000,
      'B holding the connection',
    );
    const takeoverMs = Date.now() - killedAt;
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_TTL_MS + LEASE_RETRY_MS * 1.25 + 5_000);
    expect(b.running).toBe(true);

    const after = orgChanges(w.sandbox, 'ws2', { created: 10, retitled: 10, resigned: 5 }, untouched);
    await until(() => delivered(after.eventIds), 20_000, 'the later events acked by B');
    await until(async () => (await inbox(w)).filter((r) => r.status === 'pending').length === 0, 40_000, 'the inbox drained at B');
    await expectAppliedOnce(w, after.eventIds, 'websocket');
    await expectDirectoryMatches(w, [...before.users, ...after.users]);
    expect((await w.reader.getElement<FSInnerType>(INSTANCE).eventStatus()).counts).toMatchObject({ pending: 0, failed: 0, applied: before.eventIds.length + after.eventIds.length });
  }, 120_000);
});
