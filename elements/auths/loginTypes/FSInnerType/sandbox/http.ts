import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers; the server writes it (so stats and headers are handled in one place). */
export interface Reply {
  status: number;
  /** Objects are sent as JSON; strings as they are. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export function html(body: string, status = 200): Reply {
  return { status, body, contentType: 'text/html; charset=utf-8' };
}

export function redirect(location: string): Reply {
  return { status: 302, body: '', headers: { location } };
}

export function writeReply(res: ServerResponse, reply: Reply, logId: string): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'content-type': reply.contentType ?? 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-tt-logid': logId,
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(text);
}

const MAX_BODY_BYTES = 1 << 20;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON object body, or undefined when the body is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

let logIdSecond = -1;
let logIdPrefix = '';
let logIdCounter = 0;

/** Feishu's log id looks like a timestamp followed by hex: 20240518093012 + 20 hex digits. */
export function newLogId(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== logIdSecond) {
    logIdSecond = second;
    logIdPrefix = new Date(now).toISOString().replace(/\D/g, '').slice(0, 14);
  }
  logIdCounter = (logIdCounter + 1) >>> 0;
  const random = Math.floor(Math.random() * 0xffffffffffff);
  return `${logIdPrefix}${random.toString(16).toUpperCase().padStart(12, '0')}${logIdCounter.toString(16).toUpperCase().padStart(8, '0')}`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The Bearer token, or undefined when the header is missing or not Bearer. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
