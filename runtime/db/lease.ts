import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { LeaseModel } from './lease-model.js';
import { RuntimeErrors } from '../errcode.js';

/**
 * Runs `work` while holding a database lease, so only one process of all
 * those sharing the database runs it at a time. Taking the lease is one
 * INSERT (or one UPDATE of an expired lease): of two racing processes exactly
 * one succeeds. The holder renews it while working; a crashed holder's lease
 * simply expires.
 */
export async function withLease<T>(dataSource: DataSource, name: string, now: () => number, work: () => Promise<T>, ttlMs = 60_000): Promise<T> {
  const holder = randomUUID();
  if (!(await acquire(dataSource, name, holder, now() + ttlMs, now()))) {
    const current = await dataSource.getRepository(LeaseModel).findOneBy({ name });
    throw RuntimeErrors.BUSY.create({ problem: `"${name}" is already running in another process; try again when it has finished.` }, {
      lease: name,
      ...(current ? { until: current.expiresAt } : {}),
    });
  }
  const renew = setInterval(() => {
    dataSource.getRepository(LeaseModel).update({ name, holder }, { expiresAt: now() + ttlMs }).catch(() => undefined);
  }, ttlMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await dataSource.getRepository(LeaseModel).delete({ name, holder });
  }
}

async function acquire(dataSource: DataSource, name: string, holder: string, expiresAt: number, now: number): Promise<boolean> {
  try {
    await dataSource.getRepository(LeaseModel).insert({ name, holder, expiresAt });
    return true;
  } catch {
    // Someone holds it (or held it): take it over only if it has expired.
    const taken = await dataSource
      .createQueryBuilder()
      .update(LeaseModel)
      .set({ holder, expiresAt })
      .where('name = :name AND expiresAt < :now', { name, now })
      .execute();
    return taken.affected === 1;
  }
}

/** The timers a held lease runs on; a test stops them to play a process that died. */
export interface LeaseTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HoldLeaseOptions {
  /** How long a taken lease lasts unless renewed; it is renewed every ttl/3. */
  ttlMs: number;
  /** How often a process without the lease tries to take it (±25% jitter, so processes do not ask in step). */
  retryMs: number;
  /** Called once the lease is taken; start the work here. If it throws, the lease is given back and taken again later. */
  onAcquired(): Promise<void> | void;
  /** Called when the lease was taken over by another process, or could not be renewed before it ran out; stop the work here. */
  onLost(): Promise<void> | void;
  /** A failed query or callback: the lease keeps going (default: ignored). */
  onError?(err: unknown, during: 'acquire' | 'renew' | 'release' | 'onAcquired' | 'onLost'): void;
  timers?: LeaseTimers;
}

export interface HeldLease {
  /** Stops trying and renewing, and gives the lease back if held; onLost is not called. */
  close(): Promise<void>;
  held(): boolean;
}

/**
 * Keeps a database lease for as long as the process lives: of all processes
 * holding the same name on one database, one holds it at a time and runs the
 * work (`onAcquired` … `onLost`), the others stand by and try again every
 * retryMs. A holder that dies stops renewing; its lease runs out after ttlMs and
 * another takes over. A holder that cannot reach the database lets go once its
 * lease may have run out, since another process may then hold it.
 */
export function holdLease(dataSource: DataSource, name: string, now: () => number, options: HoldLeaseOptions): HeldLease {
  const holder = randomUUID();
  const timers: LeaseTimers = options.timers ?? { setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const report = (err: unknown, during: Parameters<NonNullable<HoldLeaseOptions['onError']>>[1]) => {
    try {
      options.onError?.(err, during);
    } catch {
      // A reporter that throws must not stop the lease.
    }
  };
  let held = false;
  let closed = false;
  let expiresAt = 0; // as last written by us
  let timer: unknown;
  let running: Promise<void> = Promise.resolve();

  const schedule = (ms: number) => {
    if (!closed) timer = timers.setTimeout(() => (running = tick()), ms);
  };

  const lose = async () => {
    held = false;
    try {
      await options.onLost();
    } catch (err) {
      report(err, 'onLost');
    }
  };

  const tryTake = async () => {
    const until = now() + options.ttlMs;
    try {
      if (!(await take(dataSource, name, holder, until, now()))) return;
    } catch (err) {
      report(err, 'acquire');
      return;
    }
    expiresAt = until;
    if (closed) return; // close() gives it back
    held = true;
    try {
      await options.onAcquired();
    } catch (err) {
      report(err, 'onAcquired');
      held = false;
      await release(dataSource, name, holder).catch((e) => report(e, 'release'));
    }
  };

  const renew = async () => {
    const until = now() + options.ttlMs;
    try {
      const result = await dataSource.getRepository(LeaseModel).update({ name, holder }, { expiresAt: until });
      if (result.affected === 0) await lose(); // someone took it over: our lease had run out
      else expiresAt = until;
    } catch (err) {
      report(err, 'renew');
      if (now() >= expiresAt) await lose();
    }
  };

  const tick = async () => {
    if (closed) return;
    if (held) await renew();
    else await tryTake();
    schedule(held ? options.ttlMs / 3 : options.retryMs * (0.75 + Math.random() / 2));
  };

  schedule(0);
  return {
    held: () => held,
    close: async () => {
      if (closed) return running;
      closed = true;
      timers.clearTimeout(timer);
      await running;
      held = false;
      // Unconditional: a take that raced close() may have written the row. Only ever our own row.
      await release(dataSource, name, holder).catch((err) => report(err, 'release'));
    },
  };
}

/**
 * One attempt: insert the lease, or take over ours or an expired one. The
 * update is conditional on the row as read, so of two processes that saw the
 * same expired lease exactly one takes it.
 */
async function take(dataSource: DataSource, name: string, holder: string, expiresAt: number, at: number): Promise<boolean> {
  const repository = dataSource.getRepository(LeaseModel);
  const row = await repository.findOneBy({ name });
  if (!row) {
    try {
      await repository.insert({ name, holder, expiresAt });
      return true;
    } catch {
      return false; // another process inserted it first
    }
  }
  if (row.holder !== holder && row.expiresAt >= at) return false;
  const taken = await repository.update({ name, holder: row.holder, expiresAt: row.expiresAt }, { holder, expiresAt });
  return taken.affected === 1;
}

async function release(dataSource: DataSource, name: string, holder: string): Promise<void> {
  await dataSource.getRepository(LeaseModel).delete({ name, holder });
}
