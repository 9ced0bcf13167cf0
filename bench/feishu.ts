/**
 * Feishu login benchmark: how close the FSInnerType element gets to what
 * Feishu (here the sandbox) can serve, for logins and for a full org sync.
 *
 *   npx tsx bench/feishu.ts [--logins N] [--concurrency N] [--users N] [--departments N]
 *                           [--rate N] [--skip-logins] [--skip-sync]
 *
 * Everything runs in this one process: a sandbox (elements/.../sandbox) and an
 * app loaded with loadApp from a temp folder (SQLite on disk), holding an
 * FSInnerExample instance that points at the sandbox. Sandbox and element share
 * the event loop, so their CPU costs add up; the capacity below is measured the
 * same way, so the ratio compares like with like.
 *
 * 1. Login throughput. The sandbox has rate limiting off (we measure CPU and
 *    I/O, not Feishu's quota) and the element's client-side pace is raised to
 *    its maximum (requestsPerSecond 1000) for the same reason. The tenant token
 *    is warm and every user was synced first (syncDepartmentInfo), so a login
 *    should cost Feishu two requests: the code exchange and user_info. N logins
 *    run at a fixed concurrency, each one getLoginConfig → sandbox.issueCode →
 *    getLoginCode, and we print logins/s, p50/p99 latency and Feishu requests
 *    per login. Then the sandbox's own capacity on the same two endpoints: the
 *    same number of workers, each doing raw POST /open-apis/authen/v2/oauth/token
 *    then GET /open-apis/authen/v1/user_info in a loop with got (the element's
 *    HTTP client, so the client library is not what differs). capacity/2 is the
 *    login rate a client with zero overhead would reach; the goal is
 *    logins/s ÷ (capacity/2) ≥ 70%.
 *
 * 2. Full sync of a large org (default 5,000 departments / 50,000 users) under
 *    the sandbox's contract rate limits: `rate` requests/s per endpoint (default
 *    50) and, on the contact endpoints, Feishu's 1000/min (contract §7). The
 *    floor is the least time the requests the sync cannot avoid can take:
 *      pages(department_children) = max(1, ⌈departments/50⌉)   one fetch_child=true
 *                                   listing of the whole tree from the root "0"
 *      pages(find_by_department)  = Σ over the root and every department of
 *                                   max(1, ⌈direct members/50⌉)
 *    Each endpoint has its own quota: n requests need at least
 *      t(n) = ⌊(n−1)/1000⌋·60 s + (((n−1) mod 1000) + 1)/rate
 *    (whole minutes of 1000, then the rest at `rate`/s). The element lists both
 *    at once, so floor = max over endpoints of t(pages); the target is wall time
 *    ≤ 1.1 × floor. Also printed: the floor at the element's own steady pace
 *    (930/min per endpoint: feishu/quota.ts), which is what it can reach at best, the
 *    requests made vs that minimum, rows written per second and the number of
 *    429 / failed replies, which must be 0.
 *
 * Exits 0 on a MISS (it is a benchmark), non-zero on errors.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import got from 'got';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from '../elements/auths/loginTypes/FSInnerType/index.js';
import { ROOT_DEPARTMENT_ID, startSandbox, type Org, type SandboxStats } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { budgetOf } from '../elements/auths/loginTypes/FSInnerType/feishu/quota.js';
import { drive, INSTANCE, openApp, REDIRECT_URI } from './feishu-app.js';
import { above, line, percentile, rssMb } from './report.js';

const { values } = parseArgs({
  options: {
    logins: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    users: { type: 'string', default: '50000' },
    departments: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '50' },
    'skip-logins': { type: 'boolean', default: false },
    'skip-sync': { type: 'boolean', default: false },
  },
});
const logins = Number(values.logins);
const concurrency = Number(values.concurrency);
const users = Number(values.users);
const departments = Number(values.departments);
const rate = Number(values.rate);
if (![logins, concurrency, users, departments, rate].every((n) => Number.isInteger(n) && n >= 1) || departments < 8 || users < 9) {
  console.error('usage: tsx bench/feishu.ts [--logins N] [--concurrency N] [--users N>=9] [--departments N>=8] [--rate N] [--skip-logins] [--skip-sync]');
  process.exit(2);
}

const PAGE = 50;
/** Feishu's per-minute cap on the contact endpoints (contract §7); the sandbox applies it by default. */
const PER_MINUTE = 1000;

const failures = (stats: SandboxStats) =>
  Object.values(stats.byEndpoint).reduce((n, e) => n + Object.entries(e.byStatus).filter(([status]) => status !== '200').reduce((m, [, k]) => m + k, 0), 0);
const rateLimited = (stats: SandboxStats) => Object.values(stats.byEndpoint).reduce((n, e) => n + e.rateLimited, 0);

async function loginBench(): Promise<void> {
  console.log(`\n== Login throughput: ${logins} logins at concurrency ${concurrency} (sandbox rate limiting off) ==`);
  const sandbox = await startSandbox({ rate: 0 });
  const bench = await openApp(sandbox, { requestsPerSecond: 1000, requestsPerMinute: 60000 });
  try {
    const people = sandbox.org.activeUsers().filter((u) => u.department_ids.length > 0);
    await bench.fs.getAccessToken();
    await bench.fs.syncDepartmentInfo();
    // One warm-up login per person: first logins create local accounts, which is not the steady state.
    for (const person of people) {
      const { state } = await bench.fs.getLoginConfig();
      await bench.fs.getLoginCode({ authCode: sandbox.issueCode({ userId: person.user_id, redirectUri: REDIRECT_URI }).code, state });
    }
    sandbox.resetStats();

    const { latencies, wallMs } = await drive(logins, concurrency, async (i) => {
      const person = people[i % people.length]!;
      const { state } = await bench.fs.getLoginConfig();
      const { code } = sandbox.issueCode({ userId: person.user_id, redirectUri: REDIRECT_URI });
      const user = await bench.fs.getLoginCode({ authCode: code, state });
      if (user.userId !== person.user_id) throw new Error(`login ${i} returned ${user.userId}, expected ${person.user_id}`);
    });
    const stats = sandbox.stats();
    const loginsPerSecond = logins / (wallMs / 1000);
    const perLogin = stats.total / logins;
    line('logins/s', loginsPerSecond, '/s');
    line('login latency p50', percentile(latencies, 50), 'ms');
    line('login latency p99', percentile(latencies, 99), 'ms');
    line('Feishu requests per login', perLogin, 'req', { text: '<= 2', ok: perLogin <= 2 });
    line('  of which oauth_token / user_info', stats.byEndpoint.oauth_token.total + stats.byEndpoint.user_info.total, 'req');
    line('failed Feishu replies', failures(stats), '');

    // The sandbox's capacity on the same two endpoints, same concurrency, raw HTTP with got.
    const http = got.extend({ responseType: 'json', throwHttpErrors: true, retry: { limit: 0 } });
    const person = people[0]!;
    const exchange = async () => {
      const { code } = sandbox.issueCode({ userId: person.user_id });
      const body = (await http.post(`${sandbox.baseUrl}/open-apis/authen/v2/oauth/token`, {
        json: { grant_type: 'authorization_code', client_id: sandbox.appId, client_secret: sandbox.appSecret, code },
      }).json()) as { code: number; access_token: string };
      if (body.code !== 0) throw new Error(`oauth_token answered ${body.code}`);
      return body.access_token;
    };
    const userInfo = async (token: string) => {
      const body = (await http.get(`${sandbox.baseUrl}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${token}` } }).json()) as { code: number };
      if (body.code !== 0) throw new Error(`user_info answered ${body.code}`);
    };
    await userInfo(await exchange()); // warm the connections
    sandbox.resetStats();
    const pairs = logins;
    const raw = await drive(pairs, concurrency, async () => userInfo(await exchange()));
    const capacity = sandbox.stats().total / (raw.wallMs / 1000);
    line('sandbox capacity (token + user_info)', capacity, 'req/s');
    line('  login ceiling = capacity / 2', capacity / 2, '/s');
    const ratio = (loginsPerSecond / (capacity / 2)) * 100;
    line('logins/s ÷ (capacity/2)', ratio, '%', above(ratio, 70, '70 %'));
  } finally {
    await bench.close();
    await sandbox.close();
  }
}

/** The requests a sync cannot avoid, per endpoint (see the header). */
function minimumPages(org: Org): { children: number; members: number } {
  const listings = [ROOT_DEPARTMENT_ID, ...org.departments.map((d) => d.open_department_id)];
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
  return {
    children: pages(org.descendantDepartments(ROOT_DEPARTMENT_ID).length),
    members: listings.reduce((n, id) => n + pages(org.directMembers(id).length), 0),
  };
}

/** The least time n requests take at `perMinute` and `perSecond`: whole minutes, then the rest at the per-second rate. */
const leastSeconds = (n: number, perMinute: number, perSecond: number) => Math.floor((n - 1) / perMinute) * 60 + (((n - 1) % perMinute) + 1) / perSecond;

async function syncBench(): Promise<void> {
  console.log(`\n== Full sync: ${departments} departments / ${users} users, sandbox limit ${rate}/s and ${PER_MINUTE}/min per endpoint ==`);
  const generated = performance.now();
  const sandbox = await startSandbox({ rate, org: { departments, users } });
  const bench = await openApp(sandbox);
  try {
    const org = sandbox.org;
    const pages = minimumPages(org);
    const listedUsers = org.users.filter((u) => !u.status.is_resigned && u.department_ids.length > 0).length;
    const floors = { children: leastSeconds(pages.children, PER_MINUTE, rate), members: leastSeconds(pages.members, PER_MINUTE, rate) };
    const floorSeconds = Math.max(floors.children, floors.members);
    // The element's own steady pace (feishu/quota.ts): under Feishu's in any second and any minute, so it never collects a 429.
    const pace = budgetOf({ perSecond: bench.fs.config.requestsPerSecond, perMinute: bench.fs.config.requestsPerMinute }).steadyPerMinute;
    const pacedFloor = (Math.max(pages.children, pages.members) / pace) * 60;
    line('org generated + sandbox started', performance.now() - generated, 'ms');
    line('minimum department_children pages', pages.children, 'req');
    line('minimum find_by_department pages', pages.members, 'req');

    await bench.fs.getAccessToken();
    sandbox.resetStats();
    let lastPhase = '';
    let lastPrint = 0;
    let writingAt: number | undefined;
    const started = performance.now();
    await bench.fs.syncDepartmentInfo({
      onProgress: (p) => {
        const now = performance.now();
        if (p.phase === 'writing') writingAt ??= now;
        if (p.phase !== lastPhase || now - lastPrint > 30_000) {
          console.log(`  [${((now - started) / 1000).toFixed(0).padStart(4)} s] ${p.phase}: departments ${p.departmentsDone}/${p.departmentsFound}, users found ${p.usersFound}, written ${p.usersWritten}`);
          lastPhase = p.phase;
          lastPrint = now;
        }
      },
    });
    const ended = performance.now();
    const wallSeconds = (ended - started) / 1000;
    const stats = sandbox.stats();
    const rowsUsers = await bench.app.dataSource.getRepository(FSInnerAuthModel).countBy({ instance: INSTANCE });
    const rowsDepts = await bench.app.dataSource.getRepository(FSInnerDeptModel).countBy({ instance: INSTANCE });
    const rowsMemberships = await bench.app.dataSource.getRepository(FSInnerMembershipModel).countBy({ instance: INSTANCE });
    const minimum = pages.children + pages.members;

    line('floor: department_children', floors.children, 's');
    line('floor: find_by_department', floors.members, 's');
    line('floor (max over endpoints)', floorSeconds, 's');
    line(`  at the element's steady pace (${pace}/min per endpoint)`, pacedFloor, 's');
    line('wall time', wallSeconds, 's');
    line('  listings (both endpoints at once)', ((writingAt ?? ended) - started) / 1000, 's');
    line('  writes, leavers, unseen users', (ended - (writingAt ?? ended)) / 1000, 's');
    line('wall time ÷ floor', wallSeconds / floorSeconds, 'x', { text: '<= 1.1 x', ok: wallSeconds / floorSeconds <= 1.1 });
    const made = stats.total - stats.byEndpoint.tenant_token.total;
    line('requests made (excl. tenant token)', made, 'req', { text: `= ${minimum}`, ok: made === minimum });
    line('  minimum', minimum, 'req');
    line('  department_children', stats.byEndpoint.department_children.total, 'req');
    line('  find_by_department', stats.byEndpoint.find_by_department.total, 'req');
    line('  other', stats.total - stats.byEndpoint.department_children.total - stats.byEndpoint.find_by_department.total, 'req');
    line('rows: departments', rowsDepts, '', { text: `= ${org.departments.length}`, ok: rowsDepts === org.departments.length });
    line('rows: users', rowsUsers, '', { text: `= ${listedUsers}`, ok: rowsUsers === listedUsers });
    line('rows: memberships', rowsMemberships, '');
    line('rows written per second', (rowsUsers + rowsDepts + rowsMemberships) / wallSeconds, '/s');
    line('429 replies', rateLimited(stats), '', { text: '= 0', ok: rateLimited(stats) === 0 });
    line('failed replies (non-200)', failures(stats), '', { text: '= 0', ok: failures(stats) === 0 });
    line('RSS', rssMb(), 'MB');
  } finally {
    await bench.close();
    await sandbox.close();
  }
}

if (!values['skip-logins']) await loginBench();
if (!values['skip-sync']) await syncBench();
