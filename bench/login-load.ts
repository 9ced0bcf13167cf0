/**
 * Sustained login load: N logins in flight at once (default 1,000) for a
 * fixed time (default 60 s), each getLoginConfig → a simulated scan →
 * getLoginCode, through the element in this process, against the sandbox
 * running in a process of its own (`jit sandbox`), as Feishu would be.
 *
 *   npx tsx bench/login-load.ts [--concurrency 1000] [--seconds 60]     (npm run bench:load)
 *
 * Prints logins completed, errors (must be 0), latency p50/p99, and RSS every
 * 10 s: after the first 10 s of warm-up, memory must stay flat (the last
 * sample within 25 % of the first post-warm-up one), or something leaks.
 * Exits 0 on a MISS (a benchmark), non-zero if anything throws outside a login.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { openApp, REDIRECT_URI } from './feishu-app.js';
import { below, line, percentile, rssMb } from './report.js';

const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '60' } } });
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);

const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'sandbox', '--port', '0', '--rate', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const sandbox = await new Promise<{ baseUrl: string; appId: string; appSecret: string }>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))));
const issueCode = async (userId: string): Promise<string> => {
  const reply = await fetch(`${sandbox.baseUrl}/_sandbox/codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, redirectUri: REDIRECT_URI }) });
  return ((await reply.json()) as { code: string }).code;
};
const bench = await openApp(sandbox, { requestsPerSecond: 1000 });
await bench.fs.syncDepartmentInfo(); // warm: users synced, token cached
const listed = (await (await fetch(`${sandbox.baseUrl}/_sandbox/users`)).json()) as Array<{ userId: string }> | { users: Array<{ userId: string }> };
const users = (Array.isArray(listed) ? listed : listed.users).map((u) => u.userId);

console.log(`sustained logins: ${concurrency} in flight for ${seconds} s, ${users.length} users, node ${process.version}\n`);
const latencies: number[] = [];
const errors = new Map<string, number>();
const rss: Array<{ at: number; mb: number }> = [];
const started = performance.now();
const deadline = started + seconds * 1000;
const sampler = setInterval(() => rss.push({ at: Math.round((performance.now() - started) / 1000), mb: rssMb() }), 10_000);

let n = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const userId = users[n++ % users.length]!;
      const t0 = performance.now();
      try {
        const { state } = await bench.fs.getLoginConfig();
        await bench.fs.getLoginCode({ authCode: await issueCode(userId), state });
        latencies.push(performance.now() - t0);
      } catch (err) {
        const key = `${(err as { code?: number }).code ?? 'error'}: ${(err as Error).message}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  }),
);
clearInterval(sampler);
const wallS = (performance.now() - started) / 1000;
const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);

line('logins completed', latencies.length, '');
line('logins per second', latencies.length / wallS, '/s');
line('errors', errorCount, '', { text: '= 0', ok: errorCount === 0 });
line('latency p50', percentile(latencies, 50), 'ms');
line('latency p99', percentile(latencies, 99), 'ms');
for (const sample of rss) line(`RSS at ${sample.at} s`, sample.mb, 'MB');
const afterWarmUp = rss.filter((s) => s.at > 10);
if (afterWarmUp.length >= 2) {
  const growth = (afterWarmUp.at(-1)!.mb - afterWarmUp[0]!.mb) / afterWarmUp[0]!.mb;
  line('RSS growth after warm-up', growth * 100, '%', below(growth * 100, 25, '25 %'));
}
for (const [message, count] of errors) console.log(`  ${count} × ${message}`);

await bench.close();
child.kill('SIGTERM');
