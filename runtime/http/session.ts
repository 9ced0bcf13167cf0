import type {} from '@fastify/cookie'; // augments request.cookies / reply.setCookie
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession, SessionStore } from '../auth/sessions.js';

export const SESSION_COOKIE = 'jit_session';

const resolved = new WeakMap<FastifyRequest, Promise<ActiveSession | undefined>>();

/** The request's session, looked up once per request. */
export function sessionOf(request: FastifyRequest, sessions: SessionStore): Promise<ActiveSession | undefined> {
  let pending = resolved.get(request);
  if (!pending) {
    pending = sessions.find(request.cookies[SESSION_COOKIE]);
    resolved.set(request, pending);
  }
  return pending;
}

/**
 * Signs a local user in: a fresh token replaces (and revokes) any session the
 * browser already had, so a token planted before login is worthless after it.
 */
export async function startSession(request: FastifyRequest, reply: FastifyReply, sessions: SessionStore, localUserId: string, provider: string, ttlSeconds: number): Promise<void> {
  await sessions.revoke(request.cookies[SESSION_COOKIE]);
  const { token } = await sessions.create(localUserId, provider, ttlSeconds);
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: ttlSeconds,
  });
  resolved.delete(request);
}

export async function endSession(request: FastifyRequest, reply: FastifyReply, sessions: SessionStore): Promise<void> {
  await sessions.revoke(request.cookies[SESSION_COOKIE]);
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
  resolved.delete(request);
}
