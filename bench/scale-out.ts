/**
 * Scale-out benchmark: does a second `jit serve` process on the same database
 * raise Feishu login throughput, and what does PostgreSQL cost against SQLite
 * on the write-heavy path (a full org sync)?
 *
 *   npx tsx bench/scale-out.ts [--logins N] [--concurrency N] [--users N] [--departments N]
 *                              [--skip-logins] [--skip-sync]
 *   SCALE_OUT_CPU_PROF=<dir> makes each server write a V8 CPU profile there (bench/cpu-profile.mjs).
 *
 * 1. Login throughput over HTTP, one process vs two processes on one
 *    PostgreSQL database (a fresh one from createTestDatabase, dropped at the
 *    end), and one process on the default SQLite file for comparison. The
 *    servers are real `jit serve` child processes (test/multiprocess/servers.ts);
 *    the Feishu sandbox and the HTTP client run in this process. The sandbox has
 *    rate limiting off (rate 0) and the instance paces at requestsPerSecond
 *    1000, so neither Feishu's quota nor the client-side pacer is what is
 *    measured; the servers' own per-client sign-in limit is off too
 *    (JIT_LOGIN_RATE_LIMIT=0), since all load comes from one address. Before
 *    measuring, an admin sync (POST /api/admin/elements/<instance>/actions/syncDepartmentInfo) fills the directory and
 *    every person logs in once at every process in the run, so
 *    tenant tokens, local accounts and connection pools are warm and a login
 *    costs Feishu two requests (code exchange + user_info). A login is
 *      POST …/getLoginConfig → sandbox.issueCode → POST …/loginWithCode {authCode, state}
 *    and N of them run at a fixed concurrency. With two processes, login i goes
 *    by i mod 4 to A/A, B/B, A/B, B/A (getLoginConfig at the first, loginWithCode
 *    at the second): round-robin, and for half the logins the state is issued
 *    by one process and consumed by the other, as behind a load balancer
 *    without sticky sessions. We print logins/s, p50/p99 of a whole login, and
 *    the 2-proc/1-proc ratio, plus the CPU each party used during the run
 *    (from /proc: this process = sandbox + client, each server, all postgres
 *    backends, and whatever else ran on the machine meanwhile), which shows
 *    where the cores went and whether the run was disturbed. On PostgreSQL
 *    also commits per login (pg_stat_database.xact_commit), i.e. how many
 *    round trips a login costs the database.
 *
 * 2. Full sync on SQLite vs PostgreSQL, in-process (loadApp with databaseUrl,
 *    migrate, dataDir), against one sandbox with a generated org (default
 *    5,000 departments / 50,000 users) and rate limiting off. The element still
 *    paces the contact reads at 950/min per endpoint (pacing.ts), so with
 *    thousands of pages the request phases take minutes whatever the database;
 *    the write phase is where the databases differ, so it is printed
 *    separately. It runs from the last 'users' progress update (the last member
 *    page is in) to 'done'; the gap before the first 'writing' update is
 *    printed too. Rows written per second are given over
 *    the whole sync and over the write phase alone (rows = departments + users
 *    + memberships, counted from the database afterwards).
 *
 * The targets are ours, not a spec's: logins must not fail, a login must cost
 * Feishu ≤ 2 requests, a second process must add throughput (> 1.0 x; the
 * machine's cores are shared by both servers, PostgreSQL, the sandbox and the
 * client, so the ideal 2 x is out of reach here), and PostgreSQL's sync write
 * phase should stay within 3 x of SQLite's (a network round trip per statement
 * against an in-process library).
 *
 * Exits 0 on a MISS (it is a benchmark), non-zero on errors or failed logins.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FSInnerType } from '../elements/auths/loginTypes/FSInnerType/index.js';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from '../elements/auths/loginTypes/FSInnerType/index.js';
import { defaultApp, startSandbox, type Sandbox, type SandboxStats } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp } from '../runtime/index.js';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database.js';
import { tempDir, writeTree } from '../test/helpers/fixture.js';
import { freePort } from '../test/helpers/ports.js';
import { post, startServer, syncOutcome, type ServerProcess } from '../test/multiprocess/servers.js';
import { drive } from './feishu-app.js';
import { pgCommits } from './pg-stats.js';
import { above, below, line, percentile, rssMb } from './report.js';

const { values } = parseArgs({
  options: {
    logins: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    users: { type: 'string', default: '50000' },
    departments: { type: 'string', default: '5000' },
    'skip-logins': { type: 'boolean', default: false },
    'skip-sync': { type: 'boolean', default: false },
  },
});
const logins = Number(values.logins);
const concurrency = Number(values.concurrency);
const users = Number(values.users);
const departments = Number(values.departments);
if (![logins, concurrency, users, departments].every((n) => Number.isInteger(n) && n >= 1) || departments < 8 || users < 9) {
  console.error('usage: tsx bench/scale-out.ts [--logins N] [--concurrency N] [--users N>=9] [--departments N>=8] [--skip-logins] [--skip-sync]');
  process.exit(2);
}

const INSTANCE = 'auths.loginTypes.FSInnerExample';
const FS = '/api/auths/loginTypes/FSInnerExample';
const ADMIN = 'zhangsan';
/** People who log in during part 1: enough that no two logins in flight are the same person. */
const LOGIN_ORG = { departments: 20, users: Math.max(200, concurrency * 4) };
/** The element's per-minute pace on contact reads (pacing.ts). */
const PACED_PER_MINUTE = 950;

const cores = cpus().length;
let failedRuns = 0;

// ---------------------------------------------------------------- CPU accounting (/proc, Linux only)

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, or 0 when it is gone / not Linux. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function processes(): Array<{ pid: number; comm: string; cmdline: string }> {
  const found: Array<{ pid: number; comm: string; cmdline: string }> = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const e of entries) {
    try {
      const comm = readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      found.push({ pid: Number(e), comm, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU seconds the whole machine spent busy (all cores, /proc/stat: everything but idle and iowait). */
function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields; // idle and iowait are skipped
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The pid of the `jit serve … --port P` child (startServer does not hand it out). */
function serverPid(port: number): number | undefined {
  return processes().find((p) => p.cmdline.includes('runtime/cli/main.ts serve') && p.cmdline.includes(`--port ${port} `))?.pid;
}

/** CPU seconds used by each party between start() and stop(). PostgreSQL backends come and go, so they are summed over the live ones at each end. */
function cpuMeter(parties: Record<string, number | undefined>) {
  const postgres = () => processes().filter((p) => p.comm === 'postgres').reduce((n, p) => n + cpuSeconds(p.pid), 0);
  const read = () => ({
    machine: machineBusySeconds(),
    bench: process.cpuUsage(),
    parties: Object.fromEntries(Object.entries(parties).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : 0])),
    postgres: postgres(),
  });
  const before = read();
  return () => {
    const after = read();
    const bench = (after.bench.user - before.bench.user + after.bench.system - before.bench.system) / 1e6;
    const used: Record<string, number> = { 'this process (sandbox + client)': bench };
    for (const k of Object.keys(parties)) used[k] = after.parties[k]! - before.parties[k]!;
    used['postgres (all backends)'] = Math.max(0, after.postgres - before.postgres);
    const ours = Object.values(used).reduce((a, b) => a + b, 0);
    used['anything else on the machine'] = Math.max(0, after.machine - before.machine - ours);
    return used;
  };
}

// ---------------------------------------------------------------- part 1: logins over HTTP

interface Served {
  dir: string;
  env: Record<string, string>;
}

/** A temp app folder with one FSInnerExample instance on `sandbox`; databaseUrl '' = the default SQLite file in <app>/data. */
function writeApp(root: string, sandbox: Sandbox, databaseUrl: string): Served {
  writeTree(root, {
    'apps/demo/app.json': { name: 'demo' },
    'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType' },
    'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': {
      appId: sandbox.appId,
      appSecret: '${FEISHU_APP_SECRET}',
      domain: sandbox.baseUrl,
      adminUserIds: [ADMIN],
      requestsPerSecond: 1000,
      requestsPerMinute: 60000,
    },
  });
  // JIT_LOGIN_RATE_LIMIT=0: the per-client sign-in limit (120/min by default) would refuse a load test from one address.
  // SCALE_OUT_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (open in Chrome DevTools).
  const env: Record<string, string> = { JIT_DATABASE_URL: databaseUrl, FEISHU_APP_SECRET: sandbox.appSecret, JIT_LOGIN_RATE_LIMIT: '0' };
  if (process.env['SCALE_OUT_CPU_PROF']) env['NODE_OPTIONS'] = `--import ${new URL('./cpu-profile.mjs', import.meta.url).href}`;
  return { dir: join(root, 'apps/demo'), env };
}

async function expectOk(what: string, reply: Awaited<ReturnType<typeof post>>): Promise<NonNullable<typeof reply.body.data>> {
  if (reply.status !== 200 || !reply.body.ok) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.data;
}

async function loginOnce(sandbox: Sandbox, configAt: string, loginAt: string, userId: string): Promise<void> {
  const { state } = await expectOk(`getLoginConfig at ${configAt}`, await post(configAt, `${FS}/getLoginConfig`, {}));
  const { code } = sandbox.issueCode({ userId });
  const user = await expectOk(`loginWithCode at ${loginAt}`, await post(loginAt, `${FS}/loginWithCode`, { authCode: code, state }));
  if (user.userId !== userId) throw new Error(`login at ${loginAt} returned ${user.userId}, expected ${userId}`);
}

/** Admin sync through the HTTP API of `server`, so the directory holds everyone and logins read profiles locally. */
async function adminSync(sandbox: Sandbox, server: ServerProcess): Promise<void> {
  const { state } = await expectOk('getLoginConfig', await post(server.base, `${FS}/getLoginConfig`, {}));
  const login = await post(server.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: ADMIN }).code, state });
  await expectOk('admin login', login);
  const run = await expectOk('start sync', await post(server.base, `/api/admin/elements/${INSTANCE}/actions/syncDepartmentInfo`, {}, login.cookie));
  const outcome = await syncOutcome(server.base, run.runId, login.cookie!);
  if (outcome.status !== 'done') throw new Error(`admin sync ended ${JSON.stringify(outcome)}`);
}

interface LoginResult {
  loginsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  feishuPerLogin: number;
  cpu: Record<string, number>;
  wallSeconds: number;
  /** PostgreSQL only: committed transactions per login (≈ round trips that end in a commit). */
  commitsPerLogin?: number;
}

/** N logins at `concurrency`; route(i) gives [getLoginConfig server, loginWithCode server]. */
async function measureLogins(sandbox: Sandbox, people: string[], route: (i: number) => [ServerProcess, ServerProcess], parties: Record<string, number | undefined>, databaseUrl?: string): Promise<LoginResult> {
  sandbox.resetStats();
  const commitsBefore = await pgCommits(databaseUrl);
  const errors: string[] = [];
  const stop = cpuMeter(parties);
  const { latencies, wallMs } = await drive(logins, concurrency, async (i) => {
    const [first, second] = route(i);
    try {
      await loginOnce(sandbox, first.base, second.base, people[i % people.length]!);
    } catch (err) {
      errors.push((err as Error).message);
    }
  });
  const cpu = stop();
  const stats: SandboxStats = sandbox.stats();
  // Statistics reach pg_stat_database when a backend goes idle (up to ~1 s late); wait for them to settle.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const commits = databaseUrl ? ((await pgCommits(databaseUrl)) - commitsBefore) / logins : undefined;
  if (errors.length > 0) console.error(`  ${errors.length} failed login(s), first: ${errors[0]}`);
  return {
    loginsPerSecond: logins / (wallMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed: errors.length,
    feishuPerLogin: stats.total / logins,
    cpu,
    wallSeconds: wallMs / 1000,
    ...(commits !== undefined ? { commitsPerLogin: commits } : {}),
  };
}

function printLogins(label: string, r: LoginResult): void {
  console.log(`-- ${label}`);
  line('  logins/s', r.loginsPerSecond, '/s');
  line('  login latency p50', r.p50, 'ms');
  line('  login latency p99', r.p99, 'ms');
  line('  failed logins', r.failed, '', { text: '= 0', ok: r.failed === 0 });
  line('  Feishu requests per login', r.feishuPerLogin, 'req', { text: '<= 2', ok: r.feishuPerLogin <= 2 });
  if (r.commitsPerLogin !== undefined) line('  PostgreSQL commits per login', r.commitsPerLogin, '');
  let total = 0;
  for (const [party, seconds] of Object.entries(r.cpu)) {
    total += seconds;
    line(`  CPU ${party}`, (seconds / r.wallSeconds) * 100, '% core');
  }
  line(`  CPU machine total (of ${cores * 100} %)`, (total / r.wallSeconds) * 100, '% core');
  const others = r.cpu['anything else on the machine'] ?? 0;
  if (others / r.wallSeconds > 0.15) console.log(`  note: other processes used ${((others / r.wallSeconds) * 100).toFixed(0)} % of a core during this run; the figures above are disturbed`);
  if (r.failed > 0) failedRuns++;
}

async function loginBench(): Promise<void> {
  console.log(`\n== Login throughput over HTTP: ${logins} logins at concurrency ${concurrency}, sandbox rate limiting off, requestsPerSecond 1000 ==`);
  console.log(`   note: this machine has ${cores} cores, shared by the server process(es), PostgreSQL and this process (sandbox + HTTP client)`);
  const temp = tempDir('jit-bench-scale-');
  const [portSqlite, portA, portB] = [await freePort(), await freePort(), await freePort()];
  const sandbox = await startSandbox({
    rate: 0,
    org: LOGIN_ORG,
    apps: [{ ...defaultApp(), redirectUris: [portSqlite, portA, portB].map((p) => `http://127.0.0.1:${p}/login/callback`) }],
  });
  const people = sandbox.org
    .activeUsers()
    .filter((u) => u.department_ids.length > 0)
    .map((u) => u.user_id);
  console.log(`   ${people.length} people log in in turn; each logged in once at every process before the measured run`);
  const servers: ServerProcess[] = [];
  let database: TestDatabase | undefined;
  try {
    // SQLite, one process: the default file in the app's data folder.
    const sqliteApp = writeApp(join(temp.dir, 'sqlite'), sandbox, '');
    const s = await startServer(sqliteApp.dir, portSqlite, sqliteApp.env);
    servers.push(s);
    await adminSync(sandbox, s);
    await drive(people.length, concurrency, (i) => loginOnce(sandbox, s.base, s.base, people[i]!));
    const sqliteOne = await measureLogins(sandbox, people, () => [s, s], { 'server (SQLite)': serverPid(portSqlite) });
    await s.stop();
    servers.splice(servers.indexOf(s), 1);
    printLogins('1 process, SQLite (default file)', sqliteOne);

    // PostgreSQL: one process, then a second one on the same database.
    database = await createTestDatabase('postgres');
    const pgApp = writeApp(join(temp.dir, 'pg'), sandbox, database.url!);
    const a = await startServer(pgApp.dir, portA, pgApp.env); // migrates first; B then finds the schema ready
    servers.push(a);
    await adminSync(sandbox, a);
    await drive(people.length, concurrency, (i) => loginOnce(sandbox, a.base, a.base, people[i]!));
    const pgOne = await measureLogins(sandbox, people, () => [a, a], { 'server A': serverPid(portA) }, database.url);
    printLogins('1 process, PostgreSQL', pgOne);

    const b = await startServer(pgApp.dir, portB, pgApp.env);
    servers.push(b);
    await drive(people.length, concurrency, (i) => loginOnce(sandbox, b.base, b.base, people[i]!));
    const routes: Array<[ServerProcess, ServerProcess]> = [
      [a, a],
      [b, b],
      [a, b],
      [b, a],
    ];
    const pgTwo = await measureLogins(sandbox, people, (i) => routes[i % 4]!, { 'server A': serverPid(portA), 'server B': serverPid(portB) }, database.url);
    printLogins('2 processes, PostgreSQL (A/A, B/B, A→B, B→A in turn)', pgTwo);

    console.log('-- comparison');
    const ratio = pgTwo.loginsPerSecond / pgOne.loginsPerSecond;
    line('  2-proc / 1-proc logins/s (PostgreSQL)', ratio, 'x', above(ratio, 1, '1.0 x'));
    line('  PostgreSQL / SQLite logins/s (1 proc)', pgOne.loginsPerSecond / sqliteOne.loginsPerSecond, 'x');
    line('  p99 2-proc / 1-proc (PostgreSQL)', pgTwo.p99 / pgOne.p99, 'x');
  } finally {
    for (const server of servers) await server.stop();
    await sandbox.close();
    await database?.drop();
    temp.cleanup();
  }
}

// ---------------------------------------------------------------- part 2: full sync, SQLite vs PostgreSQL

interface SyncResult {
  wallSeconds: number;
  phases: Record<string, number>;
  writeSeconds: number;
  rows: { departments: number; users: number; memberships: number };
  requests: { children: number; members: number; total: number };
}

async function syncOnce(sandbox: Sandbox, engine: 'sqlite' | 'postgres'): Promise<SyncResult> {
  const temp = tempDir(`jit-bench-sync-${engine}-`);
  const database = engine === 'postgres' ? await createTestDatabase('postgres') : undefined;
  const app = writeApp(temp.dir, sandbox, database?.url ?? '');
  const loaded = await loadApp(app.dir, { env: app.env, ...(database?.url ? { databaseUrl: database.url } : {}), migrate: true, dataDir: join(temp.dir, 'data') });
  try {
    if (loaded.diagnostics.length > 0) throw new Error(`bench app has diagnostics: ${JSON.stringify(loaded.diagnostics, null, 2)}`);
    const fs = loaded.getElement<FSInnerType>(INSTANCE);
    await fs.getAccessToken();
    sandbox.resetStats();
    // First and last progress update of each phase, in ms from the start.
    const first: Record<string, number> = {};
    const last: Record<string, number> = {};
    let lastPrint = 0;
    const started = performance.now();
    await fs.syncDepartmentInfo({
      onProgress: (p) => {
        const now = performance.now();
        const newPhase = first[p.phase] === undefined;
        if (newPhase) first[p.phase] = now - started;
        last[p.phase] = now - started;
        if (newPhase || now - lastPrint > 30_000) {
          console.log(`  [${((now - started) / 1000).toFixed(1).padStart(6)} s] ${p.phase}: departments ${p.departmentsDone}/${p.departmentsFound}, users found ${p.usersFound}, written ${p.usersWritten}`);
          lastPrint = now;
        }
      },
    });
    const wallMs = performance.now() - started;
    const stats = sandbox.stats();
    const ds = loaded.dataSource;
    const rows = {
      departments: await ds.getRepository(FSInnerDeptModel).countBy({ instance: INSTANCE }),
      users: await ds.getRepository(FSInnerAuthModel).countBy({ instance: INSTANCE }),
      memberships: await ds.getRepository(FSInnerMembershipModel).countBy({ instance: INSTANCE }),
    };
    // The element reports phase 'writing' only after its first batch of users is stored; the
    // last 'users' update comes when the last member page is in, so writes start right after it.
    const fetched = last['users'] ?? 0;
    const done = first['done'] ?? wallMs;
    return {
      wallSeconds: wallMs / 1000,
      phases: {
        'departments (department_children)': (first['users'] ?? 0) / 1000,
        'members (find_by_department)': (fetched - (first['users'] ?? 0)) / 1000,
        'writes (last member page → done)': (done - fetched) / 1000,
        "  of which before first 'writing'": ((first['writing'] ?? done) - fetched) / 1000,
      },
      writeSeconds: (done - fetched) / 1000,
      rows,
      requests: { children: stats.byEndpoint.department_children.total, members: stats.byEndpoint.find_by_department.total, total: stats.total },
    };
  } finally {
    await loaded.close();
    await database?.drop();
    temp.cleanup();
  }
}

/** The least time the element's per-minute pace allows for n requests to one endpoint (first 950 at once, then 950 a minute). */
const pacedFloor = (n: number) => Math.floor(Math.max(0, n - 1) / PACED_PER_MINUTE) * 60;

function printSync(label: string, r: SyncResult): number {
  const rows = r.rows.departments + r.rows.users + r.rows.memberships;
  console.log(`-- ${label}`);
  line('  wall time', r.wallSeconds, 's');
  for (const [phase, seconds] of Object.entries(r.phases)) line(`    ${phase}`, seconds, 's');
  // The two listings run at once, each on its own quota (department-sync.ts): the floor is the busier one.
  line('  pacing floor (950/min per endpoint, the busier endpoint)', Math.max(pacedFloor(r.requests.children), pacedFloor(r.requests.members)), 's');
  line('  requests department_children', r.requests.children, 'req');
  line('  requests find_by_department', r.requests.members, 'req');
  line('  rows: departments', r.rows.departments, '');
  line('  rows: users', r.rows.users, '');
  line('  rows: memberships', r.rows.memberships, '');
  line('  rows written per second (wall)', rows / r.wallSeconds, '/s');
  line('  rows written per second (write phase)', rows / r.writeSeconds, '/s');
  return rows;
}

async function syncBench(): Promise<void> {
  console.log(`\n== Full sync: ${departments} departments / ${users} users, sandbox rate limiting off, requestsPerSecond 1000 ==`);
  console.log(`   note: the element still paces contact reads at ${PACED_PER_MINUTE}/min per endpoint (pacing.ts); the write phase is what the database changes`);
  const generated = performance.now();
  const sandbox = await startSandbox({ rate: 0, org: { departments, users } });
  line('org generated + sandbox started', performance.now() - generated, 'ms');
  try {
    const sqlite = await syncOnce(sandbox, 'sqlite');
    const sqliteRows = printSync('SQLite (file in a temp data dir)', sqlite);
    const pg = await syncOnce(sandbox, 'postgres');
    const pgRows = printSync('PostgreSQL (fresh database)', pg);
    console.log('-- comparison');
    if (pgRows !== sqliteRows) console.error(`  row counts differ: SQLite ${sqliteRows}, PostgreSQL ${pgRows}`);
    line('  rows equal on both', pgRows === sqliteRows ? 1 : 0, '', { text: '= 1', ok: pgRows === sqliteRows });
    line('  PostgreSQL / SQLite wall time', pg.wallSeconds / sqlite.wallSeconds, 'x');
    const writeRatio = pg.writeSeconds / sqlite.writeSeconds;
    line('  PostgreSQL / SQLite write phase', writeRatio, 'x', below(writeRatio, 3, '3 x'));
    const paced = Math.max(sqlite.wallSeconds - sqlite.writeSeconds, pg.wallSeconds - pg.writeSeconds);
    line('  share of wall time in requests (max)', (paced / Math.max(sqlite.wallSeconds, pg.wallSeconds)) * 100, '%');
    line('  RSS', rssMb(), 'MB');
    if (pgRows !== sqliteRows) failedRuns++;
  } finally {
    await sandbox.close();
  }
}

try {
  if (!values['skip-logins']) await loginBench();
  if (!values['skip-sync']) await syncBench();
} catch (err) {
  console.error(err);
  process.exit(1);
}
if (failedRuns > 0) process.exit(1);
process.exit(0);
