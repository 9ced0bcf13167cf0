import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { withLease } from '../../../../../runtime/db/lease.js';
import { Code, RuntimeCodes } from '../../../../../runtime/errcode.js';
import { FSInnerEventCodes, FSInnerEventErrors } from './errors.js';
import type { EventInbox, Settlement } from './inbox.js';
import type { FSInnerEventModel } from './models.js';

/** What applying one event came to (handlers.ts). */
export type ApplyOutcome = { status: 'applied' | 'stale' | 'ignored'; reason?: Code };

export interface ApplierTiming {
  /** How often pending rows are looked for without a kick: rows a crashed process left, retries that came due. */
  pollMs: number;
  /** How long a claim lasts; a process that dies holding one frees the row after this long. */
  claimMs: number;
  /** How long the applier's lease lasts unless renewed (withLease renews it every third). */
  leaseMs: number;
  /** Claims per event before it is given up (failed). */
  maxAttempts: number;
  /** Delay before the next attempt after the n-th failed one. */
  backoffMs(attempts: number): number;
}

export const DEFAULT_TIMING: ApplierTiming = {
  pollMs: 5_000,
  claimMs: 60_000,
  leaseMs: 30_000,
  maxAttempts: 5,
  backoffMs: (attempts) => Math.min(5_000 * 2 ** (attempts - 1), 5 * 60_000),
};

/** Rows looked at per query. */
const BATCH = 50;

/**
 * Applies recorded events, oldest create_time first, each once:
 *
 *   who applies      one process per instance at a time: a database lease (`<instance>.eventInbox`);
 *                    the others skip, and the holder drains what they recorded
 *   one row          claimed by one conditional UPDATE (status pending and no live claim), so two
 *                    processes never apply the same row, even past a lost lease
 *   when             kicked after each record in this process, at start, and every pollMs (rows a
 *                    crashed process left pending or claimed, retries that came due)
 *   outcome          applied / stale / ignored, as the handler says
 *   handler throws   EVENT_UNAPPLICABLE: failed at once (retrying cannot help); anything else:
 *                    pending again after backoffMs, failed (EVENT_GAVE_UP) at the maxAttempts-th
 *   crashed claim    counted as an attempt; one claimed past maxAttempts is failed, not applied again
 *
 * Never throws out: a failing database is tried again at the next kick or poll.
 */
export class EventApplier {
  private readonly holder = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;
  /** The last failure of a drain itself (the database, the lease), for eventStatus; never a payload. */
  lastProblem: string | null = null;

  constructor(
    private readonly inbox: EventInbox,
    private readonly apply: (row: FSInnerEventModel) => Promise<ApplyOutcome>,
    private readonly lease: { dataSource: DataSource; name: string },
    private readonly now: () => number,
    private readonly timing: ApplierTiming = DEFAULT_TIMING,
  ) {}

  get running(): boolean {
    return this.started && !this.stopped;
  }

  /** Starts the poll and drains at once (rows left by an earlier process). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.timer = setInterval(() => this.kick(), this.timing.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Drains soon, in the background; only once started (before that, recorded rows wait for a served process). */
  kick(): void {
    if (this.running) this.schedule();
  }

  /** Drains now, started or not, and resolves when nothing is left to do here (an administrator's or a test's "apply now"). */
  async drainNow(): Promise<void> {
    if (this.stopped) return;
    await this.idle();
    this.schedule();
    await this.idle();
  }

  /** Stops polling and waits for the drain under way, which stops after its current event. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.run().finally(() => {
      this.draining = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.schedule();
      }
    });
  }

  private async run(): Promise<void> {
    try {
      // The lease runs on wall time: it guards real processes, whatever clock the app was given.
      await withLease(this.lease.dataSource, this.lease.name, Date.now, () => this.drain(), this.timing.leaseMs);
      this.lastProblem = null;
    } catch (err) {
      if (Code.is(err) && err.code === RuntimeCodes.BUSY) return; // another process is applying; it drains what is pending
      this.lastProblem = Code.is(err) ? err.message : `${(err as Error)?.name ?? 'Error'}: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
    }
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const ids = await this.inbox.claimable(BATCH);
      if (ids.length === 0) return;
      for (const id of ids) {
        if (this.stopped) return;
        await this.one(id);
      }
    }
  }

  private async one(id: number): Promise<void> {
    const row = await this.inbox.claim(id, this.holder, this.timing.claimMs);
    if (!row) return; // another process has it, or it is settled
    if (row.attempts > this.timing.maxAttempts) {
      // Claimed that often without settling: the processes that tried died on it.
      return this.inbox.settle(id, this.holder, { status: 'failed', reason: gaveUp(row.attempts - 1, row.lastError ?? 'the process applying it stopped') });
    }
    let settlement: Settlement;
    try {
      settlement = await this.apply(row);
    } catch (err) {
      settlement = this.afterFailure(row, err);
    }
    await this.inbox.settle(id, this.holder, settlement);
  }

  private afterFailure(row: FSInnerEventModel, err: unknown): Settlement {
    const reason = Code.is(err) ? err : err instanceof Error ? err : new Error(String(err));
    if (Code.is(err) && err.code === FSInnerEventCodes.EVENT_UNAPPLICABLE) return { status: 'failed', reason };
    if (row.attempts >= this.timing.maxAttempts) return { status: 'failed', reason: gaveUp(row.attempts, reason.message) };
    return { status: 'pending', retryAt: this.now() + this.timing.backoffMs(row.attempts), reason };
  }
}

const gaveUp = (attempts: number, last: string): Code => FSInnerEventErrors.EVENT_GAVE_UP.create({ attempts, last: last.slice(0, 500) });
