/**
 * Feishu's redelivery schedule (§1.7, D-EVOV), for webhooks and long connections alike: a push that
 * is not answered with HTTP 200 (or acked with code 200) within 3 s is retried
 *
 *   attempt 1 ──fail── 15 s ── attempt 2 ──fail── 5 min ── attempt 3 ──fail── 1 h ── attempt 4 ──fail── 6 h ── attempt 5 ──fail── given up
 *
 * so at most 4 retries. Each wait is counted from the failure before it (the doc lists the waits,
 * not what they are counted from: UNVERIFIED). `timeScale` compresses the waits for tests.
 */
export const RETRY_DELAYS_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];

/** The wait before the next attempt after `failedAttempts` failures, or undefined when that was the last. */
export function retryDelayMs(failedAttempts: number, timeScale: number): number | undefined {
  const delay = RETRY_DELAYS_MS[failedAttempts - 1];
  return delay === undefined ? undefined : delay * timeScale;
}
