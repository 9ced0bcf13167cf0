/**
 * Contact reads a bulk sync makes, which Feishu also caps at 1000 a minute per app
 * (contract §7, "1000/min & 50/s"); paced at 95% of it, as the per-second default is.
 * (oauth_token has the same cap but is left unpaced per minute: a login should
 * fail fast with 45009 rather than queue for up to a minute.)
 */
const PER_MINUTE: Readonly<Record<string, number>> = {
  user_get: 950,
  users_batch: 950,
  find_by_department: 950,
  department_children: 950,
  departments_batch: 950,
};

/** The per-minute pace of an endpoint, when it has one (the benchmark prints the floor it implies). */
export const perMinutePace = (endpoint: string): number | undefined => PER_MINUTE[endpoint];

/**
 * Client-side pace per Feishu endpoint: Feishu limits each API per app
 * (contract §7, 50/s for contact and OAuth, 1000/min for the contact reads);
 * staying under both means a bulk sync never collects 429s.
 *
 * Each endpoint has a gate of its own, as Feishu gives each its own quota: a
 * caller held back on one (find_by_department waiting out its minute) never
 * delays another (the department pages of the same sync), which is what lets
 * a full sync run both listings at once (department-sync.ts).
 */
export class EndpointPacer {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly perSecond: number) {}

  wait(endpoint: string): Promise<void> {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      const perMinute = PER_MINUTE[endpoint];
      // Spaced per second: see SlidingWindow. The bulk reads (paced per minute too) are spaced from
      // the first request: they come as backlogs, where a burst gains nothing and risks a 429; the
      // others (logins) may burst from idle. Exact per minute: spacing there would spread each
      // minute's 950 over the whole minute instead of letting them go at the per-second pace.
      const windows = [new SlidingWindow(this.perSecond, 1000, 1000 / this.perSecond, !perMinute)];
      if (perMinute && perMinute < this.perSecond * 60) windows.push(new SlidingWindow(perMinute, 60_000, 0, true));
      gate = new Gate(windows);
      this.gates.set(endpoint, gate);
    }
    return gate.wait();
  }
}

/**
 * At most `limit` passes in any `intervalMs`: the times of the last `limit` passes are kept, and
 * once that many are recent the next may go when the oldest of them leaves the interval, and no
 * sooner than `spacingMs` after the last one. After a whole interval without a pass, with `burst`
 * a run of `limit` may go at once (a few logins should not queue behind each other); without, the
 * spacing holds from the first pass.
 *
 * Why the spacing: Feishu counts in windows of its own (the sandbox: fixed, on the clock), by
 * arrival, and arrivals jitter: requests let through together queue behind each other (in the
 * sandbox, in the same event loop as this process), so the tail of a burst can land in the next
 * window, which the requests after it then fill. Evenly spaced, a window holds `limit` give or
 * take one. Without spacing, a backlog was let through as a burst once per interval (35 × 429 in
 * one 2,000-department benchmark sync at 45/s under 50/s); spaced but bursting from idle, at the
 * start of each minute (4 × 429 in a 5,000-department one). Why not per minute: spacing of
 * 60 s/950 is what p-throttle's strict mode, used before, applied to its minute gate, so after the
 * first minute a sync's member listing crept at 16/s instead of 45/s (5 s lost per minute).
 */
class SlidingWindow {
  /** Pass times, oldest first; only the last `limit` matter. */
  private readonly passes: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly intervalMs: number,
    private readonly spacingMs: number,
    private readonly burst: boolean,
  ) {}

  /** The earliest time, not before `now`, at which one more may pass. */
  nextAt(now: number): number {
    const last = this.passes.at(-1);
    // Strictly more than an interval: a backlog let through the instant the window allows is not idle.
    if (last === undefined || now - last > this.intervalMs) {
      this.passes.length = 0;
      return now;
    }
    while (this.passes.length > this.limit) this.passes.shift();
    const spaced = Math.max(now, last + this.spacingMs);
    if (this.passes.length < this.limit) return this.burst ? now : spaced;
    return Math.max(spaced, this.passes[0]! + this.intervalMs);
  }

  pass(now: number): void {
    this.passes.push(now);
  }
}

/** Callers in arrival order, each let through once every window has room; one timer at a time. */
class Gate {
  private readonly queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windows: readonly SlidingWindow[]) {}

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
  }

  private drain(): void {
    if (this.timer) return;
    while (this.queue.length > 0) {
      const now = Date.now();
      const at = Math.max(...this.windows.map((w) => w.nextAt(now)));
      if (at > now) {
        // A timer may fire a little early: drain() checks again and waits the rest.
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, at - now);
        return;
      }
      for (const w of this.windows) w.pass(now);
      this.queue.shift()!();
    }
  }
}
