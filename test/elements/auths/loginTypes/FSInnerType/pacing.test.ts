import { expect, jest, test } from '@jest/globals';
import { EndpointPacer } from '../../../../../elements/auths/loginTypes/FSInnerType/pacing.js';

/** The most of these (sorted) times that fall in one window [t, t + ms). */
function mostInAnyWindow(times: number[], ms: number): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + ms) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

const elapsedSince = (t0: number) => () => Date.now() - t0;

test('each endpoint has its own gate: one held back by its pace does not delay another', async () => {
  const pacer = new EndpointPacer(2);
  await Promise.all([pacer.wait('find_by_department'), pacer.wait('find_by_department')]); // 0 ms and 500 ms: the second is full
  const elapsed = elapsedSince(Date.now());
  const third = pacer.wait('find_by_department').then(elapsed); // waits for the first to leave the window, at 1000 ms
  const other = await pacer.wait('department_children').then(elapsed);
  expect(other).toBeLessThan(100);
  expect(await third).toBeGreaterThanOrEqual(400);
});

test('contact reads are paced at 950 a minute per endpoint, under Feishu\'s 1000/min (contract §7)', async () => {
  jest.useFakeTimers({ now: 1_000_000 });
  try {
    const pacer = new EndpointPacer(1000);
    let passed = 0;
    const waits = Array.from({ length: 951 }, () => pacer.wait('find_by_department').then(() => passed++));
    await jest.advanceTimersByTimeAsync(59_000);
    expect(passed).toBe(950);
    await pacer.wait('department_children'); // another endpoint's minute is its own
    await jest.advanceTimersByTimeAsync(1_000);
    await Promise.all(waits);
    expect(passed).toBe(951);
  } finally {
    jest.useRealTimers();
  }
});

test('contact reads: every minute gets its full 950 at the per-second pace, evenly spaced, not 950 spread over the minute', async () => {
  jest.useFakeTimers({ now: 1_000_000 });
  try {
    const pacer = new EndpointPacer(45);
    let asked = 0;
    let passed = 0;
    const times: number[] = [];
    // As a sync asks: a few callers at a time, each asking again as soon as it is let through.
    const worker = async () => {
      while (asked < 2 * 950) {
        asked++;
        await pacer.wait('find_by_department');
        times.push(Date.now());
        passed++;
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await jest.advanceTimersByTimeAsync(59_000);
    expect(passed).toBe(950); // 950 at 45/s: 21 s, then the minute is spent
    // The second minute's 950 again in ~21 s (timers fire on whole ms: 23 ms apart, 21.8 s), not ~60 s.
    await jest.advanceTimersByTimeAsync(1_000 + 23_000);
    expect(passed).toBe(2 * 950);
    await Promise.all(workers);
    // Evenly spaced throughout, the start of each minute included: no burst, whose tail Feishu's
    // fixed windows would count with the requests after it when replies jitter.
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < 30_000) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(22);
    // And never more than Feishu's share in any window: 45 in any second, 950 in any minute.
    expect(mostInAnyWindow(times, 1000)).toBeLessThanOrEqual(45);
    expect(mostInAnyWindow(times, 60_000)).toBe(950);
  } finally {
    jest.useRealTimers();
  }
});

test('logins may burst from idle; the bulk contact reads are spaced from the first', async () => {
  jest.useFakeTimers({ now: 1_000_000 });
  try {
    const pacer = new EndpointPacer(45);
    const t0 = Date.now();
    const after = (endpoint: string) => Promise.all(Array.from({ length: 10 }, () => pacer.wait(endpoint).then(() => Date.now() - t0)));
    const logins = after('oauth_token');
    const reads = after('find_by_department');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(Math.max(...(await logins))).toBe(0);
    expect(Math.max(...(await reads))).toBeGreaterThanOrEqual(9 * 22);
  } finally {
    jest.useRealTimers();
  }
});

