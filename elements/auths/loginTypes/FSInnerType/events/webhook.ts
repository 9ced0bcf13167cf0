import { createHash, timingSafeEqual } from 'node:crypto';
import type { HookReply, HookRequest } from '../../../../../runtime/declarations/endpoints.js';
import type { FSInnerConfig } from '../config.js';
import { decryptEvent, signatureMatches } from './crypto.js';
import { readEnvelope, type Envelope } from './envelope.js';
import { FSInnerEventErrors } from './errors.js';
import type { EventInbox } from './inbox.js';

/** Largest push taken (the HTTP server's own bodyLimit, 64 KiB by default, may refuse earlier, also with 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * POST /hooks/<instance as path>/events: Feishu's webhook push (feishu-events-and-scopes.md §1),
 * checked in this order; a refusal records nothing and never echoes the body, a token or the key:
 *
 *   step  check                                                     refused with
 *   1     eventTransport is "webhook"                               404 EVENTS_NOT_BY_WEBHOOK
 *   2     at most MAX_BODY_BYTES                                     413 EVENT_TOO_LARGE
 *   3     encryptKey set and any X-Lark-* signature header sent:     401 EVENT_SIGNATURE_INVALID
 *         all three sent, X-Lark-Signature matches the raw body
 *   4     JSON; with encryptKey {"encrypt": "<base64>"}, which        400 EVENT_MALFORMED
 *         decrypts to JSON; without one, no "encrypt"
 *   5     encryptKey set, no signature headers: only a                401 EVENT_SIGNATURE_INVALID, for
 *         url_verification may come unsigned (§1.2)                  every failure of 4 too: an
 *                                                                    unsigned request learns nothing
 *                                                                    of the ciphertext (no padding oracle)
 *   6     a url_verification, v2 or v1 envelope (envelope.ts)        400 EVENT_MALFORMED
 *   7     its token is verificationToken (challenge and v1: top      401 EVENT_TOKEN_INVALID
 *         level; v2: header.token)
 *   8     url_verification: answered at once, {"challenge"}          200
 *   9     event: recorded (inbox.ts), the insert committed, then     200 {"msg":"success"}; a duplicate
 *         acknowledged                                               is counted and acknowledged too
 *
 * Feishu retries what is not acknowledged with 200 within 3 s (§1.7), so a database failure at 9
 * is a 500 and the push comes again. Nothing is applied here: the applier does it (applier.ts).
 */
export async function receivePush(request: HookRequest, config: FSInnerConfig, inbox: EventInbox): Promise<HookReply> {
  if (config.eventTransport !== 'webhook') throw FSInnerEventErrors.EVENTS_NOT_BY_WEBHOOK.create({ transport: config.eventTransport ?? 'none' });
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (raw.length > MAX_BODY_BYTES) throw FSInnerEventErrors.EVENT_TOO_LARGE.create({ limit: MAX_BODY_BYTES });

  const { plaintext, envelope } = config.encryptKey ? openEncrypted(request, raw, config.encryptKey) : openPlain(raw);
  if (!tokenMatches(config.verificationToken, envelope.token)) throw FSInnerEventErrors.EVENT_TOKEN_INVALID.create({});
  if (envelope.kind === 'challenge') return { status: 200, body: { challenge: envelope.challenge } };
  await inbox.record(plaintext, 'webhook');
  return { status: 200, body: { msg: 'success' } };
}

type Opened = { plaintext: Record<string, unknown>; envelope: Envelope };

function openPlain(raw: Buffer): Opened {
  const body = parseJson(raw, 'the body is not JSON');
  if (isObject(body) && 'encrypt' in body) throw malformed('an encrypted push, but this instance has no encryptKey');
  return { plaintext: body as Record<string, unknown>, envelope: readEnvelope(body) };
}

function openEncrypted(request: HookRequest, raw: Buffer, encryptKey: string): Opened {
  const signature = header(request, 'x-lark-signature');
  const timestamp = header(request, 'x-lark-request-timestamp');
  const nonce = header(request, 'x-lark-request-nonce');
  if (signature === undefined && timestamp === undefined && nonce === undefined) {
    let opened: Opened;
    try {
      opened = decrypted(raw, encryptKey);
    } catch {
      throw unsigned();
    }
    if (opened.envelope.kind !== 'challenge') throw unsigned();
    return opened;
  }
  if (signature === undefined || timestamp === undefined || nonce === undefined) {
    throw FSInnerEventErrors.EVENT_SIGNATURE_INVALID.create({ why: 'X-Lark-Signature, X-Lark-Request-Timestamp and X-Lark-Request-Nonce must come together' });
  }
  if (!signatureMatches(encryptKey, timestamp, nonce, raw, signature)) throw FSInnerEventErrors.EVENT_SIGNATURE_INVALID.create({ why: 'X-Lark-Signature does not match the body' });
  return decrypted(raw, encryptKey);
}

function decrypted(raw: Buffer, encryptKey: string): Opened {
  const body = parseJson(raw, 'the body is not JSON');
  if (!isObject(body) || typeof body['encrypt'] !== 'string') throw malformed('with an encryptKey the body is {"encrypt": "<base64>"}');
  let text: string;
  try {
    text = decryptEvent(encryptKey, body['encrypt']);
  } catch {
    throw malformed('the encrypt value is not ciphertext of the configured encrypt key');
  }
  const plaintext = parseJson(Buffer.from(text, 'utf8'), 'the decrypted push is not JSON');
  if (!isObject(plaintext)) throw malformed('the decrypted push is not a JSON object');
  return { plaintext, envelope: readEnvelope(plaintext) };
}

/** Constant-time, over digests so the lengths do not leak either. */
function tokenMatches(expected: string | undefined, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

function parseJson(raw: Buffer, problem: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw malformed(problem);
  }
}

function header(request: HookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const malformed = (problem: string) => FSInnerEventErrors.EVENT_MALFORMED.create({ problem });

const unsigned = () => FSInnerEventErrors.EVENT_SIGNATURE_INVALID.create({ why: 'an unsigned push (only a url_verification may come without X-Lark-Signature)' });
