import { AsyncLocalStorage } from 'node:async_hooks';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedState } from '../../../../../runtime/shared/shared-state.js';
import type { SharedValues } from '../../../../../runtime/shared/shared-values.js';
import { FSInnerErrors } from '../feishu-errors.js';

/**
 * Feishu's quota belongs to the app, not to the process: limits apply "per API, per app, per
 * tenant" (events-and-scopes notes §7), so every process using one app's credentials draws on one
 * budget per endpoint, counted in the app's shared state (runtime/shared: Redis, else the app's
 * database) by rate-limiter-flexible.
 *
 *   endpoint                                   Feishu's limit (§7, §4.1)   budget here
 *   oauth_token, user_get, find_by_department,  1000/min & 50/s            requestsPerSecond (48) in any second,
 *   department_children, departments_batch,                                requestsPerMinute (990) in any minute
 *   contact_scopes
 *   user_info, department_get                   "special" (unpublished)    the same, assumed: UNVERIFIED
 *   tenant_token                                undocumented               the same, assumed: UNVERIFIED
 *
 * Counting. Whether Feishu's windows are fixed or sliding is not documented; the sandbox takes the
 * stricter reading (sliding), and so does this budget. rate-limiter-flexible counts fixed windows,
 * so each budget is two counters keyed by windows aligned to the clock (the same for every process):
 *
 *   1 s windows holding ⌊perSecond/2⌋   any 1 s span touches 2 of them        → ≤ perSecond per second
 *   2 s windows holding ⌊perMinute/31⌋  any 60 s span touches at most 31 → ≤ perMinute per minute
 *
 * The price of counting fixed windows for a sliding limit: a steady pace of 30/31 of perMinute
 * (930/min by default, 93 % of Feishu's 1000), and bursts after idle at perSecond/2 per second.
 *
 * Sharing. A process with a line takes one request's budget per step (1 s / ⌊perSecond/2⌋: 41.7 ms
 * by default), not all a window holds at once: the process that wakes first at a window's start
 * would otherwise spend the whole window before the others' next attempt, and a short rush could
 * go entirely to one server. A lone process still fills every window (the 2 s windows bind first).
 *
 * Priorities. Interactive work (logins, user details, token refresh, preflight) goes first: in a
 * process, a waiting interactive request is served before any bulk one; across processes, an
 * interactive request that finds the budget spent, or others waiting behind it, raises a demand
 * flag (shared, 2 s), and bulk work (full sync, reconciliation, event catch-up: whatever runs
 * inside `bulk(…)`) takes nothing while it is up. So a login waits behind at most the bulk requests of the current windows. An
 * interactive request waits at most `maxWaitMs`, then fails with 45009 RATE_LIMITED (retryable,
 * `retryAfterSeconds`) — at once when the line ahead of it is over twice what the pace this process
 * has been served at can clear in that time; bulk work waits as long as it takes. Work that must not be
 * cut off halfway (a login whose one-time code Feishu has already consumed: `continuing(…)`) goes
 * before new interactive requests and waits without a deadline.
 *
 * When Feishu still answers 429 (another client of the same app, a tenant with lower limits), the
 * endpoint is paused for every process for `x-ogw-ratelimit-reset` seconds (`pause`). After
 * REFUSALS_TO_GIVE_UP refusals in a row with no answer between (`answered`), whatever waits for the
 * paused endpoint in this process fails with 45009 at once, bulk work too: one request at a time
 * probes it after each pause, and a failing sync does not hold its requests in flight for a
 * pause each.
 */
export type Priority = 'continuing' | 'interactive' | 'bulk';

export interface QuotaOptions {
  /** Keys budgets by Feishu app: processes of different apps on one Redis share a budget only when it is the same Feishu app. */
  appId: string;
  /** At most this many requests per endpoint in any second (all processes together). */
  perSecond: number;
  /** At most this many requests per endpoint in any 60 s (all processes together). */
  perMinute: number;
  /** How long an interactive request may wait for the budget before 45009. */
  maxWaitMs: number;
}

/** The counters a budget is made of, and the steady pace they give (benchmarks print the floor it implies). */
export function budgetOf(options: Pick<QuotaOptions, 'perSecond' | 'perMinute'>): { perSecondWindow: number; perTwoSecondWindow: number; steadyPerMinute: number } {
  const perSecondWindow = Math.max(1, Math.floor(options.perSecond / 2));
  const perTwoSecondWindow = Math.max(1, Math.floor(options.perMinute / WINDOWS_PER_MINUTE_SPAN));
  return { perSecondWindow, perTwoSecondWindow, steadyPerMinute: Math.min(perSecondWindow * 60, perTwoSecondWindow * 30) };
}

const SECOND_WINDOW_MS = 1000;
const MINUTE_WINDOW_MS = 2000;
/** 60 s spans touch at most 31 windows of 2 s. */
const WINDOWS_PER_MINUTE_SPAN = 31;
/** Counters cycle through this many keys per budget (a key is reused once its window is long over): a fixed number of rows in a database store. */
const KEY_CYCLE = 4;
/** How long an interactive request's demand holds bulk work back, and how often a process renews it while it waits. */
const DEMAND_MS = 2000;
const DEMAND_RENEW_MS = 500;
/** The span over which a gate measures the pace it is served at. */
const SERVED_SPAN_MS = 10_000;
/** Refusals (429) of an endpoint in a row after which its waiting requests fail rather than wait out the pause. */
const REFUSALS_TO_GIVE_UP = 4;
/** How stale a process's view of the shared pause and demand flags may be. */
const FLAG_CACHE_MS = 100;

interface Waiter {
  priority: Priority;
  deadline: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class FeishuQuota {
  private readonly perSecondWindow: RateLimiterAbstract;
  private readonly perMinuteWindow: RateLimiterAbstract;
  private readonly values: SharedValues;
  private readonly gates = new Map<string, EndpointGate>();
  private readonly context = new AsyncLocalStorage<Priority>();

  constructor(
    shared: SharedState,
    private readonly options: QuotaOptions,
  ) {
    const prefix = `feishu-quota:${options.appId}`;
    const budget = budgetOf(options);
    this.perSecondWindow = shared.limiter({ keyPrefix: `${prefix}:s`, points: budget.perSecondWindow, duration: 1 });
    this.perMinuteWindow = shared.limiter({ keyPrefix: `${prefix}:m`, points: budget.perTwoSecondWindow, duration: 2 });
    this.values = shared.values;
  }

  /** Runs `work` as bulk work: every Feishu request it makes yields to interactive ones. */
  bulk<T>(work: () => Promise<T>): Promise<T> {
    return this.context.run('bulk', work);
  }

  /** Runs `work` as the rest of something already under way (a login past its code exchange): ahead of new interactive requests, no deadline. */
  continuing<T>(work: () => Promise<T>): Promise<T> {
    return this.context.run('continuing', work);
  }

  /** The priority of the current async context. */
  get priority(): Priority {
    return this.context.getStore() ?? 'interactive';
  }

  /** Waits until one request to `endpoint` fits the budget; 45009 for an interactive request that would wait over maxWaitMs. */
  acquire(endpoint: string): Promise<void> {
    let gate = this.gates.get(endpoint);
    if (!gate) this.gates.set(endpoint, (gate = new EndpointGate(endpoint, this)));
    const priority = this.priority;
    return gate.acquire(priority, priority === 'interactive' ? Date.now() + this.options.maxWaitMs : Infinity);
  }

  /** Whether the current caller may wait `ms` for the budget (bulk work always may). */
  mayWait(ms: number): boolean {
    return this.priority !== 'interactive' || ms <= this.options.maxWaitMs;
  }

  /** Feishu answered 429: nobody of this app sends to `endpoint` for `ms`. */
  async pause(endpoint: string, ms: number): Promise<void> {
    this.gates.get(endpoint)?.refused(Date.now() + ms);
    await this.values.set(this.flagKey('pause', endpoint), String(Date.now() + ms), ms).catch(() => undefined);
  }

  /** Feishu answered a request to `endpoint` other than with a rate limit: the refusals in a row start over. */
  answered(endpoint: string): void {
    this.gates.get(endpoint)?.answered();
  }

  /** @internal A process takes the budget at most once per step while it has a line (see Sharing above). */
  get stepMs(): number {
    return SECOND_WINDOW_MS / budgetOf(this.options).perSecondWindow;
  }

  /** @internal One attempt at both counters; the time to try again when refused. */
  async take(endpoint: string): Promise<{ ok: true } | { ok: false; retryAt: number }> {
    const now = Date.now();
    const second = Math.floor(now / SECOND_WINDOW_MS);
    const twoSeconds = Math.floor(now / MINUTE_WINDOW_MS);
    // The scarcer counter is asked second: a refusal by the per-second one wastes nothing of the minute's.
    if (!(await consumed(this.perSecondWindow, `${endpoint}:${second % KEY_CYCLE}`))) return { ok: false, retryAt: (second + 1) * SECOND_WINDOW_MS };
    if (!(await consumed(this.perMinuteWindow, `${endpoint}:${twoSeconds % KEY_CYCLE}`))) return { ok: false, retryAt: (twoSeconds + 1) * MINUTE_WINDOW_MS };
    return { ok: true };
  }

  /** @internal */
  async flag(kind: 'pause' | 'demand', endpoint: string): Promise<number | undefined> {
    const value = await this.values.get(this.flagKey(kind, endpoint)).catch(() => undefined);
    return value === undefined ? undefined : Number(value);
  }

  /** @internal An interactive request is waiting: bulk work of every process holds back for DEMAND_MS. */
  async raiseDemand(endpoint: string): Promise<void> {
    await this.values.set(this.flagKey('demand', endpoint), String(Date.now() + DEMAND_MS), DEMAND_MS).catch(() => undefined);
  }

  private flagKey(kind: 'pause' | 'demand', endpoint: string): string {
    return `feishu-quota:${this.options.appId}:${kind}:${endpoint}`;
  }
}

/** Consumes one point; false when the window is spent. A failing store throws (the insurance limiter already stood in). */
async function consumed(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return false;
    throw rejection;
  }
}

/**
 * One endpoint's waiting line in this process: interactive requests first, then bulk, each in
 * arrival order; only the head asks the shared counters, so a process makes one attempt at a time
 * per endpoint however many requests wait.
 */
class EndpointGate {
  private readonly continuing: Waiter[] = [];
  private readonly interactive: Waiter[] = [];
  /** When recent interactive and continuing requests got through: the pace this process is served at while they queue. */
  private readonly served: number[] = [];
  private readonly bulk: Waiter[] = [];
  private pumping = false;
  /** When this process last got the budget: its next attempt waits one step from then (see Sharing above). */
  private takenAt = -Infinity;
  private pausedUntil = 0;
  private refusedInARow = 0;
  private flags = { readAt: 0, pausedUntil: 0, demandUntil: 0 };
  private demandRaisedAt = 0;
  /** Ends the pump's current wait early: an interactive request arrived while bulk work was held back. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly endpoint: string,
    private readonly quota: FeishuQuota,
  ) {}

  acquire(priority: Priority, deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (priority === 'interactive') {
        const expectedWaitMs = this.expectedWaitMs(this.continuing.length + this.interactive.length + 1);
        // Twice the time left: a line a little longer than the pace can clear keeps the budget busy (the pace is
        // an estimate); past that, waiting only ends in the same refusal later.
        if (expectedWaitMs > 2 * (deadline - Date.now())) return reject(this.refusal(expectedWaitMs));
      }
      this.line(priority).push({ priority, deadline, resolve, reject });
      if (priority !== 'bulk' && this.continuing.length + this.interactive.length === 1) this.wake?.();
      void this.pump();
    });
  }

  private line(priority: Priority): Waiter[] {
    return priority === 'continuing' ? this.continuing : priority === 'interactive' ? this.interactive : this.bulk;
  }

  /**
   * How long the n-th in line would wait at the pace interactive requests got through in the last
   * 10 s; 0 while that pace is unknown (fewer than 5 served), so only a line known to be hopeless
   * is refused before it waits.
   */
  private expectedWaitMs(n: number): number {
    const now = Date.now();
    while (this.served.length > 0 && this.served[0]! < now - SERVED_SPAN_MS) this.served.shift();
    if (this.served.length < 5 || n <= 1) return 0;
    return (n / this.served.length) * SERVED_SPAN_MS;
  }

  private refusal(waitMs: number) {
    return FSInnerErrors.RATE_LIMITED.create({}, { endpoint: this.endpoint, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), cause: 'quota' });
  }

  refused(pausedUntil: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, pausedUntil);
    this.refusedInARow++;
    if (this.refusedInARow >= REFUSALS_TO_GIVE_UP) this.wake?.(); // the line fails now rather than at the end of the pause
  }

  answered(): void {
    this.refusedInARow = 0;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.continuing.length + this.interactive.length + this.bulk.length > 0) {
        this.expire();
        const waiter = this.continuing[0] ?? this.interactive[0] ?? this.bulk[0];
        if (!waiter) break;
        const stepAt = this.takenAt + this.quota.stepMs;
        if (stepAt > Date.now()) {
          await new Promise((r) => setTimeout(r, stepAt - Date.now()));
          continue; // the line may have changed meanwhile (deadlines, new arrivals)
        }
        const attemptedAt = Date.now();
        const retryAt = await this.attempt(waiter);
        if (retryAt !== undefined && retryAt > attemptedAt && this.refusedInARow >= REFUSALS_TO_GIVE_UP && retryAt === this.pausedUntilNow()) {
          this.line(waiter.priority).shift();
          waiter.reject(this.refusal(retryAt - attemptedAt));
          continue;
        }
        if (retryAt === undefined) {
          this.takenAt = attemptedAt; // the step counts from the attempt: the store's round trip is part of it
          this.line(waiter.priority).shift();
          if (waiter.priority !== 'bulk') this.served.push(Date.now());
          waiter.resolve();
          continue;
        }
        // Wake for the window, or sooner for the first deadline of a waiting interactive request.
        const firstDeadline = this.interactive[0]?.deadline ?? Infinity;
        const wakeAt = Math.min(retryAt + Math.random() * 20, firstDeadline);
        await new Promise<void>((r) => {
          const timer = setTimeout((this.wake = r), Math.max(1, wakeAt - Date.now()));
          this.wake = () => (clearTimeout(timer), r());
        });
        this.wake = undefined;
      }
    } catch (err) {
      // The store failed beyond its stand-in: fail the waiters rather than leave them hanging.
      for (const waiter of [...this.continuing.splice(0), ...this.interactive.splice(0), ...this.bulk.splice(0)]) waiter.reject(err);
    } finally {
      this.pumping = false;
    }
  }

  /** Until when the endpoint is paused, as this process knows it. */
  private pausedUntilNow(): number {
    return Math.max(this.pausedUntil, this.flags.pausedUntil);
  }

  /** undefined: the waiter may send now; else when to try again. */
  private async attempt(waiter: Waiter): Promise<number | undefined> {
    const now = Date.now();
    const flags = await this.sharedFlags(now);
    const pausedUntil = Math.max(this.pausedUntil, flags.pausedUntil);
    if (pausedUntil > now) return pausedUntil;
    if (waiter.priority === 'bulk' && flags.demandUntil > now) return Math.min(flags.demandUntil, now + DEMAND_RENEW_MS);
    const taken = await this.quota.take(this.endpoint);
    // Interactive work still waits here (refused, or others behind it while this process steps): bulk work everywhere stands back.
    const stillWaiting = !taken.ok || this.continuing.length + this.interactive.length > 1;
    if (waiter.priority !== 'bulk' && stillWaiting && now - this.demandRaisedAt >= DEMAND_RENEW_MS) {
      this.demandRaisedAt = now;
      this.flags.demandUntil = now + DEMAND_MS;
      await this.quota.raiseDemand(this.endpoint);
    }
    return taken.ok ? undefined : taken.retryAt;
  }

  private async sharedFlags(now: number): Promise<{ pausedUntil: number; demandUntil: number }> {
    if (now - this.flags.readAt >= FLAG_CACHE_MS) {
      const [pausedUntil, demandUntil] = await Promise.all([this.quota.flag('pause', this.endpoint), this.quota.flag('demand', this.endpoint)]);
      this.flags = { readAt: now, pausedUntil: pausedUntil ?? 0, demandUntil: Math.max(demandUntil ?? 0, now - this.demandRaisedAt < DEMAND_MS ? this.demandRaisedAt + DEMAND_MS : 0) };
    }
    return this.flags;
  }

  /** Interactive requests past their deadline fail with 45009 now, instead of hanging. */
  private expire(): void {
    const now = Date.now();
    while (this.interactive.length > 0 && this.interactive[0]!.deadline <= now) {
      const waiter = this.interactive.shift()!;
      waiter.reject(this.refusal(Math.max(this.pausedUntil, this.flags.pausedUntil, this.expectedWaitMs(this.interactive.length + 1) + now) - now));
    }
  }
}
