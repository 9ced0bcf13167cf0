/**
 * Contact events, event → effect: how long after Feishu records a resignation is the leaver's
 * session refused?
 *
 *   npx tsx bench/events.ts [--events N] [--rate R] [--engine sqlite|postgres] [--servers 1|2]     (npm run bench:events)
 *
 * Setup. A `jit serve` child process (as deployed; test/multiprocess/servers.ts startServer) of an
 * app with one FSInnerExample instance, eventTransport "webhook" with an encrypt key and a
 * verification token, on SQLite (a file) or a fresh PostgreSQL database (--engine postgres,
 * createTestDatabase). The Feishu sandbox runs in this process, with rate limiting off and its
 * delivery as it emulates Feishu's: pushes encrypted and signed, retried on Feishu's schedule, and
 * one app's pushes one at a time, each waiting for the previous one's answer (the sandbox's
 * choice, sandbox/events/deliveries.ts: Feishu does not document how many it sends at once), so a
 * burst is bounded by one push's round trip. The org (2N + 50 people) is
 * synced first, then 2N people sign in over HTTP (POST …/loginWithCode, one session cookie each),
 * so each resignation has a live session and an enabled local account to take away.
 * --servers 2: two `jit serve` processes on the one database behind a round-robin load balancer
 * (in this process) that the request URL names, so pushes alternate between them, as behind a
 * load balancer in production; one applier runs at a time (the lease), the other's pushes wait
 * for it.
 *
 * Two phases of N resignations each (`sandbox.changes.resignUser`: the org change, which queues
 * the contact.user.deleted_v3 push at once):
 *   steady   one every 1/R s (default R = 50/s): the latency a single leaver sees
 *   burst    all N at once (a mass layoff, or a backlog after an outage): throughput, and the
 *            latency including the wait behind the events before it
 * For each: time from the org change to the moment that person's session no longer authenticates,
 * i.e. its row in the session store is revoked (sessions carry no cache: the next request with the
 * cookie is refused). This process polls the session store every POLL_MS, so a figure is late by
 * at most that. At the end every one of the 2N cookies is tried at GET /api/session: none may
 * still authenticate. From the inbox: how many events were recorded once and applied once (one
 * claim, status applied, no re-delivery), and any duplicates, stale, failed. Each phase also
 * splits the latency into change → recorded (the push acknowledged) and recorded → applied, and
 * on PostgreSQL counts the server's commits per event.
 *
 * Targets: p99 < 1 s (a leaver locked out within a second), every event applied exactly once,
 * no session left. Exits 0 on a MISS (a benchmark), non-zero if something breaks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MoreThanOrEqual } from 'typeorm';
import { FSInnerEventModel, type FSInnerType } from '../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { SessionModel } from '../runtime/auth/models.js';
import { loadApp } from '../runtime/index.js';
import { createTestDatabase } from '../test/helpers/database.js';
import { tempDir } from '../test/helpers/fixture.js';
import { freePort } from '../test/helpers/ports.js';
import { eventSecrets, get, post, startServer, WEBHOOK_EVENTS, writeDemoApp } from '../test/multiprocess/servers.js';
import { drive } from './feishu-app.js';
import { pgCommits } from './pg-stats.js';
import { below, line, percentile } from './report.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000' }, rate: { type: 'string', default: '50' }, engine: { type: 'string', default: 'sqlite' }, servers: { type: 'string', default: '1' } } });
const events = Number(values.events);
const rate = Number(values.rate);
const engine = values.engine;
const serverCount = Number(values.servers);
if (!Number.isInteger(events) || events < 1 || !(rate > 0) || (engine !== 'sqlite' && engine !== 'postgres') || (serverCount !== 1 && serverCount !== 2)) {
  console.error('usage: tsx bench/events.ts [--events N] [--rate R per second] [--engine sqlite|postgres] [--servers 1|2]');
  process.exit(2);
}

const INSTANCE = 'auths.loginTypes.FSInnerExample';
const FS = '/api/auths/loginTypes/FSInnerExample';
const HOOK = '/hooks/auths/loginTypes/FSInnerExample/events';
const TOKEN = 'vt-bench-events-0123456789';
const KEY = 'ek-bench-events-abcdef0123';
const POLL_MS = 10;

interface Phase {
  /** Change → session refused, per person. */
  latencies: number[];
  eventIds: string[];
  wallMs: number;
  /** Change → row recorded (the push acknowledged), per event. */
  recorded: number[];
  /** Row recorded → settled by the applier, per event. */
  applied: number[];
  /** PostgreSQL only: transactions committed per event by the server(s) (each statement outside a transaction is one). */
  commitsPerEvent?: number;
}

const LOGIN_CONCURRENCY = 16;

const temp = tempDir('jit-bench-events-');
const sandbox = await startSandbox({ rate: 0, org: { departments: 40, users: 2 * events + 50 }, events: { challengeTimeoutMs: 5000 } });
const database = await createTestDatabase(engine);
const databaseUrl = database.url ?? `sqlite:${join(temp.dir, 'bench.sqlite')}`;
const appDir = writeDemoApp(temp.dir, sandbox, { requestsPerSecond: 1000, requestsPerMinute: 60000, ...WEBHOOK_EVENTS });
const secrets = eventSecrets(sandbox, TOKEN, KEY);
// This process reads the database (no services: it applies nothing); first it syncs the org in, so logins are warm.
const reader = await loadApp(appDir, { dataDir: join(temp.dir, 'data'), env: secrets, databaseUrl, migrate: true });
let broken = false;

/** A round-robin HTTP load balancer in front of `targets`; resolves with its origin. */
async function loadBalancer(targets: string[]): Promise<{ base: string; close(): Promise<void> }> {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  const balancer = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', targets[next++ % targets.length]);
    const upstream = http.request(target, { method: req.method, headers: req.headers, agent }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      balancer.close(() => resolve());
    }),
  };
}

try {
  const where = serverCount === 1 ? 'one jit serve process' : 'two jit serve processes behind a round-robin load balancer';
  console.log(`contact events, event → effect: ${events} resignations steady (${rate}/s) and ${events} in a burst; ${where} on ${engine}; ${cpus().length} cores shared by servers, sandbox and this client; node ${process.version}\n`);
  await reader.getElement<FSInnerType>(INSTANCE).syncDepartmentInfo();
  const servers = [];
  for (let i = 0; i < serverCount; i++) servers.push(await startServer(appDir, await freePort(), { JIT_DATABASE_URL: databaseUrl, JIT_LOGIN_RATE_LIMIT: '0', ...secrets }));
  const balancer = serverCount > 1 ? await loadBalancer(servers.map((s) => s.base)) : undefined;
  const server = { base: balancer?.base ?? servers[0]!.base };
  try {
    await sandbox.events.subscribe(sandbox.appId, { mode: 'webhook', callbackUrl: `${server.base}${HOOK}`, encryptKey: KEY, verificationToken: TOKEN });
    const people = sandbox.org
      .activeUsers()
      .filter((u) => u.department_ids.length > 0 && !u.status.is_frozen)
      .slice(0, 2 * events)
      .map((u) => u.user_id);
    if (people.length < 2 * events) throw new Error(`only ${people.length} people to sign in`);

    // 2N sessions, one per person.
    const sessions = new Map<string, { cookie: string; localUserId: string }>();
    const signIn = await drive(people.length, LOGIN_CONCURRENCY, async (i) => {
      const userId = people[i]!;
      const reply = await post(server.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId }).code });
      if (reply.status !== 200 || !reply.cookie) throw new Error(`login of ${userId}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
      sessions.set(userId, { cookie: reply.cookie, localUserId: reply.body.data.localUserId });
    });
    line('signed-in users', sessions.size, '');
    line('sign-in rate (setup)', sessions.size / (signIn.wallMs / 1000), '/s');

    const byLocalUser = new Map([...sessions].map(([userId, s]) => [s.localUserId, userId]));
    const revokedSince = async (since: number) => reader.dataSource.getRepository(SessionModel).find({ select: { localUserId: true, revokedAt: true }, where: { revokedAt: MoreThanOrEqual(since) } });

    /** Resigns each of `group` at changeAt(i) (ms after the start) and returns each one's change → revoked latency. */
    async function phase(group: string[], changeAt: (i: number) => number): Promise<Phase> {
      const changedAt = new Map<string, number>();
      const effectAt = new Map<string, number>();
      const eventIds: string[] = [];
      const eventAt = new Map<string, number>();
      const start = Date.now();
      const issuing = (async () => {
        for (let i = 0; i < group.length; i++) {
          const wait = start + changeAt(i) - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const at = Date.now();
          changedAt.set(group[i]!, at);
          for (const id of sandbox.changes.resignUser(group[i]!).eventIds) {
            eventIds.push(id);
            eventAt.set(id, at);
          }
        }
      })();
      const members = new Set(group);
      const commitsBefore = database.url ? await pgCommits(database.url) : 0;
      let polls = 0;
      const deadline = start + changeAt(group.length - 1) + 120_000;
      while (effectAt.size < group.length && Date.now() < deadline) {
        const now = Date.now();
        polls++;
        for (const row of await revokedSince(start)) {
          const userId = byLocalUser.get(row.localUserId);
          if (userId && members.has(userId) && !effectAt.has(userId)) effectAt.set(userId, now);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      await issuing;
      if (effectAt.size < group.length) {
        broken = true;
        console.error(`  ${group.length - effectAt.size} sessions still live 120 s after the last resignation`);
      }
      const latencies = group.filter((u) => effectAt.has(u)).map((u) => effectAt.get(u)! - changedAt.get(u)!);
      let commitsPerEvent: number | undefined;
      if (database.url) {
        await new Promise((r) => setTimeout(r, 1500)); // statistics settle
        // Less this process's own polls (one statement each) and the two statistics reads.
        commitsPerEvent = ((await pgCommits(database.url)) - commitsBefore - polls - 2) / eventIds.length;
      }
      // Where the time went: the push (change → recorded: queued at Feishu, delivered, committed) and the applier (recorded → applied).
      const rows = await reader.dataSource.getRepository(FSInnerEventModel).find({ select: { eventKey: true, receivedAt: true, settledAt: true }, where: { instance: INSTANCE, receivedAt: MoreThanOrEqual(start) } });
      const mine = rows.filter((r) => eventAt.has(r.eventKey));
      return {
        latencies,
        eventIds,
        wallMs: Math.max(...effectAt.values()) - start,
        recorded: mine.map((r) => r.receivedAt - eventAt.get(r.eventKey)!),
        applied: mine.filter((r) => r.settledAt !== null).map((r) => r.settledAt! - r.receivedAt),
        ...(commitsPerEvent !== undefined ? { commitsPerEvent } : {}),
      };
    }

    function report(label: string, r: Phase, n: number): void {
      console.log(`\n-- ${label}`);
      line('  resignations', n, '');
      line('  sessions revoked', r.latencies.length, '', { text: `= ${n}`, ok: r.latencies.length === n });
      line('  change → session refused, p50', percentile(r.latencies, 50), 'ms');
      const p99 = percentile(r.latencies, 99);
      line('  change → session refused, p99', p99, 'ms', below(p99, 1000, '1,000 ms'));
      line('  change → session refused, max', Math.max(...r.latencies), 'ms');
      line('  throughput (first change → last effect)', n / (r.wallMs / 1000), 'events/s');
      line('  of which change → recorded (push), p50', percentile(r.recorded, 50), 'ms');
      line('  of which change → recorded (push), p99', percentile(r.recorded, 99), 'ms');
      line('  of which recorded → applied, p50', percentile(r.applied, 50), 'ms');
      line('  of which recorded → applied, p99', percentile(r.applied, 99), 'ms');
      if (r.commitsPerEvent !== undefined) line('  PostgreSQL commits per event', r.commitsPerEvent, '');
    }

    const steady = await phase(people.slice(0, events), (i) => (i * 1000) / rate);
    report(`steady: one resignation every ${(1000 / rate).toFixed(0)} ms`, steady, events);
    const burst = await phase(people.slice(events, 2 * events), () => 0);
    report('burst: all at once', burst, events);

    // Every event once in the inbox, applied once.
    const eventIds = new Set([...steady.eventIds, ...burst.eventIds]);
    const rows = (await reader.dataSource.getRepository(FSInnerEventModel).find({ where: { instance: INSTANCE } })).filter((r) => eventIds.has(r.eventKey));
    const once = rows.filter((r) => r.status === 'applied' && r.attempts === 1 && r.duplicates === 0).length;
    console.log('\n-- inbox');
    line('  events pushed', eventIds.size, '');
    line('  rows recorded', rows.length, '', { text: `= ${eventIds.size}`, ok: rows.length === eventIds.size });
    line('  applied exactly once', once, '', { text: `= ${eventIds.size}`, ok: once === eventIds.size });
    line('  re-deliveries counted (duplicates)', rows.reduce((n, r) => n + r.duplicates, 0), '');
    for (const status of ['stale', 'failed', 'ignored', 'pending'] as const) line(`  ${status}`, rows.filter((r) => r.status === status).length, '');
    const retried = sandbox.events.deliveries({ appId: sandbox.appId }).filter((d) => eventIds.has(d.eventId) && d.attempts > 1).length;
    line('  pushes Feishu had to retry', retried, '');
    
    // Nobody who left still gets in.
    const stillIn: string[] = [];
    await drive(people.length, LOGIN_CONCURRENCY, async (i) => {
      const s = sessions.get(people[i]!)!;
      const reply = await get(server.base, '/api/session', s.cookie);
      if (reply.body.data) stillIn.push(people[i]!);
    });
    line('  sessions still authenticating', stillIn.length, '', { text: '= 0', ok: stillIn.length === 0 });
    if (rows.length !== eventIds.size || stillIn.length > 0) broken = true;
  } finally {
    await balancer?.close();
    for (const s of servers) await s.stop();
  }
} finally {
  await reader.close();
  await sandbox.close();
  await database.drop();
  temp.cleanup();
}
process.exit(broken ? 1 : 0);
