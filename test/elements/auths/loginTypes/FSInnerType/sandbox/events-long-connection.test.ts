import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { SDK_APP_ID, decodeFrame, encodeFrame, startSandbox, type Frame, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { control, deliveries, settled, waitFor } from './event-helpers.js';
import { postJson } from './helpers.js';

// The long connection (§3): endpoint discovery, pbbp2 frames, acks and redelivery, cluster mode,
// reconnects — with the unmodified official WSClient wherever it can be used.
const lark = createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof import('@larksuiteoapi/node-sdk');
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

type Handler = (data: Record<string, unknown>) => unknown;

let sandbox: Sandbox;
const clients: Array<InstanceType<typeof lark.WSClient>> = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  sandbox = await startSandbox({
    apps: [{ appId: SDK_APP_ID }],
    // Compressed: a 300 ms ack deadline, the retry schedule ×0.0001, and a reconnect within ~50 ms.
    events: { deliveryTimeoutMs: 300, timeScale: 0.0001, clientConfig: { ReconnectNonce: 0.05, ReconnectInterval: 0.2 } },
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close({ force: true });
  for (const s of sockets.splice(0)) s.terminate();
  await sandbox.close();
});

const secret = () => sandbox.apps[0]!.appSecret;

/** Starts an official WSClient; resolves once it is connected. */
async function startClient(handler: Handler, hooks: { onReconnected?: () => void } = {}) {
  const dispatcher = new lark.EventDispatcher({ logger: silent }).register({ 'contact.user.updated_v3': handler as never });
  let ready!: () => void;
  const connected = new Promise<void>((resolve) => (ready = resolve));
  const client = new lark.WSClient({ appId: SDK_APP_ID, appSecret: secret(), domain: sandbox.baseUrl, logger: silent, onReady: () => ready(), onReconnected: hooks.onReconnected });
  clients.push(client);
  void client.start({ eventDispatcher: dispatcher });
  await connected;
  return client;
}

async function useLongConnection() {
  const reply = await control(sandbox, 'POST', `/_sandbox/apps/${SDK_APP_ID}/events`, { mode: 'websocket' });
  expect(reply.status).toBe(200);
}

async function rename(name: string): Promise<string> {
  const reply = await control(sandbox, 'POST', '/_sandbox/org/users/zhangsan', { name });
  return reply.body.eventIds[0];
}

/** A bare pbbp2 client, to see the frames themselves. */
async function rawClient() {
  const { body } = await postJson(sandbox, '/callback/ws/endpoint', { AppID: SDK_APP_ID, AppSecret: secret() });
  const ws = new WebSocket(body.data.URL);
  sockets.push(ws);
  const frames: Array<{ frame: Frame; bytes: Buffer }> = [];
  ws.on('message', (bytes: Buffer) => frames.push({ frame: decodeFrame(bytes), bytes }));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const service = Number(new URL(body.data.URL).searchParams.get('service_id'));
  return {
    ws,
    frames,
    ping: () => ws.send(encodeFrame({ SeqID: 0, LogID: 0, service, method: 0, headers: [{ key: 'type', value: 'ping' }] })),
    ack: (frame: Frame, code: number) => ws.send(encodeFrame({ ...frame, headers: [...frame.headers, { key: 'biz_rt', value: '1' }], payload: Buffer.from(JSON.stringify({ code })) })),
    events: () => frames.filter((f) => f.frame.method === 1).map((f) => f.frame),
  };
}

const headerOf = (frame: Frame, key: string) => frame.headers.find((h) => h.key === key)?.value;
const envelopeOf = (frame: Frame) => JSON.parse(Buffer.from(frame.payload!).toString('utf8'));

describe('POST /callback/ws/endpoint', () => {
  test('answers a ws:// URL on the sandbox (device_id and service_id not first in the query) and all four ClientConfig values', async () => {
    const reply = await postJson(sandbox, '/callback/ws/endpoint', { AppID: SDK_APP_ID, AppSecret: secret() });
    expect(reply.body).toEqual({ code: 0, msg: 'ok', data: { URL: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/v2\?/), ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.05 } } });
    const query = [...new URL(reply.body.data.URL).searchParams.keys()];
    expect(query).toEqual(expect.arrayContaining(['device_id', 'service_id']));
    expect(['device_id', 'service_id']).not.toContain(query[0]);
  });

  test('a wrong secret or an unknown app answers 514 auth_failed, HTTP 200, with a data object', async () => {
    for (const body of [{ AppID: SDK_APP_ID, AppSecret: 'wrong' }, { AppID: 'cli_ffffffffffffffff', AppSecret: 'x' }, { AppID: SDK_APP_ID }]) {
      const reply = await postJson(sandbox, '/callback/ws/endpoint', body);
      expect(reply).toMatchObject({ status: 200, body: { code: 514, data: {} } });
    }
  });

  test('the official WSClient with a wrong secret stops with code 514 and does not retry', async () => {
    const failed = new Promise<Error>((resolve) => {
      const client = new lark.WSClient({ appId: SDK_APP_ID, appSecret: 'not-the-secret', domain: sandbox.baseUrl, logger: silent, onError: resolve });
      clients.push(client);
      void client.start({ eventDispatcher: new lark.EventDispatcher({ logger: silent }) });
    });
    const error = await failed;
    expect(error.message).toContain('code=514');
    expect(error.message).not.toContain('not-the-secret');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sandbox.stats().byEndpoint.ws_endpoint.total).toBe(1);
  });

  test('over 50 connections per app: 1000040350 exceed_conn_limit at the endpoint and at the upgrade', async () => {
    await sandbox.close();
    sandbox = await startSandbox({ apps: [{ appId: SDK_APP_ID }], rate: 0 }); // 51 pulls in a second would meet the 50/s limit first
    const urls: string[] = [];
    for (let i = 0; i < 51; i++) urls.push((await postJson(sandbox, '/callback/ws/endpoint', { AppID: SDK_APP_ID, AppSecret: secret() })).body.data.URL);
    await Promise.all(
      urls.slice(0, 50).map((url) => {
        const ws = new WebSocket(url);
        sockets.push(ws);
        return new Promise((resolve) => ws.once('open', resolve));
      }),
    );
    expect((await control(sandbox, 'GET', '/_sandbox/events/connections')).body.connections).toHaveLength(50);
    expect((await postJson(sandbox, '/callback/ws/endpoint', { AppID: SDK_APP_ID, AppSecret: secret() })).body).toEqual({ code: 1000040350, msg: 'exceed_conn_limit', data: {} });
    const refused = await new Promise<Record<string, unknown>>((resolve) => {
      const ws = new WebSocket(urls[50]!);
      sockets.push(ws);
      ws.on('error', () => {});
      ws.once('unexpected-response', (_req, res) => resolve(res.headers));
    });
    expect(refused).toMatchObject({ 'handshake-status': '514', 'handshake-autherrcode': '1000040350' });
  });
});

describe('the official WSClient', () => {
  test('connects, receives an event flattened by its dispatcher, and acks it: the delivery is complete', async () => {
    const received: Array<Record<string, unknown>> = [];
    await startClient((data) => {
      received.push(data);
    });
    await useLongConnection();
    const eventId = await rename('张三丰');
    const [delivery] = await settled(sandbox, [eventId]);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 'ack 200', transport: 'websocket' });
    expect(received).toEqual([
      expect.objectContaining({
        schema: '2.0',
        event_id: eventId,
        event_type: 'contact.user.updated_v3',
        app_id: SDK_APP_ID,
        tenant_key: sandbox.org.tenantKey,
        token: expect.stringMatching(/^[0-9a-f]{32}$/),
        object: expect.objectContaining({ open_id: sandbox.org.user('zhangsan').open_id, name: '张三丰' }),
        old_object: { name: '张三', open_id: sandbox.org.user('zhangsan').open_id },
      }),
    ]);
  });

  test('a handler that throws makes the SDK ack code 500: the event comes again on the retry schedule', async () => {
    let calls = 0;
    await startClient(() => {
      if (++calls === 1) throw new Error('database busy');
    });
    await useLongConnection();
    const eventId = await rename('张三丰');
    const [delivery] = await settled(sandbox, [eventId]);
    expect(delivery!.history.map((h) => h.status)).toEqual(['ack 500', 'ack 200']);
    expect(calls).toBe(2);
  });

  test('cluster mode: with two clients of one app, each event goes to exactly one of them', async () => {
    const seen: string[][] = [[], []];
    await startClient((data) => void seen[0]!.push(data.event_id as string));
    await startClient((data) => void seen[1]!.push(data.event_id as string));
    await useLongConnection();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await rename(`名字${i}`));
    await settled(sandbox, ids);
    expect([...seen[0]!, ...seen[1]!].sort()).toEqual([...ids].sort());
    expect(seen[0]!.length).toBeGreaterThan(0);
    expect(seen[1]!.length).toBeGreaterThan(0);
  });

  test('after the sandbox drops every connection the client reconnects (a fresh endpoint pull) and events flow again', async () => {
    const received: string[] = [];
    let reconnected = 0;
    await startClient((data) => void received.push(data.event_id as string), { onReconnected: () => reconnected++ });
    await useLongConnection();
    expect((await control(sandbox, 'DELETE', '/_sandbox/events/connections')).body).toEqual({ closed: 1 });
    const duringGap = await rename('断线时');
    await waitFor(() => reconnected === 1, 5000, 'the reconnect');
    expect(sandbox.stats().byEndpoint.ws_endpoint.total).toBe(2);
    const after = await rename('重连后');
    const done = await settled(sandbox, [duringGap, after]);
    // Each arrived once; the one pushed into the gap may come after the later one (it waited for a retry).
    expect([...received].sort()).toEqual([duringGap, after].sort());
    // Pushed while no client was online: tried, found no connection, retried until it got one.
    expect(done.find((d) => d.eventId === duringGap)!.history[0]!.status).toBe('no_connection');
  });
});

describe('frames on the wire', () => {
  test('a ping is answered by a pong carrying ClientConfig; required fields are on the wire even when zero', async () => {
    const client = await rawClient();
    client.ping();
    const pong = await waitFor(() => client.frames.find((f) => f.frame.method === 0));
    expect(pong.frame.headers).toEqual([{ key: 'type', value: 'pong' }]);
    expect(JSON.parse(Buffer.from(pong.frame.payload!).toString())).toEqual({ PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.05 });
    // Field 1 (SeqID) = 0 and field 2 (LogID) = 0, written anyway (proto2 required).
    expect(pong.bytes.subarray(0, 4)).toEqual(Buffer.from([0x08, 0x00, 0x10, 0x00]));
  });

  test('an event is a data frame with type, message_id, sum=1, seq=0, trace_id and the plaintext envelope; no ack in time → the same event again', async () => {
    const client = await rawClient();
    await useLongConnection();
    const eventId = await rename('张三丰');
    const first = await waitFor(() => client.events()[0]);
    expect(first).toMatchObject({ method: 1, service: expect.any(Number) });
    expect(first.SeqID).toBeGreaterThan(0);
    expect(Object.fromEntries(first.headers.map((h) => [h.key, h.value]))).toEqual({ type: 'event', message_id: expect.any(String), sum: '1', seq: '0', trace_id: expect.any(String) });
    expect(envelopeOf(first).header.event_id).toBe(eventId);
    // Left unacked past the deadline: redelivered, with the same event_id and a new message_id.
    const second = await waitFor(() => client.events()[1], 3000);
    expect(envelopeOf(second).header.event_id).toBe(eventId);
    expect(headerOf(second, 'message_id')).not.toBe(headerOf(first, 'message_id'));
    client.ack(second, 200);
    const [delivery] = await settled(sandbox, [eventId]);
    expect(delivery!.history.map((h) => h.status)).toEqual(['timeout', 'ack 200']);
  });

  test('choosing long connection is refused while no client of the app is online', async () => {
    const reply = await control(sandbox, 'POST', `/_sandbox/apps/${SDK_APP_ID}/events`, { mode: 'websocket' });
    expect(reply).toMatchObject({ status: 400, body: { reason: 'no_long_connection' } });
    expect(await deliveries(sandbox)).toEqual([]);
  });
});
