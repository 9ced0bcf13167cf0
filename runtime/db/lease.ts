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
