import type { FastifyRequest } from 'fastify';
import { localizedText, type I18nText } from '../../loader/i18n.js';
import { resolveI18n } from '../../loader/inherit.js';
import type { HttpContext } from '../context.js';
import { localeOf, type Locale } from './locale.js';

/** The language of a request as this server names its cookie (i18n/locale.ts): pages, admin data and login methods agree. */
export const requestLocale = (ctx: HttpContext, request: FastifyRequest): Locale => localeOf(request, ctx.cookies.name('lang'));

/** An element's title and description in `locale`: its i18n (resolved with what it overrides, loader/inherit.ts), else the English. */
export function localizedTexts(ctx: HttpContext, fullName: string, english: I18nText, locale: Locale): I18nText {
  const { title, description } = english;
  return localizedText({ ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}) }, resolveI18n(ctx.app.definitionsOf(fullName)), locale);
}

/** Just the title, falling back to the English one (or the id). */
export const localizedTitle = (ctx: HttpContext, fullName: string, title: string | undefined, locale: Locale): string =>
  localizedTexts(ctx, fullName, title !== undefined ? { title } : {}, locale).title ?? title ?? fullName;
