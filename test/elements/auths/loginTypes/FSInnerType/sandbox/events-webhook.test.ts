import { getEventListeners } from 'node:events';
import http, { createServer } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, test } from '@jest/globals';
import { decryptEvent, signatureMatches } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import { makeEnvelope } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/events/envelope.js';
import { pushEvent } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/events/webhook.js';
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
  // A test that starts no sandbox (or closes its own) must not close the previous one again.
  sandbox = undefined as unknown as Sandbox;
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

describe('the connection', () => {
  const envelope = () => makeEnvelope({ type: 'contact.user.updated_v3', appId: 'cli_test', tenantKey: 'tk', verificationToken: 'vt-1', nowMs: Date.now(), event: {} });

  test('each push takes its abort listener off the long-lived signal when it ends: answered 200 or 500, timed out, unreachable', async () => {
    receiver = await startReceiver();
    receiver.setAnswer((_, i) => (i % 3 === 1 ? { status: 500 } : i % 3 === 2 ? { delayMs: 300 } : {}));
    const closing = new AbortController();
    const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
    closers.push(async () => (agents.http.destroy(), agents.https.destroy()));
    const statuses: Array<number | string> = [];
    for (let i = 0; i < 12; i++) statuses.push((await pushEvent(receiver.url, envelope(), undefined, 150, { signal: closing.signal, agents })).status);
    statuses.push((await pushEvent('http://127.0.0.1:1/', envelope(), undefined, 150, { signal: closing.signal, agents })).status);
    expect(statuses).toEqual([...[200, 500, 'timeout'], ...[200, 500, 'timeout'], ...[200, 500, 'timeout'], ...[200, 500, 'timeout'], 'network_error']);
    // The hub's signal lives as long as the sandbox: one left per push would grow without bound.
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  test('pushes to one request URL share the one kept-alive connection the challenge opened, and closing the sandbox closes it', async () => {
    const r = await subscribed();
    const eventIds: string[] = [];
    for (let i = 0; i < 12; i++) eventIds.push(await renameZhangsan(`张三 ${i}`));
    expect((await settled(sandbox, eventIds)).map((d) => d.state)).toEqual(eventIds.map(() => 'delivered'));
    expect(r.pushes).toHaveLength(12);
    expect(r.connections()).toEqual({ accepted: 1, open: 1 });
    const closing = sandbox;
    sandbox = undefined as unknown as Sandbox;
    await closing.close();
    await waitFor(() => r.connections().open === 0, 2000, 'the pooled connection closed with the sandbox');
  });

  test('a kept-alive connection the receiver drops just as it is reused costs no retry: the push goes again on a new one', async () => {
    sandbox = await startSandbox();
    const requestsOn = new WeakMap<Socket, number>();
    let accepted = 0;
    let dropped = false;
    const received: string[] = [];
    const s = createServer((req, res) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      if (n > 1 && !dropped) {
        // An idle keep-alive connection closed by the receiver at the moment the sandbox reuses it.
        dropped = true;
        req.socket.destroy();
        return;
      }
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = JSON.parse(body);
        if (parsed.type === 'url_verification') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: parsed.challenge }));
        received.push(parsed.header.event_id);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"msg":"success"}');
      });
    });
    s.on('connection', () => accepted++);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => (s.close(() => resolve()), s.closeAllConnections())));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/events`;
    expect((await control(sandbox, 'POST', `/_sandbox/apps/${sandbox.appId}/events`, { mode: 'webhook', callbackUrl: url, verificationToken: 'vt-1' })).status).toBe(200);
    const eventId = await renameZhangsan('张三丰');
    const [delivery] = await settled(sandbox, [eventId]);
    expect(dropped).toBe(true);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
    expect(received).toEqual([eventId]);
    expect(accepted).toBe(2);
  });
});
