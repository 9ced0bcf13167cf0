import type { SandboxApp } from '../apps.js';
import type { SandboxState } from '../context.js';
import { receivesEvent } from './audience.js';
import type { ChangeContext } from './change-context.js';
import { DeliveryQueue, type ReleaseOrder, type SendResult } from './deliveries.js';
import { makeEnvelope } from './envelope.js';
import { LongConnections, type ConnectionView } from './long-connection/connections.js';
import { OrgChanges } from './org-changes.js';
import { Subscriptions, type SubscriptionInput } from './subscriptions.js';
import { eventSettings, type ContactEventType, type DeliveryView, type EventEnvelope, type EventOptions, type EventSettings, type SubscriptionView } from './types.js';
import { WebhookSender } from './webhook.js';

/**
 * The sandbox's event push, wired together:
 *
 *   OrgChanges ──publish──▶ envelope ──▶ DeliveryQueue ──send──┬─ webhook: WebhookSender (encrypt, sign, keep-alive)
 *   (org edits, range)      (per app)     (retries, order)     └─ websocket: LongConnections.push (ack)
 *
 * The transport is the app's subscription mode at the time of each attempt, so an app that switches
 * from webhook to long connection gets its pending retries over the new one.
 */
export interface SandboxEvents {
  /** Saves an app's event settings after the console's checks (challenge, online client); throws SubscriptionRefused. */
  subscribe(appId: string, input: SubscriptionInput): Promise<SubscriptionView>;
  subscription(appId: string): SubscriptionView;
  deliveries(filter?: { appId?: string; eventId?: string; eventType?: string }): DeliveryView[];
  /** Pushes an event again, the same event_id (Feishu is at-least-once). */
  duplicate(eventId: string): DeliveryView;
  /** Holds every push (new ones and due retries) until resume. */
  pause(): void;
  /** Releases what was held, each app's batch in this order. */
  resume(order?: ReleaseOrder, seed?: number): void;
  connections(): ConnectionView[];
  /** Drops long connections (every app's, or one app's); returns how many. */
  closeConnections(appId?: string): number;
  settings(): EventSettings;
  updateSettings(change: EventOptions): EventSettings;
}

export class EventHub implements SandboxEvents {
  readonly changes: OrgChanges;
  readonly longConnections: LongConnections;
  private current: EventSettings;
  private readonly subscriptions = new Subscriptions();
  private readonly queue: DeliveryQueue;
  /** Its in-flight requests are aborted and its pooled connections closed on close. */
  private readonly webhooks = new WebhookSender();

  constructor(
    private readonly state: SandboxState,
    options: EventOptions = {},
  ) {
    this.current = eventSettings(options);
    this.longConnections = new LongConnections(() => this.current);
    this.queue = new DeliveryQueue(
      (appId, envelope) => this.send(appId, envelope),
      () => this.current.timeScale,
    );
    const ctx: ChangeContext = {
      state,
      audience: (type) => state.apps.filter((app) => receivesEvent(app, this.subscriptions.get(app.appId), type)),
      publish: (app, type, event) => this.publish(app, type, event),
    };
    this.changes = new OrgChanges(ctx);
  }

  subscribe(appId: string, input: SubscriptionInput): Promise<SubscriptionView> {
    return this.subscriptions.save(this.app(appId), input, {
      challenge: (url, token, key) => this.webhooks.verify(url, token, key, this.current.challengeTimeoutMs),
      onlineConnections: (id) => this.longConnections.count(id),
    });
  }

  subscription(appId: string): SubscriptionView {
    return this.subscriptions.view(this.app(appId).appId);
  }

  deliveries(filter?: { appId?: string; eventId?: string; eventType?: string }): DeliveryView[] {
    return this.queue.list(filter);
  }

  duplicate(eventId: string): DeliveryView {
    return this.queue.duplicate(eventId);
  }

  pause(): void {
    this.queue.pause();
  }

  resume(order?: ReleaseOrder, seed?: number): void {
    this.queue.resume(order, seed);
  }

  connections(): ConnectionView[] {
    return this.longConnections.list();
  }

  closeConnections(appId?: string): number {
    return this.longConnections.closeAll(appId);
  }

  settings(): EventSettings {
    return structuredClone(this.current);
  }

  updateSettings(change: EventOptions): EventSettings {
    const positive = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    if (!positive(change.timeScale) || !positive(change.deliveryTimeoutMs) || !positive(change.challengeTimeoutMs) || !positive(change.maxConnectionsPerApp)) {
      throw new Error('timeScale, deliveryTimeoutMs, challengeTimeoutMs and maxConnectionsPerApp must be non-negative numbers');
    }
    const { clientConfig, ...rest } = change;
    this.current = { ...this.current, ...stripUndefined(rest), clientConfig: { ...this.current.clientConfig, ...stripUndefined(clientConfig ?? {}) } };
    return this.settings();
  }

  close(): void {
    this.webhooks.close();
    this.queue.close();
    this.longConnections.close();
  }

  private publish(app: SandboxApp, type: ContactEventType, event: Record<string, unknown>): string {
    const envelope = makeEnvelope({
      type,
      appId: app.appId,
      tenantKey: this.state.org.tenantKey,
      verificationToken: this.subscriptions.get(app.appId)?.verificationToken ?? '',
      nowMs: this.state.now(),
      event,
    });
    return this.queue.enqueue(app.appId, envelope).eventId;
  }

  private async send(appId: string, envelope: EventEnvelope): Promise<SendResult> {
    const subscription = this.subscriptions.get(appId);
    const timeout = this.current.deliveryTimeoutMs;
    if (subscription?.mode === 'webhook' && subscription.callbackUrl) {
      return { ...(await this.webhooks.push(subscription.callbackUrl, envelope, subscription.encryptKey, timeout)), transport: 'webhook' };
    }
    if (subscription?.mode === 'websocket') return { ...(await this.longConnections.push(appId, envelope, timeout)), transport: 'websocket' };
    return { ok: false, status: 'unsubscribed' };
  }

  private app(appId: string): SandboxApp {
    const app = this.state.apps.find((a) => a.appId === appId);
    if (!app) throw new Error(`no app "${appId}"`);
    return app;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
