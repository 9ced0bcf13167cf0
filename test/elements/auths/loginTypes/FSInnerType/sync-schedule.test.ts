import { afterEach, describe, expect, test } from '@jest/globals';
import { FSInnerSyncRunModel } from '../../../../../elements/auths/loginTypes/FSInnerType/models.js';
import { SyncSchedule, type SyncScheduleOptions } from '../../../../../elements/auths/loginTypes/FSInnerType/sync-schedule.js';
import { RuntimeCodes, RuntimeErrors } from '../../../../../runtime/errcode.js';
import { ENGINE, sharedTestDatabase } from '../../../../helpers/database.js';

const EVERY_SECOND = '* * * * * *';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function schedule(options: Partial<SyncScheduleOptions> & Pick<SyncScheduleOptions, 'run'>): { schedule: SyncSchedule; lines: string[] } {
  const lines: string[] = [];
  const s = new SyncSchedule({ cron: EVERY_SECOND, jitterMs: 0, now: Date.now, log: (l) => lines.push(l), ...options });
  cleanups.push(() => s.stop());
  return { schedule: s, lines };
}

/** One database; each call opens a connection of its own to it, as another process would. */
const database = () => sharedTestDatabase([FSInnerSyncRunModel], cleanups);

describe('SyncSchedule', () => {
  test.each([
    ['not cron', 'every day'],
    ['a field out of range', '61 * * * *'],
    ['a one-off date', '2030-01-01T00:00:00'],
    ['seven fields', '0 0 3 * * * 2030'],
    ['a date that never comes', '0 0 30 2 *'],
    ['empty', '  '],
  ])('refuses %s with a Code naming syncSchedule and an example', (_what, cron) => {
    let thrown: unknown;
    try {
      schedule({ cron, run: async () => undefined });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: RuntimeCodes.INVALID_PARAMS, details: { field: 'syncSchedule' } });
    expect((thrown as Error).message).toContain(`syncSchedule "${cron}"`);
    expect((thrown as Error).message).toContain('"0 3 * * *"');
  });

  test('refuses an unknown time zone', () => {
    expect(() => schedule({ cron: '0 3 * * *', timezone: 'Mars/Olympus', run: async () => undefined })).toThrow(/syncSchedule .*Mars\/Olympus/);
  });

  test('runs on every tick, reports the last run and the next, and stops', async () => {
    let runs = 0;
    const { schedule: s, lines } = schedule({ run: async () => void runs++ });
    const before = await s.status();
    expect(before).toMatchObject({ schedule: EVERY_SECOND, running: false });
    expect(before.lastRun).toBeUndefined();
    expect(before.nextRunAt! - Date.now()).toBeLessThanOrEqual(1000);
    await until(() => runs >= 2, 3000, 'two runs');
    const after = await s.status();
    expect(after.lastRun).toMatchObject({ outcome: 'ok' });
    expect(after.lastRun!.finishedAt).toBeGreaterThanOrEqual(after.lastRun!.startedAt);
    expect(lines.some((l) => l.startsWith('scheduled department sync ok'))).toBe(true);
    s.stop();
    const stoppedAt = runs;
    await sleep(1300);
    expect(runs).toBe(stoppedAt);
    expect((await s.status()).nextRunAt).toBeUndefined();
  });

  test('a failing run is failed with its error; a BUSY one (the sync runs elsewhere) is skipped', async () => {
    const failing = schedule({ run: async () => Promise.reject(new Error('Feishu is down')) });
    const busy = schedule({ run: async () => Promise.reject(RuntimeErrors.BUSY.create({ problem: 'the sync is already running in another process' })) });
    await until(async () => (await failing.schedule.status()).lastRun !== undefined && (await busy.schedule.status()).lastRun !== undefined, 2500, 'both to tick');
    expect((await failing.schedule.status()).lastRun).toMatchObject({ outcome: 'failed', error: 'Feishu is down' });
    expect((await busy.schedule.status()).lastRun).toMatchObject({ outcome: 'skipped', error: expect.stringContaining('already running') });
    expect(failing.lines.some((l) => l.includes('failed') && l.includes('Feishu is down'))).toBe(true);
  });

  test('a run still going when the next tick comes makes that tick skipped, not a second run at once', async () => {
    let concurrent = 0;
    let most = 0;
    const { schedule: s } = schedule({
      run: async () => {
        most = Math.max(most, ++concurrent);
        await sleep(1500);
        concurrent--;
      },
    });
    await until(async () => (await s.status()).lastRun?.outcome === 'skipped', 3000, 'a skipped tick');
    expect((await s.status()).running).toBe(true);
    expect(most).toBe(1);
  });

  test(`with a store on ${ENGINE}: two processes woken by the same ticks run each once between them, and both report the same last run`, async () => {
    const connect = await database();
    const runs: Array<{ who: string; at: number }> = [];
    const run = (who: string) => async () => void runs.push({ who, at: Date.now() });
    // Jitter longer than the run, so without the claim the later process would run the tick again.
    const a = schedule({ jitterMs: 400, run: run('a'), store: { dataSource: await connect(), name: 'auths.loginTypes.X.syncDepartmentInfo' } });
    const b = schedule({ jitterMs: 400, run: run('b'), store: { dataSource: await connect(), name: 'auths.loginTypes.X.syncDepartmentInfo' } });
    await sleep(3500);
    a.schedule.stop();
    b.schedule.stop();
    await sleep(500); // let a run under way record itself
    const seconds = runs.map((r) => Math.floor(r.at / 1000));
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seconds).size).toBe(seconds.length); // never two runs for one tick
    const [sa, sb] = [await a.schedule.status(), await b.schedule.status()];
    expect(sa.lastRun).toEqual(sb.lastRun);
    expect(sa.lastRun).toMatchObject({ outcome: 'ok' });
    // A process started later reads the last run before its own first tick.
    const c = schedule({ cron: '0 3 * * *', run: async () => undefined, store: { dataSource: await connect(), name: 'auths.loginTypes.X.syncDepartmentInfo' } });
    expect((await c.schedule.status()).lastRun).toEqual(sa.lastRun);
    // Schedules of other instances are apart.
    const d = schedule({ cron: '0 3 * * *', run: async () => undefined, store: { dataSource: await connect(), name: 'auths.loginTypes.Y.syncDepartmentInfo' } });
    expect((await d.schedule.status()).lastRun).toBeUndefined();
  });
});
