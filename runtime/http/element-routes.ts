import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isFullName } from '../ids.js';
import type { FunctionSpec } from '../loader/definition.js';
import { IDENTIFIER } from '../loader/schemas.js';
import { callingBrowser } from './browser-binding.js';
import { HttpErrors } from './http-errors.js';
import type { HttpContext } from './context.js';
import type { AccessRule } from './route-policy.js';
import { startSession } from './session.js';

/**
 * POST /api/<fullName with / for .>/<method>, JSON body of named params.
 * Only methods the element's Type lists in functionList are reachable, with
 * the access (and sign-in limit) the list gives them; anything else is 404
 * whether or not the class has such a method. The method is found from the
 * route's decoded parameters before any hook decides access, so every spelling
 * that reaches this route meets the rule of the method it names.
 */
const IDENTIFIER_PATTERN = new RegExp(IDENTIFIER);

interface ElementCall {
  fullName: string;
  spec: FunctionSpec;
}

export function elementRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const calls = new WeakMap<FastifyRequest, ElementCall>();
  const resolve = (request: FastifyRequest): AccessRule => {
    const call = elementCall(ctx, request);
    calls.set(request, call);
    return { access: call.spec.access, signIn: call.spec.rateLimit === 'signIn' };
  };

  server.post('/api/*', { config: { policy: { resolve } } }, async (request, reply) => {
    const { fullName, spec } = calls.get(request)!;
    const params = ctx.params.validate(spec, request.body);
    const element = ctx.app.getElement<Record<string, unknown>>(fullName);
    const fn = element[spec.name];
    if (typeof fn !== 'function') throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `${fullName} lists "${spec.name}" but does not implement it.` });
    const result: unknown = await fn.call(element, params, { browser: callingBrowser(request, reply, ctx.cookies) });
    if (spec.startsSession) {
      const localUserId = (result as { localUserId?: unknown } | undefined)?.localUserId;
      if (typeof localUserId !== 'string') throw HttpErrors.INTERNAL.create({ context: `${fullName}.${spec.name} returned no local user` });
      await startSession(request, reply, ctx, localUserId, fullName);
    }
    return { ok: true, data: result ?? null };
  });
}

function elementCall(ctx: HttpContext, request: FastifyRequest): ElementCall {
  const parts = (request.params as { '*': string })['*'].split('/');
  const method = parts.pop() ?? '';
  const fullName = parts.join('.');
  // One spelling only: plain identifier segments, no dots, no percent-encoded separators.
  const encodedSeparator = /%2f|%5c|%2e/i.test(request.url.split('?')[0]!);
  if (encodedSeparator || !parts.every((p) => IDENTIFIER_PATTERN.test(p)) || !isFullName(fullName) || ctx.app.getElementDefine(fullName)?.kind !== 'instance') {
    throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `No element "${fullName.slice(0, 200)}" here.` });
  }
  const spec = ctx.app.functionList(fullName).find((f) => f.name === method);
  if (!spec) throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `${fullName} has no method "${method.slice(0, 100)}" callable over HTTP.` });
  return { fullName, spec };
}
