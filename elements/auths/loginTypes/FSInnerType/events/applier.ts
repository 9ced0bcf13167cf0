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
  /** How long a claim lasts unless renewed (every third, while its event is being applied); a process that dies holding one frees the row after this long. */
  claimMs: number;
  /** How long the applier's lease lasts unless renewed (withLease renews it every third); a dead holder's stalls the inbox this long. */
  leaseMs: number;
  /** After finding the lease held by another process: when to try once more (a row may have been committed just after the holder's last look). */
  busyRetryMs: number;
  /** Claims per event before it is given up (failed). */
  maxAttempts: number;
  /** Delay before the next attempt after the n-th failed one. */
  backoffMs(attempts: number): number;
}

export const DEFAULT_TIMING: ApplierTiming = {
  pollMs: 5_000,
  claimMs: 20_000,
  leaseMs: 10_000,
  busyRetryMs: 250,
  maxAttempts: 5,
  backoffMs: (attempts) => Math.min(5_000 * 2 ** (attempts - 1), 5 * 60_000),
};

/** Rows looked at per query. */
const BATCH = 50;

/**
 * Applies recorded events, oldest create_time first, each once:
 *
 *   who applies      one process per instance at a time: a database lease (`<instance>.eventInbox`,
 *                    leaseMs 10 s, renewed every third); the others skip, and the holder drains what
 *                    they recorded; a skipped kick tries once more busyRetryMs later, for the row
 *                    committed after the holder's last empty look but before it let go of the lease
 *   one row          claimed by one conditional UPDATE (status pending and no live claim), so two
 *                    processes never apply the same row, even past a lost lease; the claim (claimMs
 *                    20 s) is renewed every third while its event is applied, so only a dead holder's
 *                    runs out
 *   when             kicked after each record in this process, at start, and every pollMs 5 s (rows
 *                    a crashed process left pending or claimed, retries that came due)
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
  /** The one more try after a BUSY (busyRetryMs), and whether the run under way is it. */
  private busyRetry: NodeJS.Timeout | undefined;
  private busyRetryDue = false;
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
    clearTimeout(this.busyRetry);
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
    const retrying = this.busyRetryDue;
    this.busyRetryDue = false;
    try {
      // The lease runs on wall time: it guards real processes, whatever clock the app was given.
      await withLease(this.lease.dataSource, this.lease.name, Date.now, () => this.drain(), this.timing.leaseMs);
      this.lastProblem = null;
      // This drain looked after the BUSY that armed the retry, so it saw what that one would have.
      clearTimeout(this.busyRetry);
      this.busyRetry = undefined;
    } catch (err) {
      if (Code.is(err) && err.code === RuntimeCodes.BUSY) {
        // Another process is applying and drains what is pending, except a row committed after its
        // last empty look and before it let go: one more try soon catches that without waiting for
        // the poll. Only once: a holder still busy then is draining anew and sees the row itself
        // (or, rarely, still letting go: the next poll covers that).
        if (!retrying) this.retryAfterBusy();
        return;
      }
      this.lastProblem = Code.is(err) ? err.message : `${(err as Error)?.name ?? 'Error'}: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
    }
  }

  private retryAfterBusy(): void {
    if (this.busyRetry || !this.running) return;
    this.busyRetry = setTimeout(() => {
      this.busyRetry = undefined;
      this.busyRetryDue = true;
      this.kick();
    }, this.timing.busyRetryMs);
    this.busyRetry.unref();
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
    // A slow apply (Feishu calls timing out and retried) must not let its claim run out, or another
    // process would apply the row too; renewed only while this process lives, so a dead one's lapses.
    const renew = setInterval(() => {
      this.inbox.renewClaim(id, this.holder, this.timing.claimMs).catch(() => undefined);
    }, this.timing.claimMs / 3);
    try {
      settlement = await this.apply(row);
    } catch (err) {
      settlement = this.afterFailure(row, err);
    } finally {
      clearInterval(renew);
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
