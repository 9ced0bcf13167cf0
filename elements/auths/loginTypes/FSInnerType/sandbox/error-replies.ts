import { STATUS_CODES } from 'node:http';
import type { ErrorStyle } from './context.js';
import type { FeishuFailure } from './errors.js';
import { DOCUMENTED_HTTP_STATUS, FEISHU } from './errors.js';
import { json, type Reply } from './http.js';
import { authorizeErrorPage } from './endpoints/authorize-page.js';

/**
 * Writes a failure the way its endpoint family does (see ErrorStyle). For gateway codes (9999xxxx),
 * 99991672 included, the HTTP status is not documented (§4.3, §6, UNVERIFIED); the sandbox answers
 * them with HTTP 400, the less forgiving choice: a client must read the body code whatever the
 * status, as the contract's universal rule says, and one that only inspects 200 replies fails here as
 * it would in production. Contact codes with a documented status (41050 → 400, 40004/40014 → 403)
 * get it.
 */
export function failureReply(style: ErrorStyle, failure: FeishuFailure, logId: string): Reply {
  const [code, label] = failure.error;
  switch (style) {
    case 'credentials':
      return json({ code, msg: failure.detail ?? label });
    case 'oauth':
      return json(
        { code, error: isOAuthError(label) ? label : 'invalid_request', error_description: failure.detail ?? label },
        code === FEISHU.serverError[0] ? 500 : code === FEISHU.unavailable[0] ? 503 : 400,
      );
    case 'open':
      return json({ code, msg: failure.detail ?? label, error: { ...failure.extra, log_id: logId } }, code >= 99_990_000 ? 400 : (DOCUMENTED_HTTP_STATUS.get(code) ?? 200));
    case 'page':
      return authorizeErrorPage(code, failure.detail ?? label);
  }
}

/** §7: HTTP 429 with the window cap and the seconds until it resets. */
export function rateLimitedReply(limit: number, resetSeconds: number): Reply {
  const [code, msg] = FEISHU.rateLimited;
  return json({ code, msg }, 429, { 'x-ogw-ratelimit-limit': String(limit), 'x-ogw-ratelimit-reset': String(resetSeconds) });
}

/** §7: the same body under HTTP 400, as some (legacy) APIs send it; the headers only when a reset is given. */
export function rateLimitedAs400Reply(limit: number, resetSeconds: number | undefined): Reply {
  const [code, msg] = FEISHU.rateLimited;
  return json({ code, msg }, 400, resetSeconds === undefined ? {} : { 'x-ogw-ratelimit-limit': String(limit), 'x-ogw-ratelimit-reset': String(resetSeconds) });
}

/** An injected 5xx: the OAuth endpoint's documented bodies for 500/503, a bare gateway page otherwise. */
export function injectedStatusReply(style: ErrorStyle, status: 500 | 502 | 503): Reply {
  if (style === 'oauth' && status !== 502) {
    const [code, error] = status === 500 ? FEISHU.serverError : FEISHU.unavailable;
    return json({ code, error, error_description: 'please retry' }, status);
  }
  return { status, body: `${status} ${STATUS_CODES[status]}`, contentType: 'text/plain; charset=utf-8' };
}

function isOAuthError(label: string): boolean {
  return /^[a-z_]+$/.test(label);
}
