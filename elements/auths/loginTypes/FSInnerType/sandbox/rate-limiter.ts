export interface RateLimits {
  /** Requests per second per endpoint per app; 0 or Infinity disables. */
  perSecond: number;
  /** Requests per minute, applied only to endpoints the contract gives "1000/min & 50/s" (§7). */
  perMinute: number;
}

export interface Limited {
  /** The cap of the window that was exceeded (x-ogw-ratelimit-limit). */
  limit: number;
  /** Whole seconds until that window resets (x-ogw-ratelimit-reset). */
  resetSeconds: number;
}

interface Windows {
  second: number;
  inSecond: number;
  minute: number;
  inMinute: number;
}

/**
 * Fixed windows per key (endpoint × app), on the sandbox clock, so a test that injects a clock can
 * step past a window instead of sleeping. Rejected requests do not count against the window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Windows>();

  constructor(
    private readonly now: () => number,
    private readonly limits: RateLimits,
  ) {}

  get enabled(): boolean {
    return isLimit(this.limits.perSecond) || isLimit(this.limits.perMinute);
  }

  take(key: string, withMinuteCap: boolean): Limited | undefined {
    const now = this.now();
    const second = Math.floor(now / 1000);
    const minute = Math.floor(now / 60_000);
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { second, inSecond: 0, minute, inMinute: 0 }));
    if (w.second !== second) (w.second = second), (w.inSecond = 0);
    if (w.minute !== minute) (w.minute = minute), (w.inMinute = 0);
    if (withMinuteCap && isLimit(this.limits.perMinute) && w.inMinute >= this.limits.perMinute) {
      return { limit: this.limits.perMinute, resetSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
    }
    if (isLimit(this.limits.perSecond) && w.inSecond >= this.limits.perSecond) {
      return { limit: this.limits.perSecond, resetSeconds: 1 };
    }
    w.inSecond++;
    w.inMinute++;
    return undefined;
  }
}

function isLimit(n: number): boolean {
  return n > 0 && Number.isFinite(n);
}
