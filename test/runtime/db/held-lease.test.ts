import { afterEach, describe, expect, test } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { holdLease, withLease, type HeldLease, type HoldLeaseOptions, type LeaseTimers } from '../../../runtime/db/lease.js';
import { LeaseModel } from '../../../runtime/db/lease-model.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';
import { ENGINE, sharedTestDatabase } from '../../helpers/database.js';

const TTL = 300;
const RETRY = 100;
const NAME = 'test.heldLease';
/** Room for queries and timer lateness on a loaded machine. */
const SLACK = 250;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One database; each call opens a connection of its own to it, as another process would. */
const database = () => sharedTestDatabase([LeaseModel], cleanups);

/** Real timers that can be frozen (a process that stopped: nothing fires) and thawed (it resumes). */
function freezableTimers(): LeaseTimers & { freeze(): void; thaw(): void } {
  let frozen = false;
  const pending = new Map<object, { cb: () => void; handle?: NodeJS.Timeout }>();
  const parked: Array<() => void> = [];
  return {
    setTimeout(cb, ms) {
      const key = {};
      const entry: { cb: () => void; handle?: NodeJS.Timeout } = { cb };
      const fire = () => {
        pending.delete(key);
        if (frozen) parked.push(cb);
        else cb();
      };
      entry.handle = setTimeout(fire, ms);
      pending.set(key, entry);
      return key;
    },
    clearTimeout(key) {
      const entry = pending.get(key as object);
      if (entry) clearTimeout(entry.handle);
      pending.delete(key as object);
    },
    freeze: () => (frozen = true),
    thaw() {
      frozen = false;
      for (const cb of parked.splice(0)) cb();
    },
  };
}

interface Probe {
  lease: HeldLease;
  acquired: number[];
  lost: number[];
}

function holder(ds: DataSource, extra: Partial<HoldLeaseOptions> = {}): Probe {
  const probe: Probe = { lease: undefined as unknown as HeldLease, acquired: [], lost: [] };
  probe.lease = holdLease(ds, NAME, Date.now, {
    ttlMs: TTL,
    retryMs: RETRY,
    onAcquired: () => void probe.acquired.push(Date.now()),
    onLost: () => void probe.lost.push(Date.now()),
    ...extra,
  });
  cleanups.push(() => probe.lease.close());
  return probe;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`holdLease on ${ENGINE}`, () => {
  test('of two holders on one database exactly one holds, and keeps holding past its ttl', async () => {
    const connect = await database();
    const a = holder(await connect());
    const b = holder(await connect());
    await until(() => a.lease.held() || b.lease.held(), TTL + SLACK, 'a holder');
    // Sample across several ttls: the holder renews, the other never gets in.
    for (let i = 0; i < 20; i++) {
      expect(Number(a.lease.held()) + Number(b.lease.held())).toBe(1);
      await sleep(TTL / 6);
    }
    expect(a.acquired.length + b.acquired.length).toBe(1);
    expect(a.lost.length + b.lost.length).toBe(0);
  });

  test('when the holder closes, the other takes over within the retry interval', async () => {
    const connect = await database();
    const a = holder(await connect());
    await until(() => a.lease.held(), TTL + SLACK, 'a to hold');
    const b = holder(await connect());
    await sleep(RETRY * 2); // b is standing by
    expect(b.lease.held()).toBe(false);
    const closedAt = Date.now();
    await a.lease.close();
    expect(a.lease.held()).toBe(false);
    expect(a.lost).toEqual([]); // close is not a loss
    const takenAt = await until(() => b.lease.held(), RETRY * 1.25 + SLACK, 'b to take over');
    expect(takenAt - closedAt).toBeLessThan(RETRY * 1.25 + SLACK);
    expect(await (await connect()).getRepository(LeaseModel).countBy({ name: NAME })).toBe(1);
  });

  test('a holder that stops renewing (a crashed process) is taken over once its lease runs out, not before', async () => {
    const connect = await database();
    const timers = freezableTimers();
    const a = holder(await connect(), { timers });
    await until(() => a.lease.held(), TTL + SLACK, 'a to hold');
    const b = holder(await connect());
    await sleep(RETRY);
    timers.freeze();
    const crashedAt = Date.now();
    const takenAt = await until(() => b.lease.held(), TTL + RETRY * 1.25 + SLACK, 'b to take over');
    // a last renewed at most ttl/3 before the crash, so its lease ran at least 2/3 ttl past it.
    expect(takenAt - crashedAt).toBeGreaterThanOrEqual((TTL * 2) / 3 - 20);
    expect(a.lease.held()).toBe(true); // it does not know
  });

  test('a holder that resumes after being taken over learns it lost the lease: onLost, then it stands by', async () => {
    const connect = await database();
    const timers = freezableTimers();
    const a = holder(await connect(), { timers });
    await until(() => a.lease.held(), TTL + SLACK, 'a to hold');
    const b = holder(await connect());
    timers.freeze();
    await until(() => b.lease.held(), TTL + RETRY * 1.25 + SLACK, 'b to take over');
    timers.thaw();
    await until(() => a.lost.length === 1, TTL / 3 + SLACK, 'a to lose the lease');
    expect(a.lease.held()).toBe(false);
    await sleep(TTL); // a retries; b renews
    expect(b.lease.held()).toBe(true);
    expect(a.lease.held()).toBe(false);
    expect(b.lost).toEqual([]);
  });

  test('a holder that cannot reach the database lets go once its lease has run out, and another takes over', async () => {
    const connect = await database();
    const dsA = await connect();
    const errors: string[] = [];
    const a = holder(dsA, { onError: (_err, during) => errors.push(during) });
    await until(() => a.lease.held(), TTL + SLACK, 'a to hold');
    const b = holder(await connect());
    await sleep(RETRY);
    const downAt = Date.now();
    await dsA.destroy();
    const lostAt = await until(() => a.lost.length === 1, TTL + TTL / 3 + SLACK, 'a to give up');
    expect(lostAt - downAt).toBeGreaterThanOrEqual((TTL * 2) / 3 - 20); // not at the first failed renewal
    expect(errors).toContain('renew');
    await until(() => b.lease.held(), TTL + RETRY * 1.25 + SLACK, 'b to take over');
  });

  test('onAcquired that throws gives the lease back, so another process can take it', async () => {
    const connect = await database();
    const errors: string[] = [];
    const a = holder(await connect(), {
      onAcquired: () => {
        throw new Error('cannot start');
      },
      onError: (_err, during) => errors.push(during),
    });
    await until(() => errors.includes('onAcquired'), TTL + SLACK, 'a to fail');
    await a.lease.close();
    expect(await (await connect()).getRepository(LeaseModel).countBy({ name: NAME })).toBe(0);
    const b = holder(await connect());
    await until(() => b.lease.held(), RETRY + SLACK, 'b to hold');
  });

  test('withLease and holdLease share names: a held lease makes withLease BUSY', async () => {
    const connect = await database();
    const ds = await connect();
    const a = holder(ds);
    await until(() => a.lease.held(), TTL + SLACK, 'a to hold');
    await expect(withLease(await connect(), NAME, Date.now, async () => 'ran')).rejects.toMatchObject({ code: RuntimeCodes.BUSY });
    await a.lease.close();
    await expect(withLease(await connect(), NAME, Date.now, async () => 'ran')).resolves.toBe('ran');
  });
});
