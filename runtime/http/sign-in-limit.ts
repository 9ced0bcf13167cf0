import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedState } from '../shared/shared-state.js';
import { HttpErrors } from './http-errors.js';

export interface SignInLimitOptions {
  /** Sign-in requests per client and minute. */
  perMinute: number;
  /** Keeps apps apart in a shared store (the app name). */
  scope: string;
}

const WINDOW_SECONDS = 60;

/**
 * The sign-in budget of one client (its address), shared by every process of the app: counted
 * by rate-limiter-flexible in the app's shared state (shared-state.ts: Redis with JIT_REDIS_URL,
 * else the app's database), keys `jit-signin:<app>:<client>`. N servers on one database give a
 * client one budget, not N.
 */
export class SignInLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(shared: SharedState, options: SignInLimitOptions) {
    this.limiter = shared.limiter({ points: options.perMinute, duration: WINDOW_SECONDS, keyPrefix: `jit-signin:${options.scope}` });
  }

  /** Counts one attempt of this client; Code TOO_MANY_REQUESTS (with retryAfterSeconds) once the budget is spent. */
  async consume(client: string): Promise<void> {
    try {
      await this.limiter.consume(client);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw HttpErrors.TOO_MANY_REQUESTS.create({ seconds: retryAfterSeconds }, { retryAfterSeconds });
    }
  }
}
