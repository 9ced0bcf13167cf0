import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decryptEvent } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';
import type { DeliveryView, EventEnvelope, Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';

/** A call to a /_sandbox/ control route. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function control(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(sandbox.baseUrl + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function deliveries(sandbox: Sandbox, query: Record<string, string> = {}): Promise<DeliveryView[]> {
  return (await control(sandbox, 'GET', `/_sandbox/events/deliveries?${new URLSearchParams(query)}`)).body.deliveries;
}

/** Polls until `check` returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until each of these events has a delivery that is done (delivered or failed), and returns them. */
export async function settled(sandbox: Sandbox, eventIds: string[], timeoutMs = 5000): Promise<DeliveryView[]> {
  return waitFor(async () => {
    const all = await deliveries(sandbox);
    const mine = all.filter((d) => eventIds.includes(d.eventId));
    const done = eventIds.every((id) => mine.some((d) => d.eventId === id && (d.state === 'delivered' || d.state === 'failed')));
    return done ? mine : undefined;
  }, timeoutMs, `deliveries of ${eventIds.length} event(s)`);
}

export interface ReceivedPush {
  headers: IncomingHttpHeaders;
  raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** The envelope: the body itself, or its decrypted `encrypt`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  plain: any;
  at: number;
}

export interface Answer {
  status?: number;
  body?: string;
  delayMs?: number;
}

/**
 * A developer's server: records every push, answers url_verification by echoing the challenge
 * (decrypting it with `encryptKey` when given), and answers events with `answer` (default 200).
 */
export async function startReceiver(options: { encryptKey?: string; answer?: (push: ReceivedPush, index: number) => Answer } = {}) {
  const pushes: ReceivedPush[] = [];
  const challenges: ReceivedPush[] = [];
  let answer: (push: ReceivedPush, index: number) => Answer = options.answer ?? (() => ({}));
  let eventCount = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw);
      const plain = body.encrypt && options.encryptKey ? JSON.parse(decryptEvent(options.encryptKey, body.encrypt)) : body;
      const push: ReceivedPush = { headers: req.headers, raw, body, plain, at: Date.now() };
      if (plain.type === 'url_verification') {
        challenges.push(push);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: plain.challenge }));
        return;
      }
      pushes.push(push);
      const { status = 200, body: reply = '{"msg":"success"}', delayMs = 0 } = answer(push, eventCount++);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(reply);
      }, delayMs);
    });
  });
  // TCP connections as the receiver sees them: how many were opened, and which are still open.
  let accepted = 0;
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    accepted++;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    pushes,
    challenges,
    connections: () => ({ accepted, open: open.size }),
    envelopes: (): EventEnvelope[] => pushes.map((p) => p.plain),
    setAnswer(next: (push: ReceivedPush, index: number) => Answer) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
