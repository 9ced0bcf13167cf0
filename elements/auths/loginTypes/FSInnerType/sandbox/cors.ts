import type { IncomingMessage } from 'node:http';
import type { Reply } from './http.js';

/**
 * CORS for the /_sandbox/ control routes only: a login page on another origin (the H5 JSSDK
 * stand-in, browser tests) calls them with fetch. The emulated Feishu routes never get these
 * headers, because real Feishu sends none: a page that calls the Open API from the browser must
 * fail against the sandbox as it would in production.
 */
const ALLOW_ORIGIN = { 'access-control-allow-origin': '*' };

export function withCors(reply: Reply): Reply {
  return { ...reply, headers: { ...reply.headers, ...ALLOW_ORIGIN } };
}

/** The answer to an OPTIONS preflight (a JSON POST from another origin sends one). */
export function preflightReply(req: IncomingMessage): Reply {
  const requested = req.headers['access-control-request-headers'];
  const headers: Record<string, string> = {
    ...ALLOW_ORIGIN,
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': typeof requested === 'string' && requested ? requested : 'content-type',
    'access-control-max-age': '600',
  };
  // Chromium's Private Network Access asks before a public page may call a loopback address.
  if (req.headers['access-control-request-private-network'] === 'true') headers['access-control-allow-private-network'] = 'true';
  return { status: 204, body: '', contentType: 'text/plain; charset=utf-8', headers };
}
