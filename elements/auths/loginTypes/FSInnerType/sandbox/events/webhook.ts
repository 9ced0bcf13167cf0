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

/**
 * How a push travels: `signal` aborts it when the sandbox closes (so no push outlives it), `agents`
 * carry it over a kept-alive connection. Without agents each request opens a connection of its own.
 */
export interface PostVia {
  signal?: AbortSignal;
  agents?: { http: http.Agent; https: https.Agent };
}

export async function pushEvent(url: string, envelope: EventEnvelope, encryptKey: string | undefined, timeoutMs: number, via: PostVia = {}): Promise<AttemptOutcome> {
  const { body, headers } = webhookRequest(JSON.stringify(envelope), encryptKey, true);
  const result = await postJson(url, body, headers, timeoutMs, via);
  return 'error' in result ? { ok: false, status: result.error } : { ok: result.status === 200, status: result.status };
}

/**
 * The console's check when a request URL is saved (§1.5): the reply must be HTTP 200 with JSON
 * `{"challenge": <the same value>}` within 1 s, else "Challenge code 没有返回".
 */
export async function verifyCallbackUrl(url: string, verificationToken: string, encryptKey: string | undefined, timeoutMs: number, via: PostVia = {}): Promise<{ ok: true } | { ok: false; reason: string }> {
  const challenge = randomBytes(16).toString('hex');
  const { body, headers } = webhookRequest(JSON.stringify({ challenge, token: verificationToken, type: 'url_verification' }), encryptKey, false);
  const result = await postJson(url, body, headers, timeoutMs, via);
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

/**
 * The hub's webhook client: one keep-alive agent per protocol, so a burst to one request URL reuses
 * a connection instead of paying a TCP (and TLS) setup per push; `close` aborts what is in flight
 * and destroys the agents' sockets, so nothing outlives the sandbox. Idle pooled sockets are
 * unref'd by the agent and dropped a second before the receiver's announced Keep-Alive timeout.
 */
export class WebhookSender {
  private readonly closing = new AbortController();
  private readonly via: Required<PostVia> = {
    signal: this.closing.signal,
    agents: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
  };

  push(url: string, envelope: EventEnvelope, encryptKey: string | undefined, timeoutMs: number): Promise<AttemptOutcome> {
    return pushEvent(url, envelope, encryptKey, timeoutMs, this.via);
  }

  verify(url: string, verificationToken: string, encryptKey: string | undefined, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
    return verifyCallbackUrl(url, verificationToken, encryptKey, timeoutMs, this.via);
  }

  close(): void {
    this.closing.abort();
    this.via.agents.http.destroy();
    this.via.agents.https.destroy();
  }
}

/**
 * One POST. A pooled connection the receiver closed just as it was reused fails before any answer
 * (ECONNRESET on `reusedSocket`): that is the pool's doing, not the receiver's, so it is sent once
 * more on a fresh connection within the same attempt (Node's documented remedy) rather than costing
 * the delivery a retry on Feishu's schedule.
 */
async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, via: PostVia): Promise<PostResult> {
  const started = Date.now();
  const first = await postOnce(url, body, headers, timeoutMs, via);
  if (!('stale' in first)) return first;
  const left = timeoutMs - (Date.now() - started);
  if (left <= 0) return { error: 'timeout' };
  const second = await postOnce(url, body, headers, left, { ...via, agents: undefined });
  return 'stale' in second ? { error: 'network_error' } : second;
}

type OnceResult = PostResult | { stale: true };

function postOnce(url: string, body: string, headers: Record<string, string>, timeoutMs: number, via: PostVia): Promise<OnceResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ error: 'network_error' });
    }
    const { signal } = via;
    if (signal?.aborted) return resolve({ error: 'network_error' });
    const secure = target.protocol === 'https:';
    const agent = via.agents ? (secure ? via.agents.https : via.agents.http) : false;
    const onAbort = () => req.destroy();
    const timer = setTimeout(() => {
      done({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    // Every way out goes through here: the abort listener sits on the hub's long-lived signal, so it
    // comes off when this request is done, or each push would leave one behind.
    const done = (result: OnceResult) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    let answered = false;
    const req = (secure ? https : http).request(
      target,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done({ error: 'network_error' }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && !answered && err.code === 'ECONNRESET' && !signal?.aborted;
      done(stale ? { stale: true } : { error: 'network_error' });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}
