import { afterEach, describe, expect, test } from '@jest/globals';
import { DEFAULT_TIMING, EventApplier, type ApplierTiming, type ApplyOutcome } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/applier.js';
import { ContactEvents } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/contact-events.js';
import type { EventContext } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/handlers.js';
import { EventInbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/inbox.js';
import type { FSInnerConfig } from '../../../../../../elements/auths/loginTypes/FSInnerType/config.js';
import { LeaseModel } from '../../../../../../runtime/db/lease-model.js';
import type { ElementHost } from '../../../../../../runtime/element.js';
import type { HttpWorld } from '../../../../../runtime/http/http-world.js';
import { INSTANCE } from '../harness.js';
import { inbox, useEventWorld, v2, waitFor } from './event-world.js';

/**
 * The applier's timing (events/applier.ts): how soon a row is applied when another process holds
 * the lease, and how long a process that died holding the lease or a claim holds things up.
 * Each "process" here is an applier of its own on the world's database, as several servers are.
 */
const world = useEventWorld();
const stopping: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stopping.splice(0).reverse()) await stop();
});

const LEASE = `${INSTANCE}.eventInbox`;
/** A type no handler takes: applied as "ignored", without reaching the directory or Feishu. */
const unhandled = () => v2('im.message.receive_v1', { message: {} });

/** Another process's applier (its poll a minute away unless `timing` says otherwise), with `apply` and the inbox in the test's hands. */
function applierOf(w: HttpWorld, apply: () => Promise<ApplyOutcome>, options: { timing?: Partial<ApplierTiming>; inbox?: EventInbox } = {}): EventApplier {
  const box = options.inbox ?? new EventInbox(w.app.dataSource, INSTANCE, w.clock.now);
  const applier = new EventApplier(box, apply, { dataSource: w.app.dataSource, name: LEASE }, w.clock.now, { ...DEFAULT_TIMING, pollMs: 60_000, ...options.timing });
  stopping.push(() => applier.stop());
  return applier;
}

/** ContactEvents as FSInnerType builds it, with its timing overridden. */
function contactEvents(w: HttpWorld, timing: Partial<ApplierTiming>): ContactEvents {
  const host = { dataSource: w.app.dataSource, now: w.clock.now, log: () => undefined } as unknown as ElementHost;
  const events = new ContactEvents(INSTANCE, { eventTransport: 'webhook' } as FSInnerConfig, host, () => ({}) as EventContext, 'http://127.0.0.1:1', timing);
  stopping.push(() => events.close());
  return events;
}

function gate(): { open(): void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('another process holding the lease', () => {
  test('a kick that finds the lease taken tries once more soon: a row committed just before the holder let go is applied without waiting for the poll', async () => {
    const w = await world();
    // The holder: its last look finds nothing, and it has not let go of the lease yet.
    const lookedEmpty = gate();
    const letGo = gate();
    class HeldOpen extends EventInbox {
      override async claimable(limit: number): Promise<number[]> {
        const ids = await super.claimable(limit);
        if (ids.length === 0) {
          lookedEmpty.open();
          await letGo.opened;
        }
        return ids;
      }
    }
    const holder = applierOf(w, async () => ({ status: 'applied' }), { inbox: new HeldOpen(w.app.dataSource, INSTANCE, w.clock.now) });
    holder.start();
    await lookedEmpty.opened;

    // This process records a row then, and its kick finds the lease taken (BUSY). Its poll is a minute away.
    const here = contactEvents(w, { pollMs: 60_000, busyRetryMs: 1_000 });
    await here.inbox.record(unhandled(), 'webhook');
    await here.start();
    await here.applyNow();
    expect((await inbox(w)).map((r) => r.status)).toEqual(['pending']);

    // The holder lets go without looking again.
    letGo.open();
    await holder.stop();
    expect(await w.app.dataSource.getRepository(LeaseModel).findOneBy({ name: LEASE })).toBeNull();
    await waitFor(async () => (await inbox(w))[0]?.status === 'ignored', 'the row applied by the retry after BUSY', 3_500);
    expect((await inbox(w))[0]).toMatchObject({ status: 'ignored', attempts: 1, claimedBy: null });
  });
});

describe('a process that dies', () => {
  test('leaves behind an applier lease that runs out within 10 s and a claim on the row it was applying that runs out within 20 s', async () => {
    const w = await world();
    const applying = gate();
    const done = gate();
    const dying = applierOf(
      w,
      async () => {
        applying.open();
        await done.opened;
        return { status: 'applied' };
      },
      { timing: DEFAULT_TIMING },
    );
    stopping.push(async () => done.open()); // before the applier stops, even if an expectation failed
    await new EventInbox(w.app.dataSource, INSTANCE, w.clock.now).record(unhandled(), 'webhook');
    const [wallBefore, clockBefore] = [Date.now(), w.clock.now()];
    dying.start();
    await applying.opened;
    // What it leaves if it dies now: the lease (on wall time) and the row's claim (on the app's clock).
    const lease = await w.app.dataSource.getRepository(LeaseModel).findOneByOrFail({ name: LEASE });
    const row = (await inbox(w))[0]!;
    const [wallAfter, clockAfter] = [Date.now(), w.clock.now()];
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect([lease.expiresAt >= wallBefore + 10_000, lease.expiresAt <= wallAfter + 10_000]).toEqual([true, true]);
    expect([row.claimedUntil! >= clockBefore + 20_000, row.claimedUntil! <= clockAfter + 20_000]).toEqual([true, true]);
  });

  test('a claim is renewed while its event is applied: past claimMs another process still cannot take the row; once settled it is applied once', async () => {
    const w = await world();
    const applying = gate();
    const done = gate();
    const box = new EventInbox(w.app.dataSource, INSTANCE, w.clock.now);
    const slow = applierOf(
      w,
      async () => {
        applying.open();
        await done.opened;
        return { status: 'applied' };
      },
      { inbox: box, timing: { claimMs: 300 } },
    );
    stopping.push(async () => done.open());
    await box.record(unhandled(), 'webhook');
    slow.start();
    await applying.opened;
    const id = (await inbox(w))[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 700)); // more than twice claimMs
    // A process past a lost lease goes by the claim alone.
    expect(await box.claim(id, 'another-process', 300)).toBeNull();
    done.open();
    await slow.stop();
    expect((await inbox(w))[0]).toMatchObject({ status: 'applied', attempts: 1, claimedBy: null });
  });
});
