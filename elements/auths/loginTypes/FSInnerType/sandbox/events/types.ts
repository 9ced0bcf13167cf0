/**
 * Shapes shared by the sandbox's event push (feishu-events-and-scopes.md §1, §2, §3): what an event
 * looks like on the wire, how an app subscribes, and what the control API reports per delivery.
 */

/** The contact v3 events the sandbox emits (§2.1). */
export const CONTACT_EVENT_TYPES = [
  'contact.user.created_v3',
  'contact.user.updated_v3',
  'contact.user.deleted_v3',
  'contact.department.created_v3',
  'contact.department.updated_v3',
  'contact.department.deleted_v3',
  'contact.scope.updated_v3',
] as const;

export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

export function isContactEventType(value: unknown): value is ContactEventType {
  return typeof value === 'string' && (CONTACT_EVENT_TYPES as readonly string[]).includes(value);
}

/** Schema 2.0 header (§1.6). `create_time` is a string of milliseconds. */
export interface EventHeader {
  event_id: string;
  event_type: ContactEventType;
  create_time: string;
  token: string;
  app_id: string;
  tenant_key: string;
}

export interface EventEnvelope {
  schema: '2.0';
  header: EventHeader;
  event: Record<string, unknown>;
}

/**
 * The console's "订阅方式" (§2.4): one mode per app. `none` is an app that subscribed to nothing:
 * Feishu pushes it nothing at all.
 */
export type SubscriptionMode = 'none' | 'webhook' | 'websocket';

/** One app's event settings: 加密策略 (encrypt key, verification token) plus 事件配置. */
export interface EventSubscription {
  mode: SubscriptionMode;
  /** The request URL (webhook mode); it passed the url_verification challenge when set. */
  callbackUrl?: string;
  /** Optional; with one every webhook push is encrypted and signed (§1.2, §1.3). Never over a long connection. */
  encryptKey?: string;
  /** Goes into every envelope's `header.token` and the challenge's `token`. */
  verificationToken: string;
  /** The events added in the console (添加事件); default all of CONTACT_EVENT_TYPES. */
  eventTypes: ContactEventType[];
}

/** What an app's subscription looks like from the control API: never the secrets. */
export interface SubscriptionView {
  appId: string;
  mode: SubscriptionMode;
  callbackUrl?: string;
  encrypted: boolean;
  eventTypes: ContactEventType[];
}

/**
 * One attempt's result. `status` is the HTTP status for a webhook push, `ack <code>` for a long
 * connection ack, or a word for what went wrong before either: `timeout`, `network_error`,
 * `no_connection`, `connection_closed`, `unsubscribed`.
 */
export interface AttemptOutcome {
  ok: boolean;
  status: number | string;
}

export type DeliveryState = 'queued' | 'held' | 'sending' | 'retrying' | 'delivered' | 'failed';

/** What `GET /_sandbox/events/deliveries` lists: one line per push of one event to one app. */
export interface DeliveryView {
  deliveryId: string;
  eventId: string;
  eventType: ContactEventType;
  appId: string;
  /** 1 for the event itself, 2… for copies sent on demand (the same event_id again). */
  copy: number;
  state: DeliveryState;
  attempts: number;
  lastStatus?: number | string;
  /** The transport of the last attempt. */
  transport?: 'webhook' | 'websocket';
  /** Wall-clock ms of each attempt and its outcome, so tests can check the retry schedule. */
  history: Array<{ at: number; status: number | string }>;
  nextAttemptAt?: number;
}

/** ClientConfig of the long connection (§3.1), in **seconds** as Feishu sends it. */
export interface LongConnectionClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

/** Feishu's defaults (§3.1); tests shorten the reconnect wait through `events.clientConfig`. */
export const DEFAULT_CLIENT_CONFIG: Readonly<LongConnectionClientConfig> = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };

/** Knobs for tests; all optional, Feishu's values by default. */
export interface EventOptions {
  /**
   * Multiplies the retry schedule (15 s, 5 min, 1 h, 6 h): 0.001 gives 15 ms, 300 ms, 3.6 s, 21.6 s.
   * Default 1.
   */
  timeScale?: number;
  /** How long a push may take before it counts as failed: HTTP 200 or an ack within 3 s (§1.7). */
  deliveryTimeoutMs?: number;
  /** How long the url_verification reply may take (1 s, §1.5). */
  challengeTimeoutMs?: number;
  /** What the endpoint and pongs hand to long-connection clients (§3.1, §3.4). */
  clientConfig?: Partial<LongConnectionClientConfig>;
  /** Long connections per app (50, §3.8). */
  maxConnectionsPerApp?: number;
}

export interface EventSettings {
  timeScale: number;
  deliveryTimeoutMs: number;
  challengeTimeoutMs: number;
  clientConfig: LongConnectionClientConfig;
  maxConnectionsPerApp: number;
}

export function eventSettings(options: EventOptions = {}): EventSettings {
  return {
    timeScale: options.timeScale ?? 1,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 3000,
    challengeTimeoutMs: options.challengeTimeoutMs ?? 1000,
    clientConfig: { ...DEFAULT_CLIENT_CONFIG, ...options.clientConfig },
    maxConnectionsPerApp: options.maxConnectionsPerApp ?? 50,
  };
}
