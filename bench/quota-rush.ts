/**
 * Quota-rush benchmark: several `jit serve` processes of one app spend ONE Feishu quota (issue #14).
 *
 *   npx tsx bench/quota-rush.ts [--servers N] [--departments N] [--users N] [--rate N] [--seconds N]
 *                               [--skip-single] [--redis]
 *
 * Feishu limits "per API, per app, per tenant" (feishu-events-and-scopes notes §7): oauth_token and
 * the contact endpoints 1000/min & 50/s, whichever process of the app sends. The element keeps one
 * budget per endpoint for all its processes (feishu/quota.ts: requestsPerSecond 48,
 * requestsPerMinute 990 by default, counted in the app's database, or in Redis with --redis), logins
 * before bulk work, and a login that would wait over rateLimitWaitSeconds (10) is refused with 45009.
 *
 * Setup: N `jit serve` servers (default 3) on one PostgreSQL database (a fresh one from
 * createTestDatabase('postgres'), dropped at the end), and one Feishu sandbox in this process that
 * enforces Feishu's per-app limits across all of them (its defaults: 50/s and 1000/min per
 * endpoint, sliding windows) with a generated org (default 1,000 departments / 10,000 users). The
 * instance runs on its defaults (quota, wait); only the servers' per-client sign-in limit is off
 * (JIT_LOGIN_RATE_LIMIT=0: all load comes from one address).
 *
 * Run: an administrator signs in and starts a full sync through the admin API on server 1
 * (POST /api/admin/elements/<instance>/actions/syncDepartmentInfo, followed to its end), and at the
 * same moment a morning rush of FIRST logins starts — people who never logged in and are not synced
 * yet (the sync writes nothing until all its listings are done) — offered open-loop at --rate per
 * second (default 25, above the quota's ~15.5/s) for --seconds (default 120), round-robin over the
 * servers. A login is getLoginConfig → sandbox issueCode → loginWithCode at one server. Then the
 * same with one server (a fresh sandbox and database), unless --skip-single.
 *
 * Printed, with our targets: 429s the sandbox answered (0: the budget keeps every process under
 * Feishu's limit), login latency p50/p99 of completed logins, logins completed per minute against
 * oauth_token's 1000/min (≥ 0.9 of it; the budget's steady pace is 930/min, budgetOf), logins refused
 * with 45009 (expected while more is offered than the quota admits), code exchanges spent on logins
 * that were then refused at a later endpoint, sync wall time against the least time its
 * find_by_department requests take at the budget's pace, tenant_token requests (1: fetched once for
 * all servers, feishu/shared-tenant-token.ts), and Feishu requests per completed login by endpoint,
 * over the run and split at the moment the sync finished (before: first logins against an empty
 * directory; after: the synced directory answers profiles, so the split is approximate at the edge).
 * The machine's CPU use during the rush is printed too: everything here shares its cores.
 *
 * Exits 0 on a MISS (it is a benchmark), non-zero on errors: a login failing otherwise than with
 * 45009, a sync that does not finish, a server that does not start.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { budgetOf } from '../elements/auths/loginTypes/FSInnerType/feishu/quota.js';
import { FSInnerCodes } from '../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { completeApp, generateOrg, startSandbox, type Org, type Sandbox, type SandboxStats } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database.js';
import { tempDir } from '../test/helpers/fixture.js';
import { freePort } from '../test/helpers/ports.js';
import { REDIS_URL } from '../test/helpers/redis.js';
import { post, startServer, startSync, syncOutcome, writeDemoApp, type Reply, type ServerProcess } from '../test/multiprocess/servers.js';
import { line, percentile } from './report.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '3' },
    departments: { type: 'string', default: '1000' },
    users: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '25' },
    seconds: { type: 'string', default: '120' },
    'skip-single': { type: 'boolean', default: false },
    redis: { type: 'boolean', default: false },
  },
});
const serverCount = Number(values.servers);
const departments = Number(values.departments);
const users = Number(values.users);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const offered = Math.round(rate * seconds);
if (![serverCount, departments, users, seconds].every((n) => Number.isInteger(n) && n >= 1) || !(rate > 0) || departments < 8 || users < offered + 36) {
  console.error('usage: tsx bench/quota-rush.ts [--servers N] [--departments N>=8] [--users N] [--rate N] [--seconds N] [--skip-single] [--redis]');
  console.error('       every offered login (rate × seconds) is a first login of its own: --users must be at least rate × seconds + 36');
  process.exit(2);
}

const FS = '/api/auths/loginTypes/FSInnerExample';
const ADMIN = 'zhangsan';
/** Feishu's limits (§7), which the sandbox enforces by default, and the instance's default budget (config.schema.json). */
const FEISHU_PER_MINUTE = 1000;
const FEISHU_PER_SECOND = 50;
const BUDGET = budgetOf({ perSecond: 48, perMinute: 990 });
/** Endpoints a login calls (a first one: code exchange, user_info, the contact record, unknown departments). */
const LOGIN_ENDPOINTS = ['oauth_token', 'user_info', 'user_get', 'departments_batch'] as const;
/** Endpoints the full sync calls. */
const SYNC_ENDPOINTS = ['department_children', 'find_by_department'] as const;

const cores = cpus().length;
let errors = 0;

/** CPU seconds the whole machine spent busy (all cores, /proc/stat, everything but idle and iowait); 0 off Linux. */
function machineBusySeconds(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return 0;
  }
}

function ok(what: string, reply: Reply): NonNullable<Reply['body']['data']> {
  if (reply.status !== 200 || !reply.body.ok) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.data;
}

type Outcome = { kind: 'done'; ms: number } | { kind: 'refused' } | { kind: 'error'; message: string };

async function login(sandbox: Sandbox, server: ServerProcess, userId: string): Promise<Outcome> {
  const started = performance.now();
  try {
    const config = await post(server.base, `${FS}/getLoginConfig`, {});
    const { state } = ok('getLoginConfig', config);
    const reply = await post(server.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId }).code, state }, config.cookie);
    if (reply.status === 429 && reply.body.code === FSInnerCodes.RATE_LIMITED) return { kind: 'refused' };
    const user = ok('loginWithCode', reply);
    if (user.userId !== userId) return { kind: 'error', message: `login returned ${user.userId}, expected ${userId}` };
    return { kind: 'done', ms: performance.now() - started };
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}

interface Result {
  servers: number;
  offeredPerSecond: number;
  completed: number;
  completedByServer: number[];
  refused: number;
  failed: number;
  latencies: number[];
  /** From the first login offered to the last one settled. */
  rushSeconds: number;
  syncSeconds: number;
  syncStatus: string;
  /** Requests from the start of the rush and sync to the end of both (the administrator's sign-in excluded). */
  requests: SandboxStats;
  /** The same, up to the moment the sync finished, and the logins completed by then. */
  atSyncDone: { requests: SandboxStats; completed: number } | undefined;
  /** Over the sandbox's whole life. */
  tenantTokens: number;
  rateLimited: number;
  /** Of one core, from the start of the rush to its end: every process on the machine. */
  machineBusyPercent: number;
}

type EndpointName = keyof SandboxStats['byEndpoint'];

/** What the sandbox counted between two snapshots. */
function since(after: SandboxStats, before: SandboxStats): SandboxStats {
  const d = structuredClone(after);
  d.total -= before.total;
  for (const [name, e] of Object.entries(d.byEndpoint)) {
    const b = before.byEndpoint[name as EndpointName];
    e.total -= b.total;
    e.rateLimited -= b.rateLimited;
    for (const [status, n] of Object.entries(b.byStatus)) e.byStatus[status] = (e.byStatus[status] ?? 0) - n;
  }
  return d;
}

/** Requests `stats` counted at the login endpoints, in all and by endpoint. */
const loginRequests = (stats: SandboxStats) => LOGIN_ENDPOINTS.reduce((n, e) => n + stats.byEndpoint[e].total, 0);

async function scenario(org: Org, count: number): Promise<Result> {
  const temp = tempDir('jit-bench-quota-');
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  // An app id of its own: the budget is keyed by Feishu app, and a shared Redis must not carry one run's counts or token into the next.
  const appId = `cli_${randomBytes(8).toString('hex')}`;
  const sandbox = await startSandbox({ org, apps: [completeApp({ appId, redirectUris: ports.map((p) => `http://127.0.0.1:${p}/login/callback`) })] });
  const servers: ServerProcess[] = [];
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase('postgres');
    const appDir = writeDemoApp(temp.dir, sandbox, { adminUserIds: [ADMIN] }, `quota${appId.slice(4, 10)}`);
    const env = { JIT_DATABASE_URL: database.url!, FEISHU_APP_SECRET: sandbox.appSecret, JIT_LOGIN_RATE_LIMIT: '0', JIT_REDIS_URL: values.redis ? REDIS_URL : '' };
    for (const port of ports) servers.push(await startServer(appDir, port, env)); // the first migrates; the others find the schema ready

    const people = org
      .activeUsers()
      .filter((u) => u.department_ids.length > 0 && u.user_id !== ADMIN)
      .map((u) => u.user_id);
    if (people.length < offered) throw new Error(`only ${people.length} people can log in, ${offered} first logins are offered: raise --users`);

    const first = servers[0]!;
    const adminConfig = await post(first.base, `${FS}/getLoginConfig`, {});
    const admin = await post(first.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: ADMIN }).code, state: ok('getLoginConfig', adminConfig).state }, adminConfig.cookie);
    ok('administrator login', admin);
    const before = sandbox.stats();

    // The sync and the rush start together.
    const busyBefore = machineBusySeconds();
    const t0 = performance.now();
    let completed = 0;
    let atSyncDone: Result['atSyncDone'];
    let syncSeconds = NaN;
    const run = ok('start sync', await startSync(first.base, admin.cookie!));
    const sync = syncOutcome(first.base, run.runId, admin.cookie!).then((outcome) => {
      syncSeconds = (performance.now() - t0) / 1000;
      atSyncDone = { requests: since(sandbox.stats(), before), completed };
      return outcome?.status ?? 'no outcome';
    });

    const latencies: number[] = [];
    const completedByServer = servers.map(() => 0);
    let refused = 0;
    const failures: string[] = [];
    const inFlight: Array<Promise<void>> = [];
    for (let k = 0; k < offered; k++) {
      const wait = t0 + (k * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const at = k % count;
      inFlight.push(
        login(sandbox, servers[at]!, people[k]!).then((o) => {
          if (o.kind === 'done') {
            completed++;
            completedByServer[at]!++;
            latencies.push(o.ms);
          } else if (o.kind === 'refused') refused++;
          else failures.push(o.message);
        }),
      );
    }
    const lastOffered = performance.now();
    await Promise.all(inFlight);
    const rushSeconds = (performance.now() - t0) / 1000;
    const busy = machineBusySeconds() - busyBefore;
    const syncStatus = await sync;
    const after = sandbox.stats();
    if (failures.length > 0) console.error(`  ${failures.length} login(s) failed otherwise than with 45009, first: ${failures[0]}`);
    if (syncStatus !== 'done') console.error(`  the sync ended "${syncStatus}"`);
    errors += failures.length + (syncStatus === 'done' ? 0 : 1);

    return {
      servers: count,
      offeredPerSecond: (offered - 1) / ((lastOffered - t0) / 1000),
      completed,
      completedByServer,
      refused,
      failed: failures.length,
      latencies,
      rushSeconds,
      syncSeconds,
      syncStatus,
      requests: since(after, before),
      atSyncDone,
      tenantTokens: after.byEndpoint.tenant_token.total,
      rateLimited: Object.values(after.byEndpoint).reduce((n, e) => n + e.rateLimited, 0),
      machineBusyPercent: (busy / rushSeconds) * 100,
    };
  } finally {
    for (const server of servers) await server.stop();
    await sandbox.close();
    await database?.drop();
    temp.cleanup();
  }
}

function print(label: string, r: Result): void {
  console.log(`\n-- ${label}`);
  const perMinute = r.completed / (r.rushSeconds / 60);
  const exchanges = r.requests.byEndpoint.oauth_token.byStatus['200'] ?? 0;
  line('  offered', r.offeredPerSecond, '/s');
  line('  429s from the sandbox', r.rateLimited, '', { text: '= 0', ok: r.rateLimited === 0 });
  line('  login latency p50 (completed)', percentile(r.latencies, 50), 'ms');
  line('  login latency p99 (completed)', percentile(r.latencies, 99), 'ms');
  line('  logins completed', r.completed, '');
  if (r.servers > 1) console.log(`    by server: ${r.completedByServer.join(' / ')}`);
  line('  logins completed per minute', perMinute, '/min', { text: `>= ${0.9 * FEISHU_PER_MINUTE}`, ok: perMinute >= 0.9 * FEISHU_PER_MINUTE });
  line("    of oauth_token's 1000/min", perMinute / FEISHU_PER_MINUTE, 'x', { text: '>= 0.9', ok: perMinute >= 0.9 * FEISHU_PER_MINUTE });
  line('    code exchanges per minute (sandbox)', exchanges / (r.rushSeconds / 60), '/min');
  line('  logins refused with 45009', r.refused, '');
  line('    of the logins offered', (r.refused / offered) * 100, '%');
  line('  exchanges spent on refused logins', exchanges - r.completed, '');
  line('  other failed logins', r.failed, '', { text: '= 0', ok: r.failed === 0 });
  const members = r.requests.byEndpoint.find_by_department.total;
  line('  sync wall time', r.syncSeconds, 's');
  line('    least time (find_by_department pace)', (Math.max(0, members - BUDGET.perTwoSecondWindow) / BUDGET.steadyPerMinute) * 60, 's');
  line('  tenant_token requests', r.tenantTokens, '', { text: '= 1', ok: r.tenantTokens === 1 });
  line('  Feishu requests per login', loginRequests(r.requests) / r.completed, 'req');
  for (const e of LOGIN_ENDPOINTS) line(`    ${e}`, r.requests.byEndpoint[e].total / r.completed, 'req');
  if (r.atSyncDone && r.atSyncDone.completed > 0) {
    const during = r.atSyncDone;
    const perFirst = loginRequests(during.requests) / during.completed;
    line('    while the sync ran (first logins)', perFirst, 'req', { text: '<= 3', ok: perFirst <= 3 });
    for (const e of LOGIN_ENDPOINTS) line(`      ${e}`, during.requests.byEndpoint[e].total / during.completed, 'req');
    const afterLogins = r.completed - during.completed;
    if (afterLogins > 0) line('    after the sync (directory synced)', (loginRequests(r.requests) - loginRequests(during.requests)) / afterLogins, 'req');
  }
  for (const e of SYNC_ENDPOINTS) line(`  sync requests ${e}`, r.requests.byEndpoint[e].total, 'req');
  line(`  CPU machine busy, rush (of ${cores * 100} %)`, r.machineBusyPercent, '% core');
}

try {
  console.log(`== Quota rush: ${offered} first logins offered at ${rate}/s for ${seconds} s while a full sync of ${departments.toLocaleString('en-US')} departments / ${users.toLocaleString('en-US')} users runs ==`);
  console.log(`   one Feishu sandbox enforcing ${FEISHU_PER_SECOND}/s & ${FEISHU_PER_MINUTE}/min per endpoint (sliding) for the app, whichever server sends; servers on one PostgreSQL database`);
  console.log(`   budget (instance defaults 48/s, 990/min): ${BUDGET.perSecondWindow} per 1 s window, ${BUDGET.perTwoSecondWindow} per 2 s window per endpoint → steady ${BUDGET.steadyPerMinute}/min; counted in ${values.redis ? 'Redis' : 'the database'}`);
  console.log(`   this machine has ${cores} cores, shared by the servers, PostgreSQL and this process (sandbox + HTTP client)`);
  const generated = performance.now();
  const org = generateOrg({ departments, users });
  line('org generated', performance.now() - generated, 'ms');

  const scenarios = [serverCount, ...(values['skip-single'] || serverCount === 1 ? [] : [1])];
  const results: Result[] = [];
  for (const count of scenarios) {
    const r = await scenario(org, count);
    results.push(r);
    print(`${count} server${count > 1 ? 's' : ''}`, r);
  }
  if (results.length === 2) {
    const [many, one] = results as [Result, Result];
    console.log('\n-- comparison');
    line(`  logins/min ${many.servers} servers / 1 server`, many.completed / many.rushSeconds / (one.completed / one.rushSeconds), 'x');
    line(`  sync wall time ${many.servers} servers / 1 server`, many.syncSeconds / one.syncSeconds, 'x');
  }
} catch (err) {
  console.error(err);
  process.exit(1);
}
process.exit(errors > 0 ? 1 : 0);

