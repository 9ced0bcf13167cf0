/**
 * Feishu's per-app rate limits (contract §7, §4.1), read as strictly as Feishu may apply them.
 *
 * | rule | the sandbox | basis |
 * |---|---|---|
 * | quota | one per endpoint × app (the sandbox has one tenant); every process using the same app credentials shares it | documented: "per API, per app, per tenant" |
 * | windows | sliding: ≤ perSecond accepted in ANY 1000 ms span and ≤ perMinute in ANY 60,000 ms span | UNVERIFIED: Feishu does not say fixed or sliding. Sliding is stricter: every pattern it admits, any fixed window admits too, while fixed windows let 2× the cap through across a boundary |
 * | contact reads, `authen/v2/oauth/token`, `authen/v1/authorize` | 1000/min & 50/s | documented (standard level 4); either cap triggers |
 * | `authen/v1/user_info`, `contact/v3/departments/:id` | 1000/min & 50/s | UNVERIFIED: "特殊频控" (special), numbers unpublished; assumed the standard level rather than none |
 * | `tenant_access_token/internal`, `app_access_token/internal`, `/callback/ws/endpoint` | 1000/min & 50/s | UNVERIFIED: undocumented; assumed the standard level rather than none |
 * | refused requests | not counted | a 429 was never served, so it consumes nothing |
 * | reply | 429, 99991400; `x-ogw-ratelimit-limit` = the blocking window's cap, `x-ogw-ratelimit-reset` = whole seconds (ceil, ≥ 1) until the request that blocks leaves that window | documented headers; their exact arithmetic is UNVERIFIED |
 * | never limited | `/_sandbox/...` control routes, browser stand-ins | not Feishu APIs |
 *
 * A "special" limit may really be lower than 50/s; without published numbers the sandbox cannot be
 * stricter than the standard level, but `rate` / `ratePerMinute` lower both caps for a test.
 * Time is the sandbox clock (`now`), so a test steps the clock instead of sleeping.
 */
export interface RateLimits {
  /** Requests per second per endpoint per app; 0 or Infinity disables limiting altogether (server.ts). */
  perSecond: number;
  /** Requests per minute per endpoint per app, on every limited endpoint; 0 or Infinity disables this cap. */
  perMinute: number;
}

export interface Limited {
  /** The cap of the window that refused the request (x-ogw-ratelimit-limit). */
  limit: number;
  /** Whole seconds until the request that blocks leaves that window (x-ogw-ratelimit-reset). */
  resetSeconds: number;
}

interface Window {
  ms: number;
  cap: number;
}

/** Past this many keys the stale ones are swept: keys come from client-supplied app ids, so they are not bounded. */
const SWEEP_FLOOR = 1024;

/**
 * A sliding log per key (endpoint × app): the times of accepted requests, ascending. Entries older
 * than the longest window are pruned, so a log never holds more than that window's cap.
 */
export class RateLimiter {
  private readonly windows: Window[];
  /** The longest window: entries older than this can no longer block anything. */
  private readonly horizon: number;
  private readonly logs = new Map<string, number[]>();
  private sweepAt = SWEEP_FLOOR;

  constructor(
    private readonly now: () => number,
    limits: RateLimits,
  ) {
    this.windows = [
      { ms: 1000, cap: limits.perSecond },
      { ms: 60_000, cap: limits.perMinute },
    ].filter((w) => isLimit(w.cap));
    this.horizon = Math.max(0, ...this.windows.map((w) => w.ms));
  }

  get enabled(): boolean {
    return this.windows.length > 0;
  }

  /** Counts the request against `key` and returns undefined, or returns why it is refused (and counts nothing). */
  take(key: string): Limited | undefined {
    if (!this.enabled) return undefined;
    const now = this.now();
    let log = this.logs.get(key);
    if (!log) {
      this.sweep(now);
      this.logs.set(key, (log = []));
    }
    const stale = firstAfter(log, now - this.horizon);
    if (stale) log.splice(0, stale);

    let refused: Limited | undefined;
    let longestWait = 0;
    for (const w of this.windows) {
      const first = firstAfter(log, now - w.ms);
      const inWindow = log.length - first;
      if (inWindow < w.cap) continue;
      // The window drops below its cap once this entry (and all before it) has left.
      const blocker = log[first + inWindow - w.cap]!;
      const wait = blocker + w.ms - now;
      // Both windows may refuse; the later exit is the one the caller must wait for.
      if (!refused || wait > longestWait) {
        longestWait = wait;
        refused = { limit: w.cap, resetSeconds: Math.max(1, Math.ceil(wait / 1000)) };
      }
    }
    if (refused) return refused;
    // Append; an injected clock may step back, so keep the log sorted (such entries stay "recent" longer: stricter).
    log.splice(firstAfter(log, now), 0, now);
    return undefined;
  }

  private sweep(now: number): void {
    if (this.logs.size < this.sweepAt) return;
    for (const [key, log] of this.logs) if (!log.length || log[log.length - 1]! <= now - this.horizon) this.logs.delete(key);
    this.sweepAt = Math.max(SWEEP_FLOOR, 2 * this.logs.size);
  }
}

/** The index of the first entry later than `t` in an ascending log (log.length if none). */
function firstAfter(log: number[], t: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function isLimit(n: number): boolean {
  return n > 0 && Number.isFinite(n);
}
