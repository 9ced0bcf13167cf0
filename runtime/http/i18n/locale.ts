import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';

/**
 * The languages the runtime's pages speak, and how a request picks one:
 *
 *   the `jit_lang` cookie (set by the switch on every page, GET /jit/lang/<locale>;  → that language
 *   `__Host-jit_lang` under an https public URL, cookie-policy.ts)
 *   else the browser's Accept-Language, negotiated (negotiator: q-values, zh → zh-CN) → the best match
 *   else                                                                              → English
 *
 * Codes never change with the language; only their messages and the pages' words do.
 */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';
export const LOCALE_COOKIE = 'jit_lang';

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

/** How long the choice is remembered: a preference, not a secret. */
export const LOCALE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * The locale of this request (see the header). `cookieName` is the server's name for the choice
 * (CookiePolicy.name('lang')). A request fastify refused before its hooks ran has no parsed
 * cookies yet (a malformed URL): its Cookie header is read here.
 */
export function localeOf(request: Pick<FastifyRequest, 'headers'> & { cookies?: Record<string, string | undefined> }, cookieName: string = LOCALE_COOKIE): Locale {
  const chosen = request.cookies ? request.cookies[cookieName] : cookieFromHeader(request.headers.cookie, cookieName);
  if (isLocale(chosen)) return chosen;
  return negotiate(request.headers['accept-language']);
}

/** Accept-Language → a locale we speak; any Chinese (zh, zh-Hans, zh-TW…) reads as zh-CN, the only Chinese we have. */
export function negotiate(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return DEFAULT_LOCALE;
  // Each Chinese range is offered as zh-CN with the q it came with, so "zh;q=0.9, en;q=0.8" picks Chinese.
  const normalised = header.replace(/\bzh(-[A-Za-z0-9]+)*/g, 'zh-CN');
  const best = new Negotiator({ headers: { 'accept-language': normalised } }).language([...LOCALES]);
  return isLocale(best) ? best : DEFAULT_LOCALE;
}

/** One cookie's value from a raw Cookie header; a locale is plain ASCII, so no decoding is needed to recognise one. */
function cookieFromHeader(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
