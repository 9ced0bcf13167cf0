import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { AttemptOutcome, EventEnvelope, EventSettings } from '../types.js';
import { FRAME_METHOD, decodeFrame, encodeFrame, header, type Frame } from './frames.js';

/**
 * The long-connection server (§3.2–§3.8), on the sandbox's own port at /ws/v2:
 *
 *   client                                   sandbox
 *     │ POST /callback/ws/endpoint ───────────▶ URL with a single-use ticket (endpoint.ts)
 *     │ WebSocket upgrade /ws/v2?…&ticket= ──▶ 403 + Handshake-* headers on a bad ticket or over 50
 *     │ ping  {method 0, type=ping} ─────────▶
 *     │ ◀──────────────── pong {method 0, type=pong, payload=ClientConfig JSON}
 *     │ ◀──────────────── event {method 1, type=event, message_id, sum=1, seq=0, trace_id; payload=envelope}
 *     │ ack (the same frame + biz_rt, payload {"code":200}) ▶ delivered; {"code":500} or nothing in 3 s → retry
 *
 * - Cluster mode, not broadcast (D-WS): each push goes to one connection of the app. Feishu picks one
 *   at random; the sandbox takes them in turn, so a test sees the spread deterministically.
 * - Events are never fragmented (sum=1): the threshold at which Feishu splits is UNVERIFIED.
 * - Tickets are single use and last 5 minutes (UNVERIFIED, conservative: a client re-pulls the
 *   endpoint before every reconnect, as node-sdk does).
 * - The limit is checked at the endpoint and again at the upgrade, where it answers as G/P expect
 *   (Handshake-Status 514, Handshake-Autherrcode 1000040350).
 */

export const WS_PATH = '/ws/v2';
const TICKET_TTL_MS = 5 * 60_000;
export const EXCEED_CONN_LIMIT = 1000040350;

interface Ticket {
  appId: string;
  deviceId: string;
  expiresAt: number;
}

interface Connection {
  ws: WebSocket;
  appId: string;
  deviceId: string;
  connectedAt: number;
  pending: Map<string, (outcome: AttemptOutcome) => void>;
}

export interface ConnectionView {
  appId: string;
  deviceId: string;
  connectedAt: number;
}

export class LongConnections {
  /** One service per sandbox; node-sdk echoes it in every ping. */
  readonly serviceId = randomInt(1, 2 ** 31 - 1);
  private readonly tickets = new Map<string, Ticket>();
  private readonly byApp = new Map<string, Set<Connection>>();
  private readonly turn = new Map<string, number>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private seq = 0;

  constructor(private readonly settings: () => EventSettings) {}

  count(appId: string): number {
    return this.byApp.get(appId)?.size ?? 0;
  }

  list(): ConnectionView[] {
    return [...this.byApp.values()].flatMap((set) => [...set].map((c) => ({ appId: c.appId, deviceId: c.deviceId, connectedAt: c.connectedAt })));
  }

  /**
   * A connect URL for an authenticated app. device_id and service_id are never the first query key:
   * node-sdk parses the whole URL as a query string, so the first key swallows `ws://host/path?`.
   */
  issueUrl(appId: string, origin: string): string {
    const ticket = randomBytes(18).toString('base64url');
    const deviceId = BigInt(`0x${randomBytes(7).toString('hex')}`).toString(); // a long decimal, like Feishu's
    this.tickets.set(ticket, { appId, deviceId, expiresAt: Date.now() + TICKET_TTL_MS });
    const query = new URLSearchParams({ fpid: '493', aid: appId, device_id: deviceId, service_id: String(this.serviceId), ticket });
    return `${origin.replace(/^http/, 'ws')}${WS_PATH}?${query}`;
  }

  /** Takes the upgrade when it is for /ws/v2; false leaves the socket to the caller. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname !== WS_PATH) return false;
    const key = url.searchParams.get('ticket') ?? '';
    const ticket = this.tickets.get(key);
    this.tickets.delete(key);
    if (!ticket || ticket.expiresAt < Date.now() || ticket.deviceId !== url.searchParams.get('device_id')) {
      refuse(socket, 403, 'forbidden');
      return true;
    }
    if (this.count(ticket.appId) >= this.settings().maxConnectionsPerApp) {
      refuse(socket, 514, 'exceed_conn_limit', EXCEED_CONN_LIMIT);
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
    return true;
  }

  /** Sends one event to one of the app's connections and waits for its ack. */
  push(appId: string, envelope: EventEnvelope, timeoutMs: number): Promise<AttemptOutcome> {
    const open = [...(this.byApp.get(appId) ?? [])].filter((c) => c.ws.readyState === WebSocket.OPEN);
    if (!open.length) return Promise.resolve({ ok: false, status: 'no_connection' });
    const turn = this.turn.get(appId) ?? 0;
    this.turn.set(appId, turn + 1);
    const conn = open[turn % open.length]!;
    const messageId = randomBytes(12).toString('hex');
    const frame: Frame = {
      SeqID: ++this.seq,
      LogID: randomInt(1, 2 ** 47),
      service: this.serviceId,
      method: FRAME_METHOD.data,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: randomBytes(8).toString('hex') },
      ],
      payload: Buffer.from(JSON.stringify(envelope), 'utf8'),
    };
    return new Promise((resolve) => {
      const settle = (outcome: AttemptOutcome) => {
        clearTimeout(timer);
        conn.pending.delete(messageId);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle({ ok: false, status: 'timeout' }), timeoutMs);
      conn.pending.set(messageId, settle);
      conn.ws.send(encodeFrame(frame), (error) => {
        if (error) settle({ ok: false, status: 'connection_closed' });
      });
    });
  }

  /** Drops connections (all, or one app's) as a network cut would; clients are expected to reconnect. */
  closeAll(appId?: string): number {
    let closed = 0;
    for (const [id, set] of this.byApp) {
      if (appId && id !== appId) continue;
      for (const conn of set) {
        conn.ws.terminate();
        closed++;
      }
    }
    return closed;
  }

  close(): void {
    this.closeAll();
    this.tickets.clear();
    this.wss.close();
  }

  private accept(ws: WebSocket, ticket: Ticket): void {
    const conn: Connection = { ws, appId: ticket.appId, deviceId: ticket.deviceId, connectedAt: Date.now(), pending: new Map() };
    const set = this.byApp.get(conn.appId) ?? new Set();
    set.add(conn);
    this.byApp.set(conn.appId, set);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.receive(conn, data);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      set.delete(conn);
      for (const settle of [...conn.pending.values()]) settle({ ok: false, status: 'connection_closed' });
    });
  }

  private receive(conn: Connection, data: Buffer): void {
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch {
      return; // not a pbbp2 frame: Feishu's answer is undocumented; ignoring it is the quiet choice
    }
    if (frame.method === FRAME_METHOD.control && header(frame, 'type') === 'ping') {
      const pong: Frame = {
        SeqID: 0,
        LogID: 0,
        service: frame.service,
        method: FRAME_METHOD.control,
        headers: [{ key: 'type', value: 'pong' }],
        payload: Buffer.from(JSON.stringify(this.settings().clientConfig), 'utf8'),
      };
      conn.ws.send(encodeFrame(pong));
      return;
    }
    if (frame.method !== FRAME_METHOD.data) return;
    const settle = conn.pending.get(header(frame, 'message_id') ?? '');
    if (!settle) return; // a late or unknown ack: the push already timed out
    let code: unknown;
    try {
      code = (JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code?: unknown }).code;
    } catch {
      code = 'malformed';
    }
    settle({ ok: code === 200, status: `ack ${String(code)}` });
  }
}

/** Refuses an upgrade the way G and P read it (§3.2): the Handshake-* headers say why. */
function refuse(socket: Duplex, status: number, message: string, authErrorCode?: number): void {
  const lines = ['HTTP/1.1 403 Forbidden', `Handshake-Status: ${status}`, `Handshake-Msg: ${message}`];
  if (authErrorCode !== undefined) lines.push(`Handshake-Autherrcode: ${authErrorCode}`);
  socket.end(`${lines.join('\r\n')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
