import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';

/**
 * The languages the runtime's pages speak, and how a request picks one:
 *
 *   the `jit_lang` cookie (set by the switch on every page, GET /jit/lang/<locale>)  → that language
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

/** The locale of this request (see the header). */
export function localeOf(request: Pick<FastifyRequest, 'headers'> & { cookies?: Record<string, string | undefined> }): Locale {
  const chosen = request.cookies?.[LOCALE_COOKIE];
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
