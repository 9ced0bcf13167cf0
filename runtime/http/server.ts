import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { App } from '../app.js';
import { Code, RuntimeCodes } from '../errcode.js';
import { accountRoutes } from './account-routes.js';
import { adminRoutes } from './admin-routes.js';
import { assetRoutes } from './assets.js';
import { errorBody, HttpCodes, statusFor } from './codes.js';
import { HttpContext } from './context.js';
import { elementRoutes } from './element-routes.js';
import { pageRoutes } from './pages.js';

export interface HttpOptions {
  /** pino level, or false for no logs; default 'info'. */
  logLevel?: string | false;
  /** Where log lines go (default stdout); tests pass a stream to inspect them. */
  logStream?: Writable;
  /** Session lifetime; default 7 days. */
  sessionTtlSeconds?: number;
  /** Trust X-Forwarded-* from a reverse proxy (needed for Secure cookies behind https). */
  trustProxy?: boolean;
  /** Largest accepted request body; default 64 KiB. */
  bodyLimit?: number;
  /** Sign-in requests per client address and minute (login config, code login, callbacks); 0 = unlimited. Default 120. */
  loginRateLimit?: number;
}

/** The routes a password-guessing or state-spamming client would hammer. */
const isLoginRoute = (method: string, url: string): boolean => {
  const path = url.split('?')[0]!;
  if (method === 'GET') return path === '/login/callback' || path === '/login/admin';
  return method === 'POST' && path.startsWith('/api/') && /\/(loginWithCode|getLoginConfig|getLoginCode)$/.test(path);
};

/**
 * Logged request fields: method, path and request id. Never the query string
 * (the OAuth callback carries code and state in it), headers (cookies) or bodies.
 */
const serializers = {
  req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function createHttpServer(app: App, options: HttpOptions = {}): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] =
    options.logLevel === false ? false : { level: options.logLevel ?? 'info', serializers, ...(options.logStream ? { stream: options.logStream } : {}) };
  const server = Fastify({
    logger,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // A URL fastify cannot even decode (/api/%ZZ) gets the same error shape as every other refusal.
    frameworkErrors: (_error, _request, reply) => {
      void (reply as FastifyReply).code(400).send({ ok: false, code: RuntimeCodes.INVALID_PARAMS, message: 'Malformed request.' });
    },
  });
  const ctx = new HttpContext(app, options.sessionTtlSeconds ?? 7 * 24 * 3600);
  await server.register(cookie);
  const loginRateLimit = options.loginRateLimit ?? 120;
  if (loginRateLimit > 0) {
    // Counted per process (in memory); behind several servers each one limits its own share.
    await server.register(rateLimit, {
      global: true,
      max: loginRateLimit,
      timeWindow: 60_000,
      allowList: (request) => !isLoginRoute(request.method, request.url),
      errorResponseBuilder: (_request, context) => new Code(HttpCodes.TOO_MANY_REQUESTS, `Too many sign-in attempts; try again in ${Math.ceil(context.ttl / 1000)} s.`),
    });
  }

  // State-changing requests from another site are refused (a same-site browser always sends a matching Origin).
  server.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, `${request.protocol}://${request.headers.host ?? ''}`)) throw new Code(HttpCodes.BAD_ORIGIN, 'Cross-site request refused.');
  });

  server.setErrorHandler((error, request, reply) => {
    if (Code.is(error)) {
      request.log.info({ code: error.code }, 'request refused');
      return reply.code(statusFor(error.code)).send({ ok: false, ...errorBody(error) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // fastify's own rejections: malformed JSON, body too large, wrong content type.
      return reply.code(status).send({ ok: false, code: RuntimeCodes.INVALID_PARAMS, message: status === 413 ? 'Request body too large.' : 'Malformed request.' });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ ok: false, code: HttpCodes.INTERNAL, message: `Internal error (request ${request.id}).` });
  });
  server.setNotFoundHandler((_request, reply) => reply.code(404).send({ ok: false, code: HttpCodes.METHOD_NOT_FOUND, message: 'Not found.' }));

  assetRoutes(server, ctx);
  accountRoutes(server, ctx);
  adminRoutes(server, ctx);
  elementRoutes(server, ctx);
  pageRoutes(server, ctx);
  return server;
}

/** Compared as URLs so default ports (http://x:80 vs http://x) do not matter. */
function sameOrigin(origin: string, self: string): boolean {
  try {
    return new URL(origin).origin === new URL(self).origin;
  } catch {
    return false;
  }
}
