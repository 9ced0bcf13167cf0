import { Cron } from 'croner';
import { IsNull, LessThan, Or, type DataSource } from 'typeorm';
import { Code, RuntimeCodes, RuntimeErrors } from '../../../../runtime/errcode.js';
import { FSInnerSyncRunModel } from './models.js';

export interface SyncRun {
  startedAt: number;
  finishedAt: number;
  /** skipped: a sync was already running (another process, or an administrator's), so this tick did nothing. */
  outcome: 'ok' | 'failed' | 'skipped';
  error?: string;
}

export interface SyncScheduleStatus {
  schedule: string;
  timezone?: string;
  /** Epoch ms of the next tick; undefined once stopped. */
  nextRunAt?: number;
  /** This process is running a scheduled sync now. */
  running: boolean;
  /** The last scheduled run, by whichever process ran it (with a store), else this process's. */
  lastRun?: SyncRun;
}

export interface SyncScheduleOptions {
  /** 5 fields (minute hour day month weekday) or 6 (with seconds first), e.g. "0 3 * * *". */
  cron: string;
  /** IANA time zone the cron is read in; default the process's. */
  timezone?: string;
  /** Each tick waits a random 0…jitterMs first, so apps on one tenant do not all call Feishu at once. */
  jitterMs: number;
  now: () => number;
  /** The sync. A RuntimeCodes.BUSY error (its lease is held elsewhere) counts as skipped, not failed. */
  run(): Promise<void>;
  log(line: string): void;
  /**
   * Where the last run is kept, read by every process on the database; each tick is claimed there, so
   * of the processes that woke for it one runs it. Without a store: this process only, in memory.
   */
  store?: { dataSource: DataSource; name: string };
}

const EXAMPLE = 'e.g. "0 3 * * *" (03:00 every day; fields: minute hour day month weekday, optionally seconds first)';
const MAX_ERROR = 2000;

/**
 * Runs the department sync on a cron schedule (croner) while the app is served.
 * Every process runs its own schedule; the store (or the sync's own lease) sees
 * that each tick's sync runs once.
 */
export class SyncSchedule {
  private readonly cron: Cron;
  private jitterTimer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private local: SyncRun | undefined;

  constructor(private readonly options: SyncScheduleOptions) {
    this.cron = parseSchedule(options.cron, options.timezone);
    this.cron.schedule(() => this.tick());
    this.cron.resume();
  }

  async status(): Promise<SyncScheduleStatus> {
    const next = this.stopped ? null : this.cron.nextRun();
    const stored = await this.storedRun().catch(() => undefined);
    // The newer one: another process's run, or this process's tick that had to skip or failed to record.
    const lastRun = [stored, this.local].filter((r): r is SyncRun => r !== undefined).sort((a, b) => b.finishedAt - a.finishedAt)[0];
    return {
      schedule: this.options.cron,
      ...(this.options.timezone ? { timezone: this.options.timezone } : {}),
      ...(next ? { nextRunAt: next.getTime() } : {}),
      running: this.running,
      ...(lastRun ? { lastRun } : {}),
    };
  }

  /** No further ticks. A sync under way is not interrupted: it finishes (or its process ends) and records its outcome. */
  stop(): void {
    this.stopped = true;
    this.cron.stop();
    if (this.jitterTimer) {
      clearTimeout(this.jitterTimer);
      this.running = false; // it was only waiting out its jitter
    }
  }

  private tick(): void {
    // The tick's scheduled time, even if the timer fired late: what processes agree on when they claim it.
    const slot = this.cron.previousRuns(1, new Date(Date.now() + 1))[0]?.getTime() ?? Math.floor(Date.now() / 1000) * 1000;
    if (this.running) {
      void this.finish({ startedAt: this.options.now(), finishedAt: this.options.now(), outcome: 'skipped', error: 'the previous scheduled sync is still running' }, false);
      return;
    }
    this.running = true;
    const delay = Math.floor(Math.random() * Math.max(0, this.options.jitterMs));
    this.jitterTimer = setTimeout(() => void this.runSlot(slot), delay);
  }

  private async runSlot(slot: number): Promise<void> {
    this.jitterTimer = undefined;
    try {
      if (this.stopped) return;
      let claimed: boolean;
      try {
        claimed = await this.claim(slot);
      } catch (err) {
        const at = this.options.now();
        await this.finish({ startedAt: at, finishedAt: at, outcome: 'failed', error: `could not record the run in the database: ${messageOf(err)}` }, false);
        return;
      }
      if (!claimed) return; // another process took this tick; it records the outcome
      const startedAt = this.options.now();
      let run: SyncRun;
      try {
        await this.options.run();
        run = { startedAt, finishedAt: this.options.now(), outcome: 'ok' };
      } catch (err) {
        const busy = Code.is(err) && err.code === RuntimeCodes.BUSY;
        run = { startedAt, finishedAt: this.options.now(), outcome: busy ? 'skipped' : 'failed', error: messageOf(err) };
      }
      await this.finish(run, true);
    } finally {
      this.running = false;
    }
  }

  /** Marks the tick as taken; false when another process already did. */
  private async claim(slot: number): Promise<boolean> {
    const store = this.options.store;
    if (!store) return true;
    const repository = store.dataSource.getRepository(FSInnerSyncRunModel);
    if (!(await repository.existsBy({ name: store.name }))) {
      try {
        await repository.insert({ name: store.name, slot, startedAt: null, finishedAt: null, outcome: null, error: null });
        return true;
      } catch {
        // Another process inserted it first: the update below decides.
      }
    }
    const result = await repository.update({ name: store.name, slot: Or(IsNull(), LessThan(slot)) }, { slot });
    return result.affected === 1;
  }

  private async finish(run: SyncRun, persist: boolean): Promise<void> {
    this.local = run;
    const took = `${Math.round((run.finishedAt - run.startedAt) / 100) / 10} s`;
    this.options.log(`scheduled department sync ${run.outcome}${run.outcome === 'skipped' ? '' : ` in ${took}`}${run.error ? `: ${run.error}` : ''}`);
    const store = this.options.store;
    if (!persist || !store) return;
    try {
      await store.dataSource.getRepository(FSInnerSyncRunModel).update({ name: store.name }, { startedAt: run.startedAt, finishedAt: run.finishedAt, outcome: run.outcome, error: run.error ?? null });
    } catch (err) {
      this.options.log(`scheduled department sync: could not record the outcome: ${messageOf(err)}`);
    }
  }

  private async storedRun(): Promise<SyncRun | undefined> {
    const store = this.options.store;
    if (!store) return undefined;
    const row = await store.dataSource.getRepository(FSInnerSyncRunModel).findOneBy({ name: store.name });
    if (!row || row.startedAt === null || row.finishedAt === null || !row.outcome) return undefined;
    return { startedAt: row.startedAt, finishedAt: row.finishedAt, outcome: row.outcome as SyncRun['outcome'], ...(row.error ? { error: row.error } : {}) };
  }
}

/** A paused Cron for the pattern, or INVALID_PARAMS naming the `syncSchedule` field with an example. */
export function parseSchedule(pattern: string, timezone?: string): Cron {
  const invalid = (why: string) =>
    RuntimeErrors.INVALID_PARAMS.create({ problem: `syncSchedule "${pattern}" is not a usable cron schedule: ${why}. Write one ${EXAMPLE}.` }, { field: 'syncSchedule' });
  if (typeof pattern !== 'string' || pattern.trim() === '') throw invalid('it is empty');
  let cron: Cron;
  try {
    // 5 or 6 fields only: croner would also take an ISO date (a one-off run) or a 7th field (years).
    cron = new Cron(pattern, { mode: '5-or-6-parts', paused: true, ...(timezone ? { timezone } : {}) });
  } catch (err) {
    throw invalid((err as Error).message.replace(/^CronPattern: /, ''));
  }
  let next: Date | null;
  try {
    next = cron.getPattern() === undefined ? null : cron.nextRun();
  } catch (err) {
    cron.stop();
    throw invalid((err as Error).message.replace(/^CronDate: /, '').split('. ')[0]!);
  }
  if (!next) {
    cron.stop();
    throw invalid('it never runs');
  }
  return cron;
}

function messageOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > MAX_ERROR ? `${message.slice(0, MAX_ERROR)}…` : message;
}
