import { FSInnerEventErrors } from './errors.js';

/**
 * What a plaintext push is (feishu-events-and-scopes.md §1.4–§1.6), whichever way it came:
 *
 *   envelope          recognised by                    dedupe key          type                create_time            token
 *   v2                schema "2.0" and a header object header.event_id     header.event_type   header.create_time     header.token
 *   v1                type "event_callback"            uuid                event.type          ts (seconds.fraction)  token (top level)
 *   url_verification  type "url_verification"          —                   —                   —                      token (top level)
 *   anything else     EVENT_MALFORMED
 *
 * create_time is a string of milliseconds in the contact pages, of microseconds in one overview
 * example (§1.6, unverified): read by magnitude, seconds to nanoseconds, into epoch milliseconds.
 * A time that cannot be read is null: the event is still applied, without an order.
 * The token is a secret: `withoutToken` is what may be stored.
 */
export type Envelope =
  | { kind: 'challenge'; challenge: string; token: string | undefined }
  | { kind: 'event'; schema: 'v1' | 'v2'; key: string; type: string; createTime: number | null; token: string | undefined; body: Record<string, unknown> };

/** Dedupe keys are stored in a varchar(128): Feishu's are 32–36 characters. */
const MAX_KEY_LENGTH = 128;
const MAX_TYPE_LENGTH = 128;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function readEnvelope(value: unknown): Envelope {
  if (!isObject(value)) throw malformed('the push is not a JSON object');
  if (value['type'] === 'url_verification') {
    if (typeof value['challenge'] !== 'string' || value['challenge'].length === 0 || value['challenge'].length > 1024) throw malformed('url_verification without a challenge');
    return { kind: 'challenge', challenge: value['challenge'], token: stringOr(value['token']) };
  }
  if (value['schema'] === '2.0' && isObject(value['header'])) {
    const header = value['header'];
    return event('v2', header['event_id'], header['event_type'], millis(header['create_time']), stringOr(header['token']), value);
  }
  if (value['type'] === 'event_callback') {
    const inner = isObject(value['event']) ? value['event'] : {};
    return event('v1', value['uuid'], inner['type'], millis(value['ts']), stringOr(value['token']), value);
  }
  throw malformed('neither a schema 2.0 nor a v1 (event_callback) event, nor a url_verification');
}

/** The envelope as stored: the same JSON with the verification token taken out. */
export function withoutToken(envelope: Extract<Envelope, { kind: 'event' }>): Record<string, unknown> {
  const { token: _token, ...rest } = envelope.body;
  if (envelope.schema === 'v1' || !isObject(rest['header'])) return rest;
  const { token: _headerToken, ...header } = rest['header'];
  return { ...rest, header };
}

function event(schema: 'v1' | 'v2', key: unknown, type: unknown, createTime: number | null, token: string | undefined, body: Record<string, unknown>): Envelope {
  const keyName = schema === 'v2' ? 'header.event_id' : 'uuid';
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) throw malformed(`${keyName} must be a string of 1–${MAX_KEY_LENGTH} characters`);
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) throw malformed(`${schema === 'v2' ? 'header.event_type' : 'event.type'} must be a string of 1–${MAX_TYPE_LENGTH} characters`);
  return { kind: 'event', schema, key, type, createTime, token, body };
}

/** Epoch milliseconds from seconds, milliseconds, microseconds or nanoseconds (string or number); null if unreadable. */
export function millis(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n < 1e11) return Math.round(n * 1000); // seconds (v1 ts, with a fraction)
  if (n < 1e14) return Math.round(n); // milliseconds (the contact pages)
  if (n < 1e17) return Math.round(n / 1000); // microseconds (the overview example)
  return Math.round(n / 1e6);
}

const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const malformed = (problem: string) => FSInnerEventErrors.EVENT_MALFORMED.create({ problem });
