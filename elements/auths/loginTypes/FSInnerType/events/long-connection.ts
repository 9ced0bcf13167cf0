import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import type { DataSource } from 'typeorm';
import { holdLease, type HeldLease } from '../../../../../runtime/db/lease.js';
import { RuntimeErrors } from '../../../../../runtime/errcode.js';
// The events the element applies (handlers.ts) are the ones it subscribes to; the SDK acks and drops others.
import { HANDLED_EVENT_TYPES } from './handlers.js';

export type LongConnectionState = 'idle' | 'standby' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface LongConnectionStatus {
  /** standby: another process holds the connection (at most one per app and database). */
  state: LongConnectionState;
  /** This process holds the lease, so it is the one connected (or connecting). */
  holder: boolean;
  /** When this process last recorded an event. */
  lastEventAt?: number;
  /** Connections that dropped and were re-opened (or are being). */
  reconnects: number;
  lastError?: string;
}

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  /** Open API origin: https://open.feishu.cn, https://open.larksuite.com, or a sandbox's http://127.0.0.1:PORT. */
  domain: string;
  dataSource: DataSource;
  /** One lease per app: every process serving the instance competes for it. */
  leaseName: string;
  now: () => number;
  /** Stores the event durably; the SDK acks it only after this resolves (a throw acks 500: Feishu pushes it again). */
  record(envelope: SchemaV2Envelope, via: 'websocket'): Promise<unknown>;
  log(line: string): void;
  /** Lease timing: a dead holder's connection is taken over after about ttl + retry. Defaults 20 s and 5 s. */
  leaseTtlMs?: number;
  leaseRetryMs?: number;
  /** After Feishu refuses the connection for good (credentials, connection limit), try again this much later. Default 60 s. */
  failedRetryMs?: number;
}

export interface SchemaV2Envelope {
  schema: string;
  header: { event_id: string; event_type: string; create_time: string; app_id: string; tenant_key: string };
  event: Record<string, unknown>;
}

const APP_ID = /^cli_[0-9a-fA-F]{16}$/;
const HEADER_KEYS = ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'] as const;
const PREFIX = 'feishu long connection:';

// Loaded on first use: the SDK is large, and only instances that use the long connection need it.
// createRequire: it ships CommonJS as its main entry.
let lark: typeof Lark | undefined;
const sdk = (): typeof Lark => (lark ??= createRequire(import.meta.url)('@larksuiteoapi/node-sdk') as typeof Lark);

/**
 * Receives the contact events over Feishu's long connection with the official
 * SDK's WSClient. Feishu sends each event to one of the app's connections (at
 * most 50), so of the processes sharing the database one connects: the one
 * holding the lease; the others stand by and take over when it goes.
 */
export class LongConnection {
  private lease: HeldLease | undefined;
  private client: Lark.WSClient | undefined;
  private phase: 'idle' | 'running' | 'closed' = 'idle';
  /** Bumped for each client, so callbacks of a client already thrown away are ignored. */
  private generation = 0;
  private failure: string | undefined;
  private lastError: string | undefined;
  private lastEventAt: number | undefined;
  private reconnects = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LongConnectionOptions) {}

  /** Starts competing for the connection and returns; throws INVALID_PARAMS for an appId the SDK would refuse. */
  async start(): Promise<void> {
    if (this.phase !== 'idle') return;
    const { appId, appSecret } = this.options;
    if (typeof appId !== 'string' || !APP_ID.test(appId)) {
      const err = RuntimeErrors.INVALID_PARAMS.create(
        { problem: `appId "${String(appId)}" cannot open a Feishu long connection: the official SDK takes only ids of the form cli_ followed by 16 hexadecimal digits (e.g. cli_a1b2c3d4e5f60718). Check appId, or receive events by webhook.` },
        { field: 'appId' },
      );
      this.failure = this.lastError = err.message;
      throw err;
    }
    if (typeof appSecret !== 'string' || appSecret.length === 0) {
      const err = RuntimeErrors.INVALID_PARAMS.create({ problem: 'appSecret is empty: the long connection needs the app secret.' }, { field: 'appSecret' });
      this.failure = this.lastError = err.message;
      throw err;
    }
    this.phase = 'running';
    this.lease = holdLease(this.options.dataSource, this.options.leaseName, this.options.now, {
      ttlMs: this.options.leaseTtlMs ?? 20_000,
      retryMs: this.options.leaseRetryMs ?? 5_000,
      onAcquired: () => this.connect(),
      onLost: () => {
        this.disconnect();
        this.options.log(`${PREFIX} lease lost (another process took it over, or the database was out of reach for longer than its ttl): disconnected, standing by`);
      },
      onError: (err, during) => this.note(`lease ${during} failed: ${messageOf(err)}`),
    });
  }

  /** Closes the connection and gives the lease back, so a standing-by process takes over at once. */
  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.disconnect();
    await this.lease?.close();
    this.disconnect(); // a connect that raced the close
  }

  status(): LongConnectionStatus {
    const holder = this.lease?.held() ?? false;
    const extra = { ...(this.lastEventAt !== undefined ? { lastEventAt: this.lastEventAt } : {}), reconnects: this.reconnects, ...(this.lastError ? { lastError: this.lastError } : {}) };
    if (this.failure && this.phase !== 'closed') return { state: 'failed', holder, ...extra };
    if (this.phase !== 'running') return { state: 'idle', holder: false, ...extra };
    if (!holder) return { state: 'standby', holder, ...extra };
    const sdkState = this.client?.getConnectionStatus().state;
    const state: LongConnectionState = sdkState === 'connected' || sdkState === 'reconnecting' || sdkState === 'failed' ? sdkState : 'connecting';
    return { state, holder, ...extra };
  }

  private connect(): void {
    if (this.phase !== 'running') return;
    this.disconnect();
    const generation = this.generation;
    const current = () => generation === this.generation && this.phase === 'running';
    const { LoggerLevel, EventDispatcher, WSClient } = sdk();
    const logger = sdkLogger(this.options.appSecret, (line, level) => {
      if (!current()) return;
      // A failed handler is already noted by onEvent, with the event it was.
      if (level === 'error' && !line.includes('invoke event failed')) this.lastError = line;
      this.options.log(`${PREFIX} ${line}`);
    });
    const handle = (data: Record<string, unknown>) => this.onEvent(data);
    const dispatcher = new EventDispatcher({ logger, loggerLevel: LoggerLevel.warn }).register(Object.fromEntries(HANDLED_EVENT_TYPES.map((type) => [type, handle])));
    this.client = new WSClient({
      appId: this.options.appId,
      appSecret: this.options.appSecret,
      domain: this.options.domain.replace(/\/+$/, ''),
      logger,
      loggerLevel: LoggerLevel.info,
      httpInstance: endpointHttp(sdk().defaultHttpInstance),
      handshakeTimeoutMs: 15_000,
      onReady: () => current() && this.options.log(`${PREFIX} connected`),
      onReconnecting: () => {
        if (!current()) return;
        this.reconnects++;
        this.options.log(`${PREFIX} connection dropped, reconnecting`);
      },
      onReconnected: () => current() && this.options.log(`${PREFIX} reconnected`),
      onError: (err) => current() && this.fail(refusal(redact(err.message, this.options.appSecret))),
    });
    this.options.log(`${PREFIX} this process holds the connection; connecting to ${this.options.domain}`);
    this.client.start({ eventDispatcher: dispatcher }).catch((err: unknown) => current() && this.fail(redact(messageOf(err), this.options.appSecret)));
  }

  /** Feishu refused for good: stay failed (keeping the lease: other processes would be refused too), try again later. */
  private fail(reason: string): void {
    this.disconnect();
    this.failure = this.lastError = reason;
    this.options.log(`${PREFIX} failed: ${reason}; trying again in ${Math.round((this.options.failedRetryMs ?? 60_000) / 1000)} s`);
    this.retryTimer = setTimeout(() => {
      if (this.phase === 'running' && this.lease?.held()) this.connect();
    }, this.options.failedRetryMs ?? 60_000);
  }

  private disconnect(): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.failure = undefined;
    const client = this.client;
    this.client = undefined;
    try {
      client?.close({ force: true });
    } catch (err) {
      this.note(`closing the connection failed: ${messageOf(err)}`);
    }
  }

  /** Awaited by the SDK before it acks: the ack means "recorded". */
  private async onEvent(data: Record<string, unknown>): Promise<void> {
    const envelope = envelopeOf(data);
    try {
      await this.options.record(envelope, 'websocket');
    } catch (err) {
      this.note(`recording ${envelope.header.event_type} ${envelope.header.event_id} failed, Feishu will push it again: ${messageOf(err)}`);
      throw err;
    }
    this.lastEventAt = this.options.now();
  }

  private note(line: string): void {
    this.lastError = redact(line, this.options.appSecret);
    this.options.log(`${PREFIX} ${this.lastError}`);
  }
}

/**
 * The SDK hands a handler one flat object: schema, then header.*, then event.*, merged
 * (§1.6, §3.6). Put the schema 2.0 envelope back together; the verification token is left out.
 * Contact events' own fields (object, old_object, added, removed) never clash with the header's.
 */
export function envelopeOf(data: Record<string, unknown>): SchemaV2Envelope {
  const event: Record<string, unknown> = {};
  for (const key of Object.keys(data)) if (key !== 'schema' && !(HEADER_KEYS as readonly string[]).includes(key)) event[key] = data[key];
  const text = (key: string) => (data[key] === undefined || data[key] === null ? '' : String(data[key]));
  return {
    schema: typeof data['schema'] === 'string' ? data['schema'] : '2.0',
    header: { event_id: text('event_id'), event_type: text('event_type'), create_time: text('create_time'), app_id: text('app_id'), tenant_key: text('tenant_key') },
    event,
  };
}

/**
 * The SDK treats a refusal as final only when the endpoint answers a non-zero code with a `data`
 * object: an HTTP error status, or a body without data, it retries forever (§3.1). Hand it Feishu's
 * code whenever a 2xx or 4xx body has one, so a wrong secret ends in `failed` with Feishu's reason.
 */
function endpointHttp(http: { request(opts: unknown): Promise<unknown> }): Lark.HttpInstance {
  const withData = (body: unknown) => {
    const b = body as { code?: unknown; data?: unknown } | null;
    return b && typeof b === 'object' && typeof b.code === 'number' && b.code !== 0 && (typeof b.data !== 'object' || b.data === null) ? { ...b, data: {} } : body;
  };
  const request = async (opts: unknown) => {
    try {
      return withData(await http.request(opts));
    } catch (err) {
      const response = (err as { response?: { status?: number; data?: unknown } }).response;
      const body = response?.data;
      // A 4xx carrying Feishu's code is a refusal; a 5xx or no answer is worth retrying, as the SDK does.
      if (response && (response.status ?? 500) < 500 && body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'number') return withData(body);
      throw err;
    }
  };
  // The WSClient only ever calls request().
  return { request } as unknown as Lark.HttpInstance;
}

/**
 * Feishu's refusals of POST /callback/ws/endpoint (feishu-events-and-scopes.md §3.1): over the
 * 50-connection limit, and the answers that mean the credentials or the app's mode are wrong
 * (514 auth_failed, 403 forbidden, NO_CREDENTIAL, and the tenant-token codes for a bad app id or secret).
 */
const REFUSED = { tooManyConnections: 1000040350, credentials: [514, 403, 1000040344, 10014, 10003] as readonly number[] };

/** What onError's "pullConnectConfig failed: code=…, msg=…" means, in words an administrator can act on. */
function refusal(message: string): string {
  const m = /code=(-?\d+), msg=(.*)$/s.exec(message);
  if (!m) return message;
  const code = Number(m[1]);
  const said = `Feishu code ${code}${m[2] ? `: ${m[2]}` : ''}`;
  if (code === REFUSED.tooManyConnections) return `Feishu refused the long connection: the app already has the most connections Feishu allows (50) (${said}); other servers or tools use the same app`;
  if (REFUSED.credentials.includes(code)) {
    return `Feishu refused the long connection (${said}): check appId and appSecret, and that the app is a self-built app whose events use the long-connection mode`;
  }
  return `Feishu refused the long connection (${said})`;
}

type Level = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The SDK's logger, redacted: it logs the connect URL (which carries a short-lived ticket) and
 * event payloads at debug level, and error objects may hold the request. Never the secret.
 */
function sdkLogger(secret: string, write: (line: string, level: Level) => void): Lark.Logger {
  const at =
    (level: Level) =>
    (...parts: unknown[]) => {
      const line = redact(parts.flat().map(partText).join(' ').replace(/\s+/g, ' ').trim(), secret);
      // The SDK's start-up banner about console settings says nothing about this connection.
      if (line && !line.includes('receive events or callbacks through persistent connection') && !line.includes('event-dispatch is ready')) write(`[${level}] ${line}`, level);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.message;
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}

/** Strips the secret, URL query strings (tickets, access keys) and credential-looking fields from a line. */
export function redact(text: string, secret: string): string {
  let out = text.replace(/\b((?:wss?|https?):\/\/[^\s?#"']+)\?[^\s"']*/gi, '$1?…');
  out = out.replace(/((?:ticket|access_key|app_?secret|secret|token|ClientAssertion)["']?\s*[:=]\s*["']?)[^\s&"',}]+/gi, '$1***');
  if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
