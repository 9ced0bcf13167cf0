import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, test } from '@jest/globals';
import { decryptEvent, signatureMatches } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import { RETRY_DELAYS_MS, startSandbox, type EventOptions, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { control, deliveries, settled, startReceiver, waitFor, type Receiver } from './event-helpers.js';

// Webhook delivery (§1): the console's challenge, encryption and signature, Feishu's retry schedule
// (compressed), and duplicates and disorder on demand.
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof import('@larksuiteoapi/node-sdk');
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

const KEY = 'sandbox encrypt key';
let sandbox: Sandbox;
let receiver: Receiver | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await sandbox?.close();
  await receiver?.close();
  receiver = undefined;
  for (const close of closers.splice(0)) await close();
});

async function subscribed(options: { encryptKey?: string; events?: EventOptions } = {}) {
  sandbox = await startSandbox({ events: options.events });
  receiver = await startReceiver({ encryptKey: options.encryptKey });
  const reply = await control(sandbox, 'POST', `/_sandbox/apps/${sandbox.appId}/events`, { mode: 'webhook', callbackUrl: receiver.url, encryptKey: options.encryptKey, verificationToken: 'vt-1' });
  expect(reply.status).toBe(200);
  return receiver;
}

async function renameZhangsan(name: string): Promise<string> {
  const reply = await control(sandbox, 'POST', '/_sandbox/org/users/zhangsan', { name });
  expect(reply.body.eventIds).toHaveLength(1);
  return reply.body.eventIds[0];
}

/** A URL that answers whatever `handle` says, for challenge tests. */
async function server(handle: (body: string) => { status: number; body: string; delayMs?: number }): Promise<string> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reply = handle(body);
      setTimeout(() => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body), reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections())));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

describe('saving a request URL', () => {
  test('sends url_verification {challenge, token, type} and keeps the URL once the reply echoes the challenge', async () => {
    const r = await subscribed();
    expect(r.challenges).toHaveLength(1);
    expect(r.challenges[0]!.body).toEqual({ challenge: expect.any(String), token: 'vt-1', type: 'url_verification' });
    expect(r.challenges[0]!.headers['x-lark-signature']).toBeUndefined(); // the challenge is never signed
    expect((await control(sandbox, 'GET', `/_sandbox/apps/${sandbox.appId}/events`)).body).toEqual({
      appId: sandbox.appId,
      mode: 'webhook',
      callbackUrl: r.url,
      encrypted: false,
      eventTypes: expect.arrayContaining(['contact.user.created_v3', 'contact.scope.updated_v3']),
    });
  });

  test('with an encrypt key the challenge arrives encrypted, and the setting never shows the key', async () => {
    const r = await subscribed({ encryptKey: KEY });
    expect(Object.keys(r.challenges[0]!.body)).toEqual(['encrypt']);
    expect(JSON.parse(decryptEvent(KEY, r.challenges[0]!.body.encrypt))).toMatchObject({ type: 'url_verification', token: 'vt-1' });
    const view = await control(sandbox, 'GET', `/_sandbox/apps/${sandbox.appId}/events`);
    expect(view.body.encrypted).toBe(true);
    expect(JSON.stringify(view.body)).not.toContain(KEY);
    expect(JSON.stringify(view.body)).not.toContain('vt-1');
  });

  test('is refused unless the URL answers HTTP 200 echoing the challenge within 1 s; the old setting stays', async () => {
    sandbox = await startSandbox();
    const save = (callbackUrl: string) => control(sandbox, 'POST', `/_sandbox/apps/${sandbox.appId}/events`, { mode: 'webhook', callbackUrl });
    const wrong = await server(() => ({ status: 200, body: '{"challenge":"something else"}' }));
    const slow = await server((body) => ({ status: 200, body: JSON.stringify({ challenge: JSON.parse(body).challenge }), delayMs: 1200 }));
    const failing = await server((body) => ({ status: 500, body: JSON.stringify({ challenge: JSON.parse(body).challenge }) }));
    for (const url of [wrong, slow, failing, 'http://127.0.0.1:1/']) {
      const reply = await save(url);
      expect(reply).toMatchObject({ status: 400, body: { reason: 'challenge_failed', error: expect.stringContaining('Challenge code') } });
    }
    expect((await save('ftp://example.com/')).body.reason).toBe('invalid');
    expect((await control(sandbox, 'GET', `/_sandbox/apps/${sandbox.appId}/events`)).body.mode).toBe('none');
  });

  test('the official SDK answers the challenge itself (adaptDefault with autoChallenge) and then handles the encrypted pushes', async () => {
    sandbox = await startSandbox();
    const received: Array<Record<string, unknown>> = [];
    const dispatcher = new lark.EventDispatcher({ encryptKey: KEY, verificationToken: 'vt-1', logger: silent }).register({
      'contact.user.updated_v3': async (data: Record<string, unknown>) => {
        received.push(data);
      },
    });
    const s = createServer(lark.adaptDefault('/webhook', dispatcher, { autoChallenge: true }));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections())));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/webhook`;
    expect((await control(sandbox, 'POST', `/_sandbox/apps/${sandbox.appId}/events`, { mode: 'webhook', callbackUrl: url, encryptKey: KEY, verificationToken: 'vt-1' })).status).toBe(200);
    const eventId = await renameZhangsan('张三丰');
    await settled(sandbox, [eventId]);
    // The SDK checked the signature (it drops the event otherwise) and flattened the envelope.
    expect(received).toEqual([expect.objectContaining({ schema: '2.0', event_id: eventId, event_type: 'contact.user.updated_v3', token: 'vt-1', object: expect.objectContaining({ name: '张三丰' }) })]);
  });
});

describe('pushes', () => {
  test('with an encrypt key: the body is exactly {"encrypt":"…"}, signed over timestamp + nonce + key + body (crypto.ts verifies it)', async () => {
    const r = await subscribed({ encryptKey: KEY });
    const eventId = await renameZhangsan('张三丰');
    await settled(sandbox, [eventId]);
    const push = r.pushes[0]!;
    expect(push.raw).toMatch(/^\{"encrypt":"[A-Za-z0-9+/]+=*"\}$/);
    expect(push.headers['content-type']).toBe('application/json; charset=utf-8');
    const { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature } = push.headers as Record<string, string>;
    expect(ts).toMatch(/^\d{10}$/);
    expect(signatureMatches(KEY, ts!, nonce!, Buffer.from(push.raw), signature!)).toBe(true);
    expect(signatureMatches('another key', ts!, nonce!, Buffer.from(push.raw), signature!)).toBe(false);
    expect(push.plain.header).toMatchObject({ event_id: eventId, token: 'vt-1', event_type: 'contact.user.updated_v3' });
  });

  test('without an encrypt key: the plaintext envelope, and no X-Lark-* headers', async () => {
    const r = await subscribed();
    const eventId = await renameZhangsan('张三丰');
    await settled(sandbox, [eventId]);
    expect(r.pushes[0]!.body.header.event_id).toBe(eventId);
    expect(Object.keys(r.pushes[0]!.headers).filter((h) => h.startsWith('x-lark'))).toEqual([]);
  });

  test('a failed push is retried on Feishu schedule (15 s, 5 min, 1 h, 6 h — compressed here), at most 4 times, then given up', async () => {
    const timeScale = 0.0001; // 1.5 ms, 30 ms, 360 ms, 2.16 s
    const r = await subscribed({ events: { timeScale } });
    r.setAnswer(() => ({ status: 500 }));
    const eventId = await renameZhangsan('张三丰');
    const [delivery] = await settled(sandbox, [eventId], 8000);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 5, lastStatus: 500, transport: 'webhook' });
    expect(r.pushes.map((p) => p.plain.header.event_id)).toEqual(Array(5).fill(eventId));
    const gaps = delivery!.history.slice(1).map((h, i) => h.at - delivery!.history[i]!.at);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i]! * timeScale - 1);
      expect(gap).toBeLessThan(RETRY_DELAYS_MS[i]! * timeScale + 250);
    });
    expect(RETRY_DELAYS_MS).toEqual([15_000, 300_000, 3_600_000, 21_600_000]);
  });

  test('only HTTP 200 within the deadline counts: a slow answer or a 204 is retried, and the next 200 delivers it', async () => {
    const r = await subscribed({ events: { timeScale: 0.0001, deliveryTimeoutMs: 200 } });
    r.setAnswer((_, i) => (i === 0 ? { delayMs: 400 } : i === 1 ? { status: 204, body: '' } : {}));
    const eventId = await renameZhangsan('张三丰');
    const [delivery] = await settled(sandbox, [eventId]);
    expect(delivery!.history.map((h) => h.status)).toEqual(['timeout', 204, 200]);
    expect(delivery!.state).toBe('delivered');
  });

  test('a duplicate on demand: the same event_id arrives again after it was delivered', async () => {
    const r = await subscribed();
    const eventId = await renameZhangsan('张三丰');
    await settled(sandbox, [eventId]);
    const dup = await control(sandbox, 'POST', `/_sandbox/events/deliveries/${eventId}/duplicate`);
    expect(dup.body.delivery).toMatchObject({ eventId, copy: 2 });
    await waitFor(() => r.pushes.length === 2);
    expect(r.pushes[1]!.raw).toBe(r.pushes[0]!.raw);
    expect((await deliveries(sandbox, { eventId })).map((d) => [d.copy, d.state])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
    ]);
    expect((await control(sandbox, 'POST', '/_sandbox/events/deliveries/nope/duplicate')).status).toBe(400);
  });

  test('paused, nothing goes out; resumed, the held batch goes out reversed or shuffled on demand', async () => {
    const r = await subscribed();
    await control(sandbox, 'POST', '/_sandbox/events/pause');
    const batch: string[] = [];
    for (const name of ['一', '二', '三', '四', '五']) batch.push(await renameZhangsan(name));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.pushes).toHaveLength(0);
    expect((await deliveries(sandbox)).map((d) => d.state)).toEqual(Array(5).fill('held'));
    await control(sandbox, 'POST', '/_sandbox/events/resume', { order: 'reversed' });
    await settled(sandbox, batch);
    expect(r.envelopes().map((e) => e.header.event_id)).toEqual([...batch].reverse());

    await control(sandbox, 'POST', '/_sandbox/events/pause');
    const second: string[] = [];
    for (const name of ['六', '七', '八', '九']) second.push(await renameZhangsan(name));
    await control(sandbox, 'POST', '/_sandbox/events/resume', { order: 'shuffled', seed: 7 });
    await settled(sandbox, second);
    const order = r.envelopes().slice(5).map((e) => e.header.event_id);
    expect([...order].sort()).toEqual([...second].sort());
    expect(order).not.toEqual(second);
    expect((await control(sandbox, 'POST', '/_sandbox/events/resume', { order: 'sideways' })).status).toBe(400);
  });

  test('the time scale can be changed on a running sandbox', async () => {
    sandbox = await startSandbox();
    const reply = await control(sandbox, 'POST', '/_sandbox/events/settings', { timeScale: 0.001, clientConfig: { ReconnectNonce: 1 } });
    expect(reply.body).toMatchObject({ timeScale: 0.001, deliveryTimeoutMs: 3000, clientConfig: { PingInterval: 120, ReconnectNonce: 1 } });
    expect((await control(sandbox, 'POST', '/_sandbox/events/settings', { timeScale: -1 })).status).toBe(400);
  });
});
