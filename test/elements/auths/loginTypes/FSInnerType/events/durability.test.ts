import { afterEach, describe, expect, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { FSInnerEventCodes } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/errors.js';
import { FSInnerEventModel } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/models.js';
import type { FSInnerType } from '../../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { createHttpServer } from '../../../../../../runtime/http/server.js';
import { loadApp, type App } from '../../../../../../runtime/index.js';
import type { HttpWorld } from '../../../../../runtime/http/http-world.js';
import { INSTANCE } from '../harness.js';
import { HOOK, KEY, inbox, post, push, useEventWorld, userObject, userRow, v2, waitFor } from './event-world.js';

/**
 * The inbox is durable (events/inbox.ts, applier.ts): an acknowledged event survives the process,
 * a claim survives only its holder, and of several processes on one database each event is
 * recorded once and applied once.
 */
const world = useEventWorld();
const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

const t = (seconds: number) => 1_700_000_000_000 + seconds * 1000;
const retitled = (w: HttpWorld, userId: string, title: string, seconds: number) => v2('contact.user.updated_v3', { object: userObject(w, userId, { job_title: title }) }, { createTime: t(seconds) });

/** Another process on the same app folder and database (SQLite file or the test server's database), serving. */
async function secondProcess(w: HttpWorld): Promise<{ app: App; server: FastifyInstance }> {
  const app = await loadApp(join(w.root, 'apps/demo'), { env: {}, clock: w.clock.now, dataDir: join(w.root, 'data'), services: true, ...(w.databaseUrl ? { databaseUrl: w.databaseUrl } : {}) });
  closing.push(() => app.close());
  const server = await createHttpServer(app, { logLevel: false });
  closing.unshift(() => server.close());
  return { app, server };
}

const applied = async (w: { app: App }, n: number) => (await inbox(w)).filter((r) => r.status === 'applied').length === n;

describe('crash safety', () => {
  test('recorded and acknowledged, then the process stops before applying: the next process applies it, once', async () => {
    const w = await world();
    expect((await post(w, push(retitled(w, 'lisi', 'after the restart', 1), { key: KEY }))).json()).toEqual({ msg: 'success' });
    expect((await inbox(w)).map((r) => r.status)).toEqual(['pending']);
    await w.app.close(); // the process goes away; nothing was applied

    const next = await secondProcess(w);
    await waitFor(() => applied(next, 1), 'the event applied after restart');
    const [row] = await inbox(next);
    expect(row).toMatchObject({ status: 'applied', attempts: 1 });
    expect(await next.app.getElement<FSInnerType>(INSTANCE).eventStatus()).toMatchObject({ applying: true, counts: { applied: 1, pending: 0 } });
  });

  test('a row claimed by a process that died is applied once its claim runs out, counting that attempt', async () => {
    const w = await world();
    await post(w, push(retitled(w, 'lisi', 'claimed by the dead', 1), { key: KEY }));
    const repository = w.app.dataSource.getRepository(FSInnerEventModel);
    await repository.update({ instance: INSTANCE }, { claimedBy: 'a-process-that-died', claimedUntil: w.clock.now() + 60_000, attempts: 1 });
    await w.fs().applyEvents();
    expect((await inbox(w))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await userRow(w, 'lisi')).toBeNull();
    w.clock.advance(61_000);
    await w.fs().applyEvents();
    expect((await inbox(w))[0]).toMatchObject({ status: 'applied', attempts: 2, claimedBy: null });
    expect(await userRow(w, 'lisi')).toMatchObject({ position: 'claimed by the dead' });
  });

  test('a row that every process died on is failed after the last attempt instead of being applied again', async () => {
    const w = await world();
    await post(w, push(retitled(w, 'lisi', 'poison', 1), { key: KEY }));
    await w.app.dataSource.getRepository(FSInnerEventModel).update({ instance: INSTANCE }, { claimedBy: 'dead', claimedUntil: w.clock.now() - 1, attempts: 5 });
    await w.fs().applyEvents();
    expect((await inbox(w))[0]).toMatchObject({ status: 'failed', attempts: 6, lastErrorCode: FSInnerEventCodes.EVENT_GAVE_UP });
    expect(await userRow(w, 'lisi')).toBeNull();
  });
});

describe('the service', () => {
  test('served, a recorded event is applied without being asked; close() stops the applier; with eventTransport "none" it never starts', async () => {
    const w = await world();
    const fs = w.fs();
    await fs.startContactEvents();
    expect((await fs.eventStatus()).applying).toBe(true);
    await post(w, push(retitled(w, 'lisi', 'kicked', 1), { key: KEY }));
    await waitFor(() => applied(w, 1), 'the kick to apply it');
    expect(await userRow(w, 'lisi')).toMatchObject({ position: 'kicked' });

    await fs.close();
    expect((await fs.eventStatus()).applying).toBe(false);
    await post(w, push(retitled(w, 'lisi', 'after close', 2), { key: KEY }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await inbox(w)).map((r) => r.status)).toEqual(['applied', 'pending']);

    const off = await world({ config: { eventTransport: 'none' } });
    await off.fs().startContactEvents();
    expect((await off.fs().eventStatus()).applying).toBe(false);
  });
});

describe('two processes on one database', () => {
  test('the same pushes delivered to both at once: each recorded once (the other a duplicate), each applied once, the newest data winning', async () => {
    const w = await world();
    await w.app.startServices();
    const other = await secondProcess(w);
    const people = ['lisi', 'wangwu', 'zhaoliu', 'sunqi', 'zhouba', 'chenyi'];
    const envelopes = people.flatMap((userId, i) => [retitled(w, userId, `${userId} v1`, 10 + i), retitled(w, userId, `${userId} v2`, 20 + i)]);
    const replies = await Promise.all(
      envelopes.flatMap((envelope) => {
        const p = push(envelope, { key: KEY });
        return [post(w, p), other.server.inject({ method: 'POST', url: HOOK, payload: p.payload, headers: p.headers })];
      }),
    );
    expect(replies.map((r) => r.statusCode)).toEqual(replies.map(() => 200));
    // An older update that arrives after the newer one was applied is stale: which ones depends on the race.
    const settled = async () => (await inbox(w)).filter((r) => r.status === 'applied' || r.status === 'stale').length === envelopes.length;
    await waitFor(settled, 'every event settled', 15_000);
    const rows = await inbox(w);
    expect(rows.map((r) => [r.attempts, r.duplicates])).toEqual(envelopes.map(() => [1, 1]));
    expect(rows.filter((r) => r.status === 'applied').length).toBeGreaterThanOrEqual(people.length);
    for (const userId of people) expect(await userRow(w, userId)).toMatchObject({ position: `${userId} v2`, eventAt: t(20 + people.indexOf(userId)) });
    expect(await other.app.getElement<FSInnerType>(INSTANCE).eventStatus()).toMatchObject({ duplicates: envelopes.length, counts: { pending: 0, failed: 0 } });
  });
});
