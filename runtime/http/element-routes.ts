import type { FastifyInstance } from 'fastify';
import { Code } from '../errcode.js';
import { isFullName } from '../ids.js';
import { IDENTIFIER } from '../loader/schemas.js';
import { HttpCodes } from './codes.js';
import type { HttpContext } from './context.js';
import { startSession } from './session.js';

/**
 * POST /api/<fullName with / for .>/<method>, JSON body of named params.
 * Only methods the element's Type lists in functionList are reachable, with
 * the access the list gives them; anything else is 404 whether or not the
 * class has such a method.
 */
const IDENTIFIER_PATTERN = new RegExp(IDENTIFIER);

export function elementRoutes(server: FastifyInstance, ctx: HttpContext): void {
  server.post('/api/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const parts = path.split('/');
    const method = parts.pop() ?? '';
    const fullName = parts.join('.');
    // One spelling only: plain identifier segments, no dots, no percent-encoded separators.
    const encodedSeparator = /%2f|%5c|%2e/i.test(request.url.split('?')[0]!);
    if (encodedSeparator || !parts.every((p) => IDENTIFIER_PATTERN.test(p)) || !isFullName(fullName) || ctx.app.getElementDefine(fullName)?.kind !== 'instance') {
      throw new Code(HttpCodes.METHOD_NOT_FOUND, `No element "${fullName.slice(0, 200)}" here.`);
    }
    const spec = ctx.app.functionList(fullName).find((f) => f.name === method);
    if (!spec) throw new Code(HttpCodes.METHOD_NOT_FOUND, `${fullName} has no method "${method.slice(0, 100)}" callable over HTTP.`);
    await ctx.authorize(request, spec.access);
    const params = ctx.params.validate(spec, request.body);
    const element = ctx.app.getElement<Record<string, unknown>>(fullName);
    const fn = element[method];
    if (typeof fn !== 'function') throw new Code(HttpCodes.METHOD_NOT_FOUND, `${fullName} lists "${method}" but does not implement it.`);
    const result: unknown = await fn.call(element, params);
    if (spec.startsSession) {
      const localUserId = (result as { localUserId?: unknown } | undefined)?.localUserId;
      if (typeof localUserId !== 'string') throw new Code(HttpCodes.INTERNAL, `${fullName}.${method} returned no local user.`);
      await startSession(request, reply, ctx.sessions, localUserId, fullName, ctx.sessionTtlSeconds);
    }
    return { ok: true, data: result ?? null };
  });
}
