/**
 * Load benchmark: how the runtime copes with a large, layered app.
 *
 *   npx tsx bench/load.ts [--instances N] [--edits N]     (npm run bench)
 *
 * Generates, in a temp folder, a platform layer (one Meta, one Type with a
 * config JSON Schema and a .ts module), an app `base` with half of the N
 * instances spread over a few hundred group folders, and an app `top` that
 * extends `base`, holds the other half, overrides the Type with its own .js
 * module and overrides ~5% of base's instances with its own config. Then it
 * measures, on `top`:
 *
 *   - cold loadApp (scan, e.json reads, precedence, module import, config
 *     binding, SQLite open) and elements/s: startup cost of a real app;
 *   - first getElement of every instance: lazy instance creation;
 *   - warm getElement calls/s: the hot path every request takes;
 *   - config edit → visible latency with the watcher on (p50/p99): how soon an
 *     operator's edit takes effect, which is a full rebuild over N elements;
 *   - RSS after load and after the edits: memory per element and leaks on reload.
 *
 * "Cold" means a fresh process and a fresh App; the files were just written, so
 * the OS page cache is warm. The watcher is started after the cold load
 * (App.watch(), exactly what loadApp's `watch: true` does) so the load figure
 * is not mixed with the watcher's start-up, which is printed separately.
 * Exits 0 on a MISS (it is a benchmark), non-zero on diagnostics or errors.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadApp, type App } from '../runtime/index.js';
import { config, configFile, EDIT_FIELD, generate, type Fixture, type InstanceSpec } from './fixture.js';
import { above, below, line, percentile, rssMb } from './report.js';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '10000' },
    edits: { type: 'string', default: '50' },
  },
});
const instances = Number(values.instances);
const edits = Number(values.edits);
if (!Number.isInteger(instances) || instances < 2 || !Number.isInteger(edits) || edits < 1) {
  console.error('usage: tsx bench/load.ts [--instances N>=2] [--edits N>=1]');
  process.exit(2);
}

type Configured = { config: Record<string, unknown>; describe(): string };

function assertNoDiagnostics(app: App, stage: string): void {
  const found = app.diagnostics;
  if (found.length === 0) return;
  for (const d of found.slice(0, 10)) console.error(`  ${d.code} ${d.fullName ?? ''} ${d.message}`);
  throw new Error(`${found.length} diagnostic(s) ${stage}`);
}

/** Resolves when the instance's config shows `value`, checking after every reload. */
function visible(app: App, id: string, value: number, timeoutMs = 10_000): Promise<void> {
  const shows = () => app.getElement<Configured>(id).config[EDIT_FIELD] === value;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      app.off('reload', onReload);
      if (err) reject(err);
      else resolve();
    };
    const onReload = () => shows() && done();
    const timer = setTimeout(() => done(new Error(`edit of ${id} not visible after ${timeoutMs} ms`)), timeoutMs);
    app.on('reload', onReload);
  });
}

async function measureEdits(app: App, specs: InstanceSpec[]): Promise<number[]> {
  const latencies: number[] = [];
  for (let k = 0; k < edits; k++) {
    const index = (k * 7919 + 13) % specs.length; // spread over base-only, top-only and overridden instances
    const spec = specs[index]!;
    const value = 10_000 + k;
    const layer = spec.dir.includes('/apps/top/') ? 'top' : 'base';
    const waiting = visible(app, spec.id, value);
    const start = performance.now();
    writeFileSync(configFile(spec), JSON.stringify(config(index, layer, value), null, 2));
    await waiting;
    latencies.push(performance.now() - start);
    await sleep(30); // let a duplicate change event for the same write run its course
    await app.settled();
  }
  return latencies;
}

async function run(fx: Fixture): Promise<void> {
  const ids = fx.instances.map((s) => s.id);
  console.log(`jit runtime load benchmark: ${ids.length.toLocaleString('en-US')} instances (${fx.overridden} overridden in top), ${edits} edits, node ${process.version}`);

  const rssBefore = rssMb();
  let start = performance.now();
  const app = await loadApp(fx.topDir, { platformDir: fx.platformDir, dataDir: fx.dataDir, env: {} });
  const coldMs = performance.now() - start;
  try {
    assertNoDiagnostics(app, 'after load');
    const elements = app.listElements().length;
    const loaded = app.listElements({ kind: 'instance' }).length;
    if (loaded !== ids.length) throw new Error(`expected ${ids.length} instances, loaded ${loaded}`);

    start = performance.now();
    for (const id of ids) app.getElement(id);
    const firstGetMs = performance.now() - start;
    const sample = app.getElement<Configured>(ids[0]!).describe();
    if (!sample.startsWith('top: ')) throw new Error(`top's Type override not applied: "${sample}"`);
    assertNoDiagnostics(app, 'after creating instances');
    const rssLoaded = rssMb();

    let calls = 0;
    start = performance.now();
    let elapsed = 0;
    while (elapsed < 1000) {
      for (let i = 0; i < ids.length; i++) if (app.getElement(ids[i]!) === undefined) throw new Error('undefined element');
      calls += ids.length;
      elapsed = performance.now() - start;
    }
    const warmPerSec = calls / (elapsed / 1000);

    start = performance.now();
    await app.watch();
    const watchMs = performance.now() - start;
    const latencies = await measureEdits(app, fx.instances);
    assertNoDiagnostics(app, 'after edits');
    const rssEdited = rssMb();

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log('');
    line('cold loadApp', coldMs, 'ms', below(coldMs, 1000, '1000 ms (10k)'));
    line('elements per second (cold)', elements / (coldMs / 1000), 'el/s');
    line('elements loaded (all kinds)', elements, '');
    line('instances loaded', loaded, '');
    line('diagnostics', app.diagnostics.length, '', { text: '= 0', ok: app.diagnostics.length === 0 });
    line('first getElement of all instances', firstGetMs, 'ms');
    line('warm getElement', warmPerSec, 'calls/s', above(warmPerSec, 5_000_000, '5,000,000/s'));
    line('  warm calls made (in ~1 s)', calls, 'calls');
    line('watcher start (ready to report edits)', watchMs, 'ms', below(watchMs, 1000, '1000 ms'));
    line(`config edit visible p50 (${edits} edits)`, p50, 'ms', below(p50, 150, '150 ms'));
    line(`config edit visible p99`, p99, 'ms');
    line('RSS before load (tsx, fixture written)', rssBefore, 'MB');
    line('RSS after load + instances', rssLoaded, 'MB', below(rssLoaded, 150, '150 MB'));
    line('RSS after edits (watcher on)', rssEdited, 'MB', below(rssEdited, 250, '250 MB'));
  } finally {
    await app.close();
  }
}

const fixture = generate(instances);
try {
  await run(fixture);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  fixture.cleanup();
}
