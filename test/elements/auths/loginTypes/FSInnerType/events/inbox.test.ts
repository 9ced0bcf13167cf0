import { afterEach, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { millis, readEnvelope, withoutToken } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/envelope.js';
import { FSInnerEventCodes } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/errors.js';
import { EventInbox, MAX_PAYLOAD_BYTES } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/inbox.js';
import { loadApp, type App } from '../../../../../../runtime/index.js';
import { INSTANCE } from '../harness.js';
import { TOKEN, inbox, useEventWorld, userObject, v1, v2 } from './event-world.js';

/** The inbox on its own (events/inbox.ts, envelope.ts): what it records, and claims that two processes race for. */
const world = useEventWorld();
const opened: App[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

describe('envelopes', () => {
  test('create_time in seconds, milliseconds, microseconds or nanoseconds reads as epoch ms; garbage as null', () => {
    expect([millis('1608725989'), millis('1608725989000'), millis('1603977298000000'), millis('1608725989000000000'), millis('1502199207.7171419'), millis(1608725989000)]).toEqual([
      1608725989000, 1608725989000, 1603977298000, 1608725989000, 1502199207717, 1608725989000,
    ]);
    expect([millis(''), millis('soon'), millis('-5'), millis(undefined), millis('1e12')]).toEqual([null, null, null, null, null]);
  });

  test('the stored form drops the verification token of v2 (header.token) and v1 (token), nothing else', () => {
    const two = readEnvelope(v2('contact.user.updated_v3', { object: { open_id: 'ou_1' } }, { eventId: 'e-1' }));
    const one = readEnvelope(v1('user_add', { open_id: 'ou_1' }, { uuid: 'u-1' }));
    if (two.kind !== 'event' || one.kind !== 'event') throw new Error('not events');
    expect([two.key, two.type, two.token, one.key, one.type, one.token]).toEqual(['e-1', 'contact.user.updated_v3', TOKEN, 'u-1', 'user_add', TOKEN]);
    expect(JSON.stringify(withoutToken(two))).not.toContain(TOKEN);
    expect(JSON.stringify(withoutToken(one))).not.toContain(TOKEN);
    expect(withoutToken(two)).toMatchObject({ schema: '2.0', header: { event_id: 'e-1' }, event: { object: { open_id: 'ou_1' } } });
  });
});

describe('EventInbox', () => {
  test('record: once per key, later deliveries counted; a url_verification or a non-envelope is EVENT_MALFORMED and not recorded', async () => {
    const w = await world();
    const box = new EventInbox(w.app.dataSource, INSTANCE, w.clock.now);
    const envelope = v2('contact.user.updated_v3', { object: userObject(w, 'lisi') });
    expect(await box.record(envelope, 'websocket')).toEqual({ duplicate: false });
    expect(await box.record(envelope, 'webhook')).toEqual({ duplicate: true });
    await expect(box.record({ type: 'url_verification', challenge: 'x', token: TOKEN }, 'websocket')).rejects.toMatchObject({ code: FSInnerEventCodes.EVENT_MALFORMED });
    await expect(box.record({ what: 'ever' }, 'websocket')).rejects.toMatchObject({ code: FSInnerEventCodes.EVENT_MALFORMED });
    expect((await inbox(w)).map((r) => [r.via, r.status, r.duplicates])).toEqual([['websocket', 'pending', 1]]);
  });

  test('a payload larger than every engine stores is recorded without its body, failed with the reason (deduped all the same)', async () => {
    const w = await world();
    const box = new EventInbox(w.app.dataSource, INSTANCE, w.clock.now);
    const envelope = v2('contact.scope.updated_v3', { added: { users: [{ open_id: 'ou_1', name: 'x'.repeat(MAX_PAYLOAD_BYTES) }] } });
    expect(await box.record(envelope, 'websocket')).toEqual({ duplicate: false });
    expect(await box.record(envelope, 'websocket')).toEqual({ duplicate: true });
    const [row] = await inbox(w);
    expect(row).toMatchObject({ status: 'failed', lastErrorCode: FSInnerEventCodes.EVENT_PAYLOAD_TOO_LARGE, duplicates: 1 });
    expect(JSON.parse(row!.payload)).toEqual({ schema: '2.0', header: expect.objectContaining({ event_type: 'contact.scope.updated_v3' }) });
  });

  test('claim: of two processes racing for a row exactly one gets it; a live claim holds; an expired one can be taken; a settled row cannot', async () => {
    const w = await world();
    const other = await loadApp(join(w.root, 'apps/demo'), { env: {}, clock: w.clock.now, dataDir: join(w.root, 'data'), ...(w.databaseUrl ? { databaseUrl: w.databaseUrl } : {}) });
    opened.push(other);
    const here = new EventInbox(w.app.dataSource, INSTANCE, w.clock.now);
    const there = new EventInbox(other.dataSource, INSTANCE, w.clock.now);
    for (let i = 0; i < 5; i++) await here.record(v2('contact.user.updated_v3', { object: { open_id: `ou_${i}` } }), 'webhook');
    const ids = await here.claimable(10);
    expect(ids.length).toBe(5);

    const races = await Promise.all(ids.map((id) => Promise.all([here.claim(id, 'here', 60_000), there.claim(id, 'there', 60_000)])));
    for (const [a, b] of races) expect([a === null, b === null].sort()).toEqual([false, true]);
    expect(await here.claimable(10)).toEqual([]);
    expect(await there.claim(ids[0]!, 'there', 60_000)).toBeNull(); // the live claim holds

    w.clock.advance(60_001);
    const taken = await there.claim(ids[0]!, 'late', 60_000);
    expect(taken).toMatchObject({ id: ids[0], claimedBy: 'late', attempts: 2 });
    await there.settle(ids[0]!, 'late', { status: 'applied' });
    w.clock.advance(120_000);
    expect(await here.claim(ids[0]!, 'here', 60_000)).toBeNull();
    // The old holder's settle after losing its claim changes nothing.
    const winner = races[0]![0] ? 'here' : 'there';
    await here.settle(ids[0]!, winner, { status: 'failed' });
    expect((await inbox(w)).find((r) => r.id === ids[0])).toMatchObject({ status: 'applied', claimedBy: null });
  });
});
