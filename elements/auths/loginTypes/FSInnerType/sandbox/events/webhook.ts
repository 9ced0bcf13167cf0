import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { encryptEvent, signEvent } from '../../events/crypto.js';
import type { AttemptOutcome, EventEnvelope } from './types.js';

/**
 * Webhook pushes as Feishu sends them (§1.1–§1.5):
 *
 * | push              | body (compact JSON)                            | headers                                        |
 * |-------------------|------------------------------------------------|------------------------------------------------|
 * | event, no key     | the envelope                                   | content-type only                              |
 * | event, key        | {"encrypt":"<base64(iv ‖ AES-256-CBC(env))>"}  | X-Lark-Request-Timestamp, -Nonce, X-Lark-Signature |
 * | url_verification  | {"challenge","token","type"}, or encrypted     | content-type only (never signed, D-RECV)       |
 *
 * - Compact serialisation matters: node-sdk re-serialises the parsed body to check the signature,
 *   so only `JSON.stringify`'s own output verifies there (§1.2).
 * - Without an encrypt key no X-Lark-* header is sent (UNVERIFIED, §8.1; conservative: a receiver
 *   must not require them then).
 * - The timestamp is in seconds (UNVERIFIED unit; the doc's signature vector uses 10 digits).
 * - Success is HTTP 200 — nothing else — within the deadline (3 s, §1.7).
 */

type PostResult = { status: number; text: string } | { error: 'timeout' | 'network_error' };

const MAX_REPLY_BYTES = 64 * 1024;

export function webhookRequest(plaintext: string, encryptKey: string | undefined, sign: boolean): { body: string; headers: Record<string, string> } {
  if (!encryptKey) return { body: plaintext, headers: {} };
  const body = JSON.stringify({ encrypt: encryptEvent(encryptKey, plaintext) });
  if (!sign) return { body, headers: {} };
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  return { body, headers: { 'X-Lark-Request-Timestamp': timestamp, 'X-Lark-Request-Nonce': nonce, 'X-Lark-Signature': signEvent(encryptKey, timestamp, nonce, body) } };
}

/** `signal` aborts the request when the sandbox closes, so no push outlives it. */
export async function pushEvent(url: string, envelope: EventEnvelope, encryptKey: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { body, headers } = webhookRequest(JSON.stringify(envelope), encryptKey, true);
  const result = await postJson(url, body, headers, timeoutMs, signal);
  return 'error' in result ? { ok: false, status: result.error } : { ok: result.status === 200, status: result.status };
}

/**
 * The console's check when a request URL is saved (§1.5): the reply must be HTTP 200 with JSON
 * `{"challenge": <the same value>}` within 1 s, else "Challenge code 没有返回".
 */
export async function verifyCallbackUrl(url: string, verificationToken: string, encryptKey: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: true } | { ok: false; reason: string }> {
  const challenge = randomBytes(16).toString('hex');
  const { body, headers } = webhookRequest(JSON.stringify({ challenge, token: verificationToken, type: 'url_verification' }), encryptKey, false);
  const result = await postJson(url, body, headers, timeoutMs, signal);
  if ('error' in result) return { ok: false, reason: result.error === 'timeout' ? `no reply within ${timeoutMs} ms` : 'the request URL could not be reached' };
  if (result.status !== 200) return { ok: false, reason: `the request URL answered HTTP ${result.status}` };
  let reply: unknown;
  try {
    reply = JSON.parse(result.text);
  } catch {
    return { ok: false, reason: 'the reply is not JSON' };
  }
  if ((reply as { challenge?: unknown } | null)?.challenge !== challenge) return { ok: false, reason: 'the reply does not echo the challenge' };
  return { ok: true };
}

function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ error: 'network_error' });
    }
    if (signal?.aborted) return resolve({ error: 'network_error' });
    const client = target.protocol === 'https:' ? https : http;
    const timer = setTimeout(() => {
      resolve({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    const req = client.request(
      target,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', () => {
          clearTimeout(timer);
          resolve({ error: 'network_error' });
        });
      },
    );
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ error: 'network_error' });
    });
    signal?.addEventListener('abort', () => req.destroy(), { once: true });
    req.end(body);
  });
}
