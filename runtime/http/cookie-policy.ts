import type {} from '@fastify/cookie'; // augments reply.setCookie
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOCALE_COOKIE } from './i18n/locale.js';

/** The cookies this server sets, by role; `lang` is the pages' language (i18n/locale.ts), kept a year. */
export type CookieRole = 'session' | 'browserBinding' | 'next' | 'lang';

const BASE_NAMES: Record<CookieRole, string> = { session: 'jit_session', browserBinding: 'jit_login', next: 'jit_next', lang: LOCALE_COOKIE };

/**
 * How cookies are named and flagged, decided once per server:
 *
 *   public URL   │ name              │ Secure        │ Path │ SameSite │ HttpOnly
 *   ─────────────┼───────────────────┼───────────────┼──────┼──────────┼─────────
 *   https://…    │ __Host-jit_<role> │ always        │ /    │ Lax      │ yes
 *   http://… or  │ jit_<role>        │ when the      │ /    │ Lax      │ yes
 *   none         │                   │ request is    │      │          │
 *                │                   │ https (TLS or │      │          │
 *                │                   │ trusted proxy)│      │          │
 *
 * `__Host-` makes the browser refuse the cookie unless it is Secure, host-only
 * and Path=/, so a sibling subdomain or a plain-http page cannot plant or
 * shadow it. Every role gets the same flags, the language too: no script of
 * ours reads it (a page knows its language from <html lang>), so it may as
 * well be HttpOnly. Lax: the provider's redirect back (a top-level GET) carries the
 * cookies; a cross-site POST does not.
 */
export class CookiePolicy {
  private readonly httpsOnly: boolean;

  constructor(publicUrl: URL | undefined) {
    this.httpsOnly = publicUrl?.protocol === 'https:';
  }

  name(role: CookieRole): string {
    return this.httpsOnly ? `__Host-${BASE_NAMES[role]}` : BASE_NAMES[role];
  }

  read(request: FastifyRequest, role: CookieRole): string | undefined {
    return request.cookies[this.name(role)];
  }

  set(request: FastifyRequest, reply: FastifyReply, role: CookieRole, value: string, maxAgeSeconds: number): void {
    reply.setCookie(this.name(role), value, { ...this.flags(request), maxAge: maxAgeSeconds });
  }

  clear(request: FastifyRequest, reply: FastifyReply, role: CookieRole): void {
    reply.clearCookie(this.name(role), this.flags(request));
  }

  private flags(request: FastifyRequest): CookieSerializeOptions {
    return { path: '/', httpOnly: true, sameSite: 'lax', secure: this.httpsOnly || request.protocol === 'https' };
  }
}
