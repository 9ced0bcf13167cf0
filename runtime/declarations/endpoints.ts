import type { MethodAccess } from '../loader/definition.js';

/**
 * HTTP endpoints a Type provides for each of its instances (`static endpoints`),
 * mounted below the instance's hook root:
 *
 *   /hooks/<fullName with / for .>/<path>        e.g. POST /hooks/auths/loginTypes/FSInnerExample/events
 *
 *   static endpoints: ReadonlyArray<EndpointDeclaration> = [
 *     { method: 'POST', path: 'events', access: 'public', body: 'raw', handler: 'onEvent' },
 *   ];
 *
 * Every endpoint states who may use it, checked like every other route
 * (runtime/http/route-policy.ts); the element checks anything further itself
 * (a webhook's signature, over the raw body).
 */
export interface EndpointDeclaration {
  method: HookMethod;
  /** Below the hook root: one or more segments of letters, digits, _ and -, separated by /. */
  path: string;
  access: MethodAccess;
  /** 'signIn': each request counts against the per-client sign-in limit. */
  rateLimit?: 'signIn';
  /** 'raw': the handler gets the body's bytes exactly as sent (a Buffer); 'json' (default): the parsed JSON, undefined when empty. */
  body?: 'json' | 'raw';
  /** The instance method that answers: `handler(request: HookRequest): Promise<HookReply | undefined>`. */
  handler: string;
}

export const HOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HookMethod = (typeof HOOK_METHODS)[number];

/** A path below the hook root. */
export const HOOK_PATH = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

export interface HookRequest {
  method: string;
  /** The endpoint's path (below the hook root). */
  path: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** A Buffer for `body: 'raw'`; the parsed JSON otherwise. */
  body: unknown;
  /** The signed-in local user, if the request carries a session. */
  user: { id: string; name: string | null; isAdmin: boolean } | undefined;
}

/** What a handler answers; undefined is 204. A string or Buffer body is sent as is, anything else as JSON. */
export interface HookReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A class's endpoints (its own or inherited `static endpoints`). */
export function endpointsOf(cls: unknown): ReadonlyArray<EndpointDeclaration> {
  const endpoints = typeof cls === 'function' ? (cls as { endpoints?: unknown }).endpoints : undefined;
  return Array.isArray(endpoints) ? (endpoints as EndpointDeclaration[]) : [];
}
