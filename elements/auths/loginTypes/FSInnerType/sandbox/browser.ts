import type { IncomingMessage } from 'node:http';
import type { Reply } from './http.js';

/**
 * Helpers for the browser stand-ins (QR SDK, QR iframe page, scan page, H5 JSSDK): they run in
 * pages of another origin, so they must name the sandbox by the origin the browser actually used
 * (127.0.0.1 and localhost are different origins to a browser) rather than by `sandbox.baseUrl`.
 */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** `http://<Host header>` when it is a plain host[:port]; the sandbox's own base URL otherwise. */
export function requestOrigin(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && HOST.test(host) ? `http://${host.toLowerCase()}` : fallback;
}

/** A JSON literal that is also safe inside an HTML <script> element and in pre-ES2019 engines. */
export function jsLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function javascript(body: string): Reply {
  return { status: 200, body, contentType: 'text/javascript; charset=utf-8', headers: { 'cache-control': 'no-store' } };
}

/** A small, phone-friendly page; `title` and `body` must already be HTML-escaped. */
export function standinDocument(title: string, body: string, style = ''): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{margin:0;padding:8px;font:14px/1.4 system-ui,sans-serif;text-align:center}ul{list-style:none;padding:0;margin:8px 0}li{margin:4px 0}button{font:inherit;padding:6px 10px;cursor:pointer}${style}</style>
</head>
<body>
${body}
</body></html>`;
}
