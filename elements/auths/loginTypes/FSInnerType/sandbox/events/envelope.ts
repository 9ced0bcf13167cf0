import { randomBytes } from 'node:crypto';
import type { ContactEventType, EventEnvelope } from './types.js';

/**
 * A schema 2.0 envelope (§1.6). The same JSON goes out by webhook (encrypted there when the app set
 * an encrypt key) and, always plaintext, over a long connection.
 *
 * - event_id: 32 lowercase hex, like the doc example; unique per event *and* app, so it is the key
 *   to dedupe on — a redelivery or a duplicate carries the same one.
 * - create_time: a string of 13-digit milliseconds, as in every contact page (the overview's 16-digit
 *   example is UNVERIFIED, §8.2).
 * - token: the app's verification token, also over a long connection.
 */
export function makeEnvelope(input: {
  type: ContactEventType;
  appId: string;
  tenantKey: string;
  verificationToken: string;
  nowMs: number;
  event: Record<string, unknown>;
}): EventEnvelope {
  return {
    schema: '2.0',
    header: {
      event_id: randomBytes(16).toString('hex'),
      event_type: input.type,
      create_time: String(Math.floor(input.nowMs)),
      token: input.verificationToken,
      app_id: input.appId,
      tenant_key: input.tenantKey,
    },
    event: input.event,
  };
}
