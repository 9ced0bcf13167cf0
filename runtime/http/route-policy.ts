import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Code } from '../errcode.js';
import { retryAfterOf } from './http-errors.js';
import type { MethodAccess } from '../loader/definition.js';

/** Who may use a route, and whether each use counts against the sign-in limit. */
export interface AccessRule {
  access: MethodAccess;
  signIn?: boolean;
  /** A page, not an API: a refusal sends the browser to sign in (or shows a page) instead of a JSON error. */
  page?: boolean;
}

/**
 * A route's policy: a fixed rule, or (element calls, one route for every element
 * method) a rule looked up from the route's decoded parameters.
 */
export type RoutePolicy = AccessRule | { resolve(request: FastifyRequest): AccessRule };

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
}

export const PUBLIC: AccessRule = { access: 'public' };
export const SIGNED_IN: AccessRule = { access: 'user' };
export const ADMIN: AccessRule = { access: 'admin' };
export const SIGN_IN: AccessRule = { access: 'public', signIn: true };
export const PUBLIC_PAGE: AccessRule = { access: 'public', page: true };
export const SIGNED_IN_PAGE: AccessRule = { access: 'user', page: true };
export const ADMIN_PAGE: AccessRule = { access: 'admin', page: true };
export const SIGN_IN_PAGE: AccessRule = { access: 'public', signIn: true, page: true };

export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy;
}

const routeTables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route the server registered (as fastify's onRoute saw it: the derived HEAD routes too), with its policy. */
export function routeTable(server: FastifyInstance): ReadonlyArray<RouteEntry> {
  return routeTables.get(server) ?? [];
}

export interface PolicyEnforcement {
  /** Throws the sign-in limit's Code when the client has used its budget. */
  countSignIn(request: FastifyRequest): Promise<void>;
  /** Throws NOT_SIGNED_IN / FORBIDDEN unless the request may use something of this access. */
  authorize(request: FastifyRequest, access: MethodAccess): Promise<unknown>;
  /** How a page route answers a refusal (a redirect to sign in, an error page in the request's language). An API route's refusal is thrown to the error handler, which answers in that language too. */
  refusePage(request: FastifyRequest, reply: FastifyReply, refusal: Code): FastifyReply;
}

/**
 * Access rules live on the route that matched, never in URL text:
 *
 *   request ─▶ router (decodes %61, picks the route) ─▶ route.config.policy ─▶ rule
 *                                                          │
 *             rule.signIn ─▶ sign-in limit (per client) ───┤
 *             rule.access ─▶ public | user | admin ────────┴─▶ handler
 *
 * However a path is spelled, the router either matches it to a route, whose own
 * rule then applies, or to none (404). The HEAD route fastify derives from each
 * GET route carries the GET route's config, so it gets the same rule and counts
 * against the same limit. A route registered without a policy is refused at
 * start-up: there is no default to forget.
 */
export function enforceRoutePolicies(server: FastifyInstance, enforcement: PolicyEnforcement): void {
  const table: RouteEntry[] = [];
  routeTables.set(server, table);
  server.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    if (!policy) throw new Error(`Route ${String(route.method)} ${route.url} declares no access policy (config.policy).`);
    for (const method of [route.method].flat()) table.push({ method, url: route.url, policy });
  });
  server.addHook('onRequest', async (request, reply) => {
    const policy = request.routeOptions.config.policy;
    if (!policy) return; // no route matched: the not-found handler answers
    const rule = 'resolve' in policy ? policy.resolve(request) : policy;
    try {
      if (rule.signIn) await enforcement.countSignIn(request);
      await enforcement.authorize(request, rule.access);
    } catch (refusal) {
      const retryAfter = retryAfterOf(refusal);
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
      if (rule.page && Code.is(refusal)) return enforcement.refusePage(request, reply, refusal);
      throw refusal;
    }
  });
}
