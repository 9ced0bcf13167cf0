import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession, SessionStore } from '../auth/sessions.js';
import type { CookiePolicy } from './cookie-policy.js';

/** What signing in and out needs of the server. */
export interface SessionSettings {
  sessions: SessionStore;
  cookies: CookiePolicy;
  sessionTtlSeconds: number;
}

const resolved = new WeakMap<FastifyRequest, Promise<ActiveSession | undefined>>();

/** The request's session, looked up once per request. */
export function sessionOf(request: FastifyRequest, settings: SessionSettings): Promise<ActiveSession | undefined> {
  let pending = resolved.get(request);
  if (!pending) {
    pending = settings.sessions.find(settings.cookies.read(request, 'session'));
    resolved.set(request, pending);
  }
  return pending;
}

/**
 * Signs a local user in: a fresh token replaces (and revokes) any session the
 * browser already had, so a token planted before login is worthless after it.
 */
export async function startSession(request: FastifyRequest, reply: FastifyReply, settings: SessionSettings, localUserId: string, provider: string): Promise<void> {
  await settings.sessions.revoke(settings.cookies.read(request, 'session'));
  const { token } = await settings.sessions.create(localUserId, provider, settings.sessionTtlSeconds);
  settings.cookies.set(request, reply, 'session', token, settings.sessionTtlSeconds);
  resolved.delete(request);
}

export async function endSession(request: FastifyRequest, reply: FastifyReply, settings: SessionSettings): Promise<void> {
  await settings.sessions.revoke(settings.cookies.read(request, 'session'));
  settings.cookies.clear(request, reply, 'session');
  resolved.delete(request);
}
