import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endpointsOf, HOOK_METHODS, type EndpointDeclaration, type HookReply, type HookRequest } from '../declarations/endpoints.js';
import { RuntimeErrors } from '../errcode.js';
import { isFullName } from '../ids.js';
import { HttpErrors } from './http-errors.js';
import type { HttpContext } from './context.js';
import type { AccessRule } from './route-policy.js';

/**
 * Endpoints elements declare (`static endpoints`, runtime/declarations/endpoints.ts):
 *
 *   <METHOD> /hooks/<instance fullName with / for .>/<endpoint path>
 *
 * One route per method serves every declared endpoint: instances come and go
 * with hot reload, so the instance and its endpoint are found at request
 * time, from the route's decoded path, before any hook decides access (as
 * for element methods, element-routes.ts); the rule is the endpoint's own.
 * The longest prefix of the path that names a live instance is the instance;
 * the rest must be one of its Type's endpoints for this method, or the answer
 * is 404. Bodies are read as bytes here (this scope has no JSON parser) so a
 * `raw` endpoint gets exactly what was sent, e.g. to check a signature.
 */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

interface HookCall {
  fullName: string;
  endpoint: EndpointDeclaration;
}

export async function hookRoutes(server: FastifyInstance, ctx: HttpContext): Promise<void> {
  await server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const calls = new WeakMap<FastifyRequest, HookCall>();
    const resolve = (request: FastifyRequest): AccessRule => {
      const call = hookCall(ctx, request);
      calls.set(request, call);
      return { access: call.endpoint.access, signIn: call.endpoint.rateLimit === 'signIn' };
    };

    scope.route({
      method: [...HOOK_METHODS],
      url: '/hooks/*',
      config: { policy: { resolve } },
      handler: async (request, reply) => {
        const { fullName, endpoint } = calls.get(request)!;
        const element = ctx.app.getElement<Record<string, unknown>>(fullName);
        const handler = element[endpoint.handler];
        if (typeof handler !== 'function') throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `${fullName} declares the endpoint ${endpoint.method} ${endpoint.path} but does not implement "${endpoint.handler}".` });
        const session = await ctx.session(request);
        const hookRequest: HookRequest = {
          method: request.method,
          path: endpoint.path,
          query: request.query as HookRequest['query'],
          headers: request.headers,
          body: bodyFor(endpoint, request.body),
          user: session ? { id: session.user.id, name: session.user.name ?? null, isAdmin: session.user.isAdmin } : undefined,
        };
        return send(reply, (await handler.call(element, hookRequest)) as HookReply | undefined);
      },
    });
  });
}

function hookCall(ctx: HttpContext, request: FastifyRequest): HookCall {
  const rest = (request.params as { '*': string })['*'];
  const parts = rest.split('/');
  // One spelling only: plain segments, no empty ones, no percent-encoded separators.
  const encodedSeparator = /%2f|%5c|%2e/i.test(request.url.split('?')[0]!);
  if (!encodedSeparator && parts.every((p) => SEGMENT.test(p))) {
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    for (let cut = parts.length - 1; cut >= 1; cut--) {
      const fullName = parts.slice(0, cut).join('.');
      if (!isFullName(fullName) || ctx.app.getElementDefine(fullName)?.kind !== 'instance') continue;
      const path = parts.slice(cut).join('/');
      const endpoint = endpointsOf(ctx.classOf(fullName)).find((e) => e.method === method && e.path === path);
      if (endpoint) return { fullName, endpoint };
      break; // the nearest instance answers, or nobody does
    }
  }
  throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `No endpoint ${request.method} /hooks/${rest.slice(0, 200)} here.` });
}

function bodyFor(endpoint: EndpointDeclaration, body: unknown): unknown {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (endpoint.body === 'raw') return bytes;
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw RuntimeErrors.INVALID_PARAMS.create({ problem: 'Malformed JSON body.' });
  }
}

function send(reply: FastifyReply, answer: HookReply | undefined): FastifyReply {
  if (answer === undefined || answer === null) return reply.code(204).send();
  void reply.code(answer.status ?? 200);
  for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
  const { body } = answer;
  if (body === undefined) return reply.send();
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!reply.hasHeader('content-type')) void reply.type(typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    return reply.send(body);
  }
  return reply.type(reply.hasHeader('content-type') ? String(reply.getHeader('content-type')) : 'application/json; charset=utf-8').send(JSON.stringify(body));
}
