import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { encryptEvent } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import { FSInnerEventCodes } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/errors.js';
import { MAX_BODY_BYTES } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/webhook.js';
import { createConfigAjv } from '../../../../../../runtime/loader/config-ajv.js';
import { HttpCodes } from '../../../../../../runtime/http/http-errors.js';
import { statusFor } from '../../../../../../runtime/errcode.js';
import { HOOK, KEY, TOKEN, inbox, post, push, signed, useEventWorld, userObject, userRow, v1, v2 } from './event-world.js';

/**
 * The webhook (events/webhook.ts) as an attacker meets it: every push that is not Feishu's,
 * with this app's keys, is refused before anything is recorded, and no refusal tells the body,
 * the token or the key back. What Feishu sends is recorded once, however often it comes.
 */
const world = useEventWorld();

const USER = 'lisi';
const updated = (w: Awaited<ReturnType<typeof world>>, options: Parameters<typeof v2>[2] = {}) => v2('contact.user.updated_v3', { object: userObject(w, USER, { job_title: 'Staff Engineer' }) }, options);

/** Nothing recorded, nothing applied, and neither the secrets nor the person's data in any reply or log line. */
async function expectNothingRecorded(w: Awaited<ReturnType<typeof world>>): Promise<void> {
  await w.fs().applyEvents();
  expect(await inbox(w)).toEqual([]);
  expect(await userRow(w, USER)).toBeNull();
  const mobile = w.sandbox.org.user(USER).mobile!;
  for (const text of [...w.bodies, ...w.logs]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(mobile);
  }
}

describe('the webhook refuses what Feishu did not send', () => {
  test('a wrong, partial or missing signature with an encrypt key set: 401, nothing recorded', async () => {
    const w = await world();
    const genuine = push(updated(w), { key: KEY });
    const forged = { ...genuine, headers: { ...genuine.headers, 'x-lark-signature': 'a'.repeat(64) } };
    const { 'x-lark-request-nonce': _nonce, ...noNonce } = genuine.headers;
    const otherKey = push(updated(w), { key: 'some other key' }); // encrypted and signed, but not with ours
    const unsigned = push(updated(w), { key: KEY, sign: false });
    for (const p of [forged, { ...genuine, headers: noNonce }, otherKey, unsigned]) {
      const reply = await post(w, p);
      expect([reply.statusCode, reply.json().code]).toEqual([401, FSInnerEventCodes.EVENT_SIGNATURE_INVALID]);
    }
    await expectNothingRecorded(w);
  });

  test('the right signature over a body that is then changed or cut short: 401', async () => {
    const w = await world();
    const genuine = push(updated(w), { key: KEY });
    const truncated = { ...genuine, payload: genuine.payload.subarray(0, genuine.payload.length - 10) };
    const padded = { ...genuine, payload: Buffer.concat([genuine.payload, Buffer.from(' ')]) };
    for (const p of [truncated, padded]) expect((await post(w, p)).json().code).toBe(FSInnerEventCodes.EVENT_SIGNATURE_INVALID);
    await expectNothingRecorded(w);
  });

  test('a signed push whose ciphertext is bad, truncated, of another key, or not JSON: 400; unsigned, the same is 401 (no padding oracle)', async () => {
    const w = await world();
    const wire = encryptEvent(KEY, JSON.stringify(updated(w)));
    const bodies = [
      JSON.stringify({ encrypt: 'bm90IGNpcGhlcnRleHQ=' }),
      JSON.stringify({ encrypt: wire.slice(0, 44) }),
      JSON.stringify({ encrypt: encryptEvent('another key', JSON.stringify(updated(w))) }),
      JSON.stringify({ encrypt: encryptEvent(KEY, 'not json {') }),
      JSON.stringify({ encrypt: 12 }),
      JSON.stringify(updated(w)), // plaintext, though a key is set
      '{"encrypt":"' + wire.slice(0, 30), // the JSON itself cut short
    ];
    for (const body of bodies) {
      const reply = await post(w, signed(body, KEY));
      expect([body.slice(0, 20), reply.statusCode, reply.json().code]).toEqual([body.slice(0, 20), 400, FSInnerEventCodes.EVENT_MALFORMED]);
      const bare = await post(w, { payload: Buffer.from(body), headers: { 'content-type': 'application/json' } });
      expect([body.slice(0, 20), bare.statusCode, bare.json().code]).toEqual([body.slice(0, 20), 401, FSInnerEventCodes.EVENT_SIGNATURE_INVALID]);
    }
    await expectNothingRecorded(w);
  });

  test('a genuine push carrying another verification token (v2 header.token, v1 token): 401', async () => {
    const w = await world();
    const noToken = updated(w);
    delete (noToken['header'] as Record<string, unknown>)['token'];
    for (const envelope of [updated(w, { token: 'guessed-token' }), noToken, v1('user_status_change', { open_id: 'ou_x' }, { token: 'guessed-token' })]) {
      const reply = await post(w, push(envelope, { key: KEY }));
      expect([reply.statusCode, reply.json().code]).toEqual([401, FSInnerEventCodes.EVENT_TOKEN_INVALID]);
    }
    await expectNothingRecorded(w);
  });

  test('without an encrypt key: a plaintext push with a bad token, not JSON, cut short, encrypted, or not an envelope is refused', async () => {
    const w = await world({ plain: true });
    const plain = JSON.stringify(updated(w));
    const cases: Array<[string, number, number]> = [
      [JSON.stringify(updated(w, { token: 'guessed' })), 401, FSInnerEventCodes.EVENT_TOKEN_INVALID],
      [plain.slice(0, plain.length / 2), 400, FSInnerEventCodes.EVENT_MALFORMED],
      ['', 400, FSInnerEventCodes.EVENT_MALFORMED],
      [JSON.stringify({ encrypt: encryptEvent(KEY, plain) }), 400, FSInnerEventCodes.EVENT_MALFORMED],
      [JSON.stringify({ schema: '2.0', header: { event_type: 'contact.user.updated_v3', token: TOKEN }, event: {} }), 400, FSInnerEventCodes.EVENT_MALFORMED], // no event_id
      [JSON.stringify({ schema: '2.0', header: { event_id: 'x'.repeat(129), event_type: 'contact.user.updated_v3', token: TOKEN }, event: {} }), 400, FSInnerEventCodes.EVENT_MALFORMED],
      [JSON.stringify([1, 2, 3]), 400, FSInnerEventCodes.EVENT_MALFORMED],
      [JSON.stringify({ hello: 'world', token: TOKEN }), 400, FSInnerEventCodes.EVENT_MALFORMED],
    ];
    for (const [body, status, code] of cases) {
      const reply = await post(w, { payload: Buffer.from(body), headers: { 'content-type': 'application/json' } });
      expect([body.slice(0, 30), reply.statusCode, reply.json().code]).toEqual([body.slice(0, 30), status, code]);
    }
    await expectNothingRecorded(w);
  });

  test('an oversized body: 413 from the server limit over HTTP, EVENT_TOO_LARGE past the endpoint cap; nothing recorded', async () => {
    const w = await world({ plain: true });
    const big = JSON.stringify(v2('contact.user.updated_v3', { object: userObject(w, USER), filler: 'x'.repeat(70 * 1024) }));
    const reply = await post(w, { payload: Buffer.from(big), headers: { 'content-type': 'application/json' } });
    expect(reply.statusCode).toBe(413);
    // The endpoint's own cap, for a server started with a larger bodyLimit.
    const huge = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    await expect(w.fs().receiveEventPush({ method: 'POST', path: 'events', query: {}, headers: {}, body: huge, user: undefined })).rejects.toMatchObject({ code: FSInnerEventCodes.EVENT_TOO_LARGE });
    expect(statusFor(FSInnerEventCodes.EVENT_TOO_LARGE)).toBe(413);
    await expectNothingRecorded(w);
  });

  test('another method on the endpoint is 404; so is a push to an instance not taking webhooks', async () => {
    const w = await world();
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const reply = await w.inject({ method, url: HOOK });
      expect([method, reply.statusCode, reply.json().code]).toEqual([method, 404, HttpCodes.METHOD_NOT_FOUND]);
    }
    await expectNothingRecorded(w);
    for (const eventTransport of ['none', 'websocket']) {
      const other = await world({ config: { eventTransport } });
      const reply = await post(other, push(updated(other), { key: KEY }));
      expect([eventTransport, reply.statusCode, reply.json().code]).toEqual([eventTransport, 404, FSInnerEventCodes.EVENTS_NOT_BY_WEBHOOK]);
      await expectNothingRecorded(other);
    }
  });
});

describe('url_verification', () => {
  test('plain: answered with the challenge at once, nothing recorded; a wrong token is 401', async () => {
    const w = await world({ plain: true });
    const challenge = { challenge: 'ajls384kdjx98XX', token: TOKEN, type: 'url_verification' };
    const reply = await post(w, push(challenge));
    expect([reply.statusCode, reply.headers['content-type'], reply.json()]).toEqual([200, 'application/json; charset=utf-8', { challenge: 'ajls384kdjx98XX' }]);
    const wrong = await post(w, push({ ...challenge, token: 'nope' }));
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, FSInnerEventCodes.EVENT_TOKEN_INVALID]);
    expect(await inbox(w)).toEqual([]);
  });

  test('encrypted: decrypted and answered without a signature (Feishu signs no challenge); a wrong token is 401', async () => {
    const w = await world();
    const reply = await post(w, push({ challenge: 'c-123', token: TOKEN, type: 'url_verification' }, { key: KEY, sign: false }));
    expect([reply.statusCode, reply.json()]).toEqual([200, { challenge: 'c-123' }]);
    const signedToo = await post(w, push({ challenge: 'c-456', token: TOKEN, type: 'url_verification' }, { key: KEY }));
    expect(signedToo.json()).toEqual({ challenge: 'c-456' });
    const wrong = await post(w, push({ challenge: 'c-789', token: 'nope', type: 'url_verification' }, { key: KEY, sign: false }));
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, FSInnerEventCodes.EVENT_TOKEN_INVALID]);
    expect(await inbox(w)).toEqual([]);
  });
});

describe('what Feishu sends is recorded once and acknowledged after the insert', () => {
  test('v2, encrypted and signed: 200 {"msg":"success"}, one pending row without the token, applied when the applier runs', async () => {
    const w = await world();
    const envelope = updated(w, { createTime: '1608725989000' });
    const reply = await post(w, push(envelope, { key: KEY }));
    expect([reply.statusCode, reply.json()]).toEqual([200, { msg: 'success' }]);
    const [row, ...more] = await inbox(w);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ eventKey: (envelope['header'] as { event_id: string }).event_id, eventType: 'contact.user.updated_v3', createTime: 1608725989000, via: 'webhook', status: 'pending', attempts: 0 });
    expect(row!.payload).not.toContain(TOKEN);
    expect(JSON.parse(row!.payload).header).toEqual({ event_id: expect.any(String), event_type: 'contact.user.updated_v3', create_time: '1608725989000', app_id: 'cli_sandbox0000000001', tenant_key: 'tk-sandbox' });
    // The services are not started in this world: nothing is applied until asked.
    expect(await userRow(w, USER)).toBeNull();
    await w.fs().applyEvents();
    expect((await inbox(w))[0]).toMatchObject({ status: 'applied', attempts: 1 });
    expect((await userRow(w, USER))!.position).toBe('Staff Engineer');
  });

  test('v1 (event_callback): recorded by uuid with event.type, then ignored (no v1 handler) with the reason', async () => {
    const w = await world();
    const envelope = v1('user_status_change', { open_id: 'ou_x', before_status: { is_frozen: false }, current_status: { is_frozen: true } }, { uuid: 'bc447199585340d1f3728d26b1c0297a' });
    expect((await post(w, push(envelope, { key: KEY }))).json()).toEqual({ msg: 'success' });
    await w.fs().applyEvents();
    const [row] = await inbox(w);
    expect(row).toMatchObject({ eventKey: 'bc447199585340d1f3728d26b1c0297a', eventType: 'user_status_change', createTime: 1608725989717, status: 'ignored', lastErrorCode: FSInnerEventCodes.EVENT_UNHANDLED });
    expect(row!.payload).not.toContain(TOKEN);
  });

  test('replays of one event_id, one after another and at once, each freshly encrypted: one row, applied once, the rest counted', async () => {
    const w = await world();
    const envelope = updated(w);
    const one = await post(w, push(envelope, { key: KEY }));
    expect(one.statusCode).toBe(200);
    await w.fs().applyEvents();
    const replies = await Promise.all([1, 2, 3, 4].map(() => post(w, push(envelope, { key: KEY })))); // each freshly encrypted and signed
    expect(replies.map((r) => [r.statusCode, r.json()])).toEqual(replies.map(() => [200, { msg: 'success' }]));
    await w.fs().applyEvents();
    const rows = await inbox(w);
    expect(rows.map((r) => [r.status, r.attempts, r.duplicates])).toEqual([['applied', 1, 4]]);
    expect(await w.fs().eventStatus()).toMatchObject({ duplicates: 4, counts: { applied: 1, pending: 0 } });
  });
});

describe('config', () => {
  const schema = JSON.parse(readFileSync(new URL('../../../../../../elements/auths/loginTypes/FSInnerType/config.schema.json', import.meta.url), 'utf8'));
  const validate = createConfigAjv().compile(schema);
  const base = { appId: 'cli_1', appSecret: 's' };

  test('eventTransport "webhook" needs a verificationToken; the default is "none"', () => {
    expect(validate({ ...base, eventTransport: 'webhook' })).toBe(false);
    expect(validate({ ...base, eventTransport: 'webhook', verificationToken: 't' })).toBe(true);
    expect(validate({ ...base, eventTransport: 'websocket' })).toBe(true);
    expect(validate({ ...base, eventTransport: 'kafka' })).toBe(false);
    const filled: Record<string, unknown> = { ...base };
    expect(validate(filled)).toBe(true);
    expect(filled['eventTransport']).toBe('none');
  });

  test('encryptKey and verificationToken are secrets read from FEISHU_* variables, like appSecret', () => {
    for (const field of ['encryptKey', 'verificationToken']) {
      expect(schema.properties[field]).toMatchObject({ writeOnly: true, 'x-env-pattern': schema.properties.appSecret['x-env-pattern'] });
    }
  });

  test('syncSchedule is a 5- or 6-field cron expression, absent by default', () => {
    for (const good of ['0 3 * * *', '*/15 * * * *', '0 0 3 * * MON-FRI', '0 9,18 * * 1-5']) expect([good, validate({ ...base, syncSchedule: good })]).toEqual([good, true]);
    for (const bad of ['0 3 * *', '* * * * * * *', 'daily', '0 3 * * * ; rm -rf', '']) expect([bad, validate({ ...base, syncSchedule: bad })]).toEqual([bad, false]);
    const filled: Record<string, unknown> = { ...base };
    validate(filled);
    expect('syncSchedule' in filled).toBe(false);
  });
});
