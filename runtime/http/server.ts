import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { App } from '../app.js';
import { Code, phrase, RuntimeErrors, statusFor } from '../errcode.js';
import { accountRoutes } from './account-routes.js';
import { adminRoutes } from './admin-routes.js';
import { adminSurfaceRoutes } from './admin-surface-routes.js';
import { assetRoutes } from './assets.js';
import { errorBody, HttpErrors, retryAfterOf } from './http-errors.js';
import { HttpContext } from './context.js';
import { elementRoutes } from './element-routes.js';
import { hookRoutes } from './hook-routes.js';
import { localeOf } from './i18n/locale.js';
import { pageRoutes, Pages } from './pages.js';
import { enforceRoutePolicies } from './route-policy.js';
import { SignInLimit } from './sign-in-limit.js';

export interface HttpOptions {
  /** pino level, or false for no logs; default 'info'. */
  logLevel?: string | false;
  /** Where log lines go (default stdout); tests pass a stream to inspect them. */
  logStream?: Writable;
  /** Session lifetime; default 7 days. */
  sessionTtlSeconds?: number;
  /**
   * Addresses or CIDRs of the reverse proxies in front of this server (e.g. ['127.0.0.1', '10.0.0.0/8']):
   * X-Forwarded-For/-Proto/-Host are honoured only from them. Default none: every header is the client's word.
   */
  trustProxy?: string[];
  /**
   * The URL browsers use, e.g. https://login.example.com (behind a proxy that rewrites the host).
   * https makes every cookie Secure with the __Host- prefix; cross-site checks compare Origin with it.
   */
  publicUrl?: string;
  /** Largest accepted request body; default 64 KiB. */
  bodyLimit?: number;
  /** Sign-in requests per client address and minute (login config, code login, callbacks); 0 = unlimited. Default 120. */
  loginRateLimit?: number;
}

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
  const publicUrl = options.publicUrl !== undefined ? parsePublicUrl(options.publicUrl) : undefined;
  const server = Fastify({
    logger,
    // Only the listed proxies may speak for the client (proxy-addr semantics); never "trust everyone".
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? options.trustProxy : false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // A URL fastify cannot even decode (/api/%ZZ) gets the same error shape as every other refusal.
    frameworkErrors: (_error, request, reply) => {
      void (reply as FastifyReply).code(400).send({ ok: false, ...errorBody(RuntimeErrors.INVALID_PARAMS.create({ problem: MALFORMED }), localeIn(request)) });
    },
  });
  const ctx = new HttpContext(app, options.sessionTtlSeconds ?? 7 * 24 * 3600, publicUrl);
  // Every answer speaks the request's language (i18n/locale.ts); the cookie's name follows the cookie policy.
  const localeIn = (request: Parameters<typeof localeOf>[0]) => localeOf(request, ctx.cookies.name('lang'));
  const pages = new Pages(ctx);
  await server.register(cookie);
  const perMinute = options.loginRateLimit ?? 120;
  // Counted in the app's shared state (Redis with JIT_REDIS_URL, else its database), which the App owns and closes.
  const signInLimit = perMinute > 0 ? new SignInLimit(app.shared, { perMinute, scope: app.name }) : undefined;

  enforceRoutePolicies(server, {
    countSignIn: async (request) => signInLimit?.consume(request.ip),
    authorize: (request, access) => ctx.authorize(request, access),
    refusePage: (request, reply, refusal) => pages.refuse(request, reply, refusal),
  });

  // State-changing requests from another site are refused (a same-site browser always sends a matching Origin).
  server.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const origin = request.headers.origin;
    const self = publicUrl?.origin ?? `${request.protocol}://${request.headers.host ?? ''}`;
    if (origin !== undefined && !sameOrigin(origin, self)) throw HttpErrors.BAD_ORIGIN.create({});
  });

  server.setErrorHandler((error, request, reply) => {
    if (Code.is(error)) {
      request.log.info({ code: error.code }, 'request refused');
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      return reply.code(statusFor(error.code)).send({ ok: false, ...errorBody(error, localeIn(request)) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // fastify's own rejections: malformed JSON, body too large, wrong content type.
      return reply.code(status).send({ ok: false, ...errorBody(RuntimeErrors.INVALID_PARAMS.create({ problem: status === 413 ? TOO_LARGE : MALFORMED }), localeIn(request)) });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ ok: false, ...errorBody(HttpErrors.INTERNAL.create({ context: phrase(`request ${request.id}`, `请求 ${request.id}`) }), localeIn(request)) });
  });
  server.setNotFoundHandler((request, reply) => reply.code(404).send({ ok: false, ...errorBody(HttpErrors.METHOD_NOT_FOUND.create({ problem: NOT_FOUND }), localeIn(request)) }));

  assetRoutes(server, ctx);
  accountRoutes(server, ctx);
  adminRoutes(server, ctx);
  adminSurfaceRoutes(server, ctx);
  elementRoutes(server, ctx);
  await hookRoutes(server, ctx);
  pageRoutes(server, ctx, pages);
  return server;
}

const MALFORMED = phrase('Malformed request.', '请求格式错误。');
const TOO_LARGE = phrase('Request body too large.', '请求体过大。');
const NOT_FOUND = phrase('Not found.', '没有这个地址。');

function parsePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw RuntimeErrors.INVALID_PARAMS.create({ problem: `Public URL "${value}" is not a URL; give the address browsers use, e.g. https://login.example.com.` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw RuntimeErrors.INVALID_PARAMS.create({ problem: `Public URL "${value}" must start with https:// or http://.` });
  return url;
}

/** Compared as URLs so default ports (http://x:80 vs http://x) do not matter. */
function sameOrigin(origin: string, self: string): boolean {
  try {
    return new URL(origin).origin === new URL(self).origin;
  } catch {
    return false;
  }
}
