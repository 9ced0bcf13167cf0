import type { SandboxApp } from '../apps.js';
import { stableHex } from '../random.js';
import { CONTACT_EVENT_TYPES, isContactEventType, type EventSubscription, type SubscriptionMode, type SubscriptionView } from './types.js';

/**
 * Each app's event settings, and the checks the developer console makes when they are saved (§2.4):
 *
 * | saving                     | the console (and the sandbox) first requires                                 |
 * |----------------------------|-------------------------------------------------------------------------------|
 * | webhook + a request URL    | the URL answers the url_verification challenge within 1 s (§1.5)              |
 * | websocket                  | a long-connection client of the app is online ("a client must be online at    |
 * |                            |   save time", §2.4)                                                           |
 * | none                       | nothing                                                                       |
 *
 * A refused setting leaves the previous one in force. The verification token is generated per app
 * when none is given, like the console does; the encrypt key is optional (none = plaintext pushes).
 * Secrets never leave this store: `view` has neither.
 */
export interface SubscriptionInput {
  mode?: unknown;
  callbackUrl?: unknown;
  encryptKey?: unknown;
  verificationToken?: unknown;
  eventTypes?: unknown;
}

export interface SaveChecks {
  /** Sends the challenge to the URL with the new settings. */
  challenge(url: string, verificationToken: string, encryptKey: string | undefined): Promise<{ ok: true } | { ok: false; reason: string }>;
  onlineConnections(appId: string): number;
}

/** A refused setting; `reason` is stable for tests and callers, `message` says how to fix it. */
export class SubscriptionRefused extends Error {
  constructor(
    readonly reason: 'invalid' | 'challenge_failed' | 'no_long_connection',
    message: string,
  ) {
    super(message);
  }
}

const MODES: readonly SubscriptionMode[] = ['none', 'webhook', 'websocket'];

export class Subscriptions {
  private readonly byApp = new Map<string, EventSubscription>();

  get(appId: string): EventSubscription | undefined {
    return this.byApp.get(appId);
  }

  view(appId: string): SubscriptionView {
    const s = this.byApp.get(appId);
    if (!s) return { appId, mode: 'none', encrypted: false, eventTypes: [...CONTACT_EVENT_TYPES] };
    return { appId, mode: s.mode, ...(s.callbackUrl ? { callbackUrl: s.callbackUrl } : {}), encrypted: Boolean(s.encryptKey), eventTypes: [...s.eventTypes] };
  }

  async save(app: SandboxApp, input: SubscriptionInput, checks: SaveChecks): Promise<SubscriptionView> {
    const next = this.parse(app, input);
    if (next.mode === 'webhook') {
      const result = await checks.challenge(next.callbackUrl!, next.verificationToken, next.encryptKey);
      if (!result.ok) throw new SubscriptionRefused('challenge_failed', `Challenge code 没有返回: ${result.reason}; the request URL must answer {"challenge": …} with HTTP 200 within the deadline`);
    }
    if (next.mode === 'websocket' && checks.onlineConnections(app.appId) === 0) {
      throw new SubscriptionRefused('no_long_connection', 'no long-connection client of this app is online; start one (WSClient.start) before choosing long connection');
    }
    this.byApp.set(app.appId, next);
    return this.view(app.appId);
  }

  private parse(app: SandboxApp, input: SubscriptionInput): EventSubscription {
    const previous = this.byApp.get(app.appId);
    const mode = input.mode;
    if (!MODES.includes(mode as SubscriptionMode)) throw new SubscriptionRefused('invalid', 'mode must be "webhook", "websocket" or "none"');
    const optionalString = (value: unknown, name: string) => {
      if (value !== undefined && typeof value !== 'string') throw new SubscriptionRefused('invalid', `${name} must be a string`);
      return value === '' ? undefined : (value as string | undefined);
    };
    const callbackUrl = optionalString(input.callbackUrl, 'callbackUrl');
    if (mode === 'webhook') {
      if (!callbackUrl) throw new SubscriptionRefused('invalid', 'webhook mode needs a callbackUrl');
      let protocol = '';
      try {
        protocol = new URL(callbackUrl).protocol;
      } catch {
        throw new SubscriptionRefused('invalid', 'callbackUrl is not a URL');
      }
      if (protocol !== 'http:' && protocol !== 'https:') throw new SubscriptionRefused('invalid', 'callbackUrl must be http:// or https://');
    }
    const eventTypes = input.eventTypes ?? previous?.eventTypes ?? [...CONTACT_EVENT_TYPES];
    if (!Array.isArray(eventTypes) || !eventTypes.every(isContactEventType)) throw new SubscriptionRefused('invalid', `eventTypes must list some of ${CONTACT_EVENT_TYPES.join(', ')}`);
    const encryptKey = input.encryptKey === undefined ? previous?.encryptKey : optionalString(input.encryptKey, 'encryptKey');
    const verificationToken = optionalString(input.verificationToken, 'verificationToken') ?? previous?.verificationToken ?? stableHex(`${app.appId}:verification-token`, 32);
    return { mode: mode as SubscriptionMode, ...(mode === 'webhook' ? { callbackUrl } : {}), ...(encryptKey ? { encryptKey } : {}), verificationToken, eventTypes: [...eventTypes] };
  }
}
