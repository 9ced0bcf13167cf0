import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthErrors } from '../auth/auth-errors.js';
import { Code, messageIn, phrase, RuntimeErrors, statusFor } from '../errcode.js';
import { HttpCodes } from './http-errors.js';
import type { HttpContext } from './context.js';
import { escapeHtml, page, tHtml, type PageView } from './html.js';
import { callingBrowser } from './browser-binding.js';
import { loadClientDictionaries } from './i18n/client-dictionaries.js';
import { localizedTitle } from './i18n/element-texts.js';
import { isLocale, LOCALE_MAX_AGE_SECONDS, localeOf, type Locale } from './i18n/locale.js';
import { t, type PlainTextKey } from './i18n/page-text.js';
import { ADMIN_PAGE, PUBLIC_PAGE, SIGNED_IN_PAGE, SIGN_IN_PAGE } from './route-policy.js';
import { startSession } from './session.js';

/** One-time sign-in links made by `jit admin create` are login states of this provider. */
export const ADMIN_LINK_PROVIDER = 'jit.adminLink';

/** How long "where to go after signing in" survives the provider round trip (the `next` cookie). */
const NEXT_MAX_AGE_SECONDS = 600;

/**
 * Only a path on this site: "/admin" yes; "//evil.example", "/\\evil.example",
 * "https://evil.example", "javascript:…" no (an open redirect would let a phishing
 * link borrow this site's sign-in page).
 */
export function safeNext(value: unknown): string | undefined {
  if (!isSameSitePath(value) || value.length > 512) return undefined;
  const base = 'http://self.invalid';
  const url = new URL(value, base);
  const normalised = url.pathname + url.search + url.hash;
  // Checked again after normalisation: "/.//evil.example" becomes "//evil.example".
  return url.origin === base && isSameSitePath(normalised) ? normalised : undefined;
}

const isSameSitePath = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !/[\\\x00-\x1f]/.test(value);

/**
 * How this server draws a page for a request: in the request's language (i18n/locale.ts: the
 * remembered choice, else Accept-Language), with the switch that comes back to the page and the
 * client dictionary of that language (read once, here, when the server starts).
 */
export class Pages {
  private readonly dictionaries = loadClientDictionaries();

  constructor(private readonly ctx: HttpContext) {}

  locale(request: FastifyRequest): Locale {
    return localeOf(request, this.ctx.cookies.name('lang'));
  }

  /** `path`: where the language switch returns; by default this very page. */
  view(request: FastifyRequest, path: string = safeNext(request.url) ?? '/'): PageView {
    const locale = this.locale(request);
    return { locale, path, dictionary: this.dictionaries[locale] };
  }

  send(reply: FastifyReply, html: string, status = 200): FastifyReply {
    return reply.code(status).type('text/html; charset=utf-8').header('vary', 'Accept-Language, Cookie').send(html);
  }

  /**
   * An error page in the request's language: `signIn` for a failed sign-in (the callback, an admin
   * link: retry from /login, and the switch goes there too, never back to a URL holding a used code
   * or token), `page` for a page this browser may not see or asked for wrongly (the switch returns
   * to `path`, by default the page itself).
   */
  failure(request: FastifyRequest, reply: FastifyReply, error: Code, kind: 'signIn' | 'page', path?: string): FastifyReply {
    const view = this.view(request, kind === 'signIn' ? '/login' : path);
    const { locale } = view;
    const heading = t(locale, kind === 'signIn' ? 'failure.signIn' : 'failure.page');
    const link = kind === 'signIn' ? `<a href="/login" data-testid="retry">${escapeHtml(t(locale, 'failure.retry'))}</a>` : `<a href="/" data-testid="home">${escapeHtml(t(locale, 'failure.home'))}</a>`;
    const html = page(
      view,
      heading,
      `<section class="card error" data-testid="login-error">
  <h1>${escapeHtml(heading)}</h1>
  <p data-testid="error-message">${escapeHtml(messageIn(error, locale))}</p>
  <p class="code">${tHtml(locale, 'failure.code', { code: `<span data-testid="error-code">${error.code}</span>` })}</p>
  <p>${link}</p>
</section>`,
    );
    return this.send(reply, html, statusFor(error.code));
  }

  /**
   * A page route's refusal: not signed in → the login page, coming back here afterwards; otherwise an
   * error page — a sign-in failure on a sign-in route (the sign-in limit on the callback), whose URL
   * holds a code or token the page must not repeat.
   */
  refuse(request: FastifyRequest, reply: FastifyReply, refusal: Code): FastifyReply {
    if (refusal.code === HttpCodes.NOT_SIGNED_IN) {
      const here = safeNext(request.url);
      return reply.redirect(here && here !== '/' ? `/login?next=${encodeURIComponent(here)}` : '/login');
    }
    const policy = request.routeOptions.config.policy;
    const signIn = policy !== undefined && !('resolve' in policy) && policy.signIn === true;
    return this.failure(request, reply, refusal, signIn ? 'signIn' : 'page');
  }
}

/** The browser side: login page, OAuth callback, signed-in page, admin page, and the language switch. */
export function pageRoutes(server: FastifyInstance, ctx: HttpContext, pages: Pages): void {
  server.get('/', { config: { policy: SIGNED_IN_PAGE } }, async (request, reply) => {
    const session = (await ctx.session(request))!;
    const card = await userCard(ctx, session.provider, session.user.id);
    const view = pages.view(request);
    const { locale } = view;
    const name = card?.name ?? session.user.name ?? t(locale, 'signedIn.you');
    const text = (key: PlainTextKey) => escapeHtml(t(locale, key));
    return pages.send(
      reply,
      page(
        view,
        t(locale, 'signedIn.title', { app: ctx.app.titleIn(locale) }),
        `<section class="card" data-testid="signed-in">
  ${card?.avatar ? `<img class="avatar" src="${escapeHtml(card.avatar)}" alt="" width="72" height="72">` : ''}
  <h1>${tHtml(locale, 'signedIn.heading', { name: `<span data-testid="user-name">${escapeHtml(name)}</span>` })}</h1>
  <dl>
    <dt>${text('signedIn.department')}</dt><dd data-testid="user-department">${escapeHtml(card?.department ?? '—')}</dd>
    <dt>${text('signedIn.position')}</dt><dd data-testid="user-position">${escapeHtml(card?.position ?? '—')}</dd>
    <dt>${text('signedIn.method')}</dt><dd>${escapeHtml(localizedTitle(ctx, session.provider, ctx.app.getElementDefine(session.provider)?.title, locale))}</dd>
  </dl>
  <p>${session.user.isAdmin ? `<a href="/admin" data-testid="admin-link">${text('signedIn.admin')}</a> · ` : ''}<button type="button" id="logout" data-testid="logout">${text('signedIn.signOut')}</button></p>
</section>`,
        { scripts: ['/jit/home.js'] },
      ),
    );
  });

  server.get('/login', { config: { policy: PUBLIC_PAGE } }, async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    if (next) ctx.cookies.set(request, reply, 'next', next, NEXT_MAX_AGE_SECONDS);
    // The browser binding exists before the panels ask for states: two panels asking at once would otherwise
    // each mint one, and the browser would keep only the last, orphaning the other panel's states.
    callingBrowser(request, reply, ctx.cookies).binding();
    const view = pages.view(request);
    const { locale } = view;
    return pages.send(
      reply,
      page(
        view,
        t(locale, 'login.title', { app: ctx.app.titleIn(locale) }),
        `<h1>${escapeHtml(t(locale, 'login.heading', { app: ctx.app.titleIn(locale) }))}</h1>
<div id="login-methods" data-testid="login-methods"><p>${escapeHtml(t(locale, 'login.loading'))}</p></div>`,
        { scripts: ['/jit/login.js'] },
      ),
    );
  });

  // Where Feishu (or another provider) sends the browser back. The state says which login instance issued it.
  server.get('/login/callback', { config: { policy: SIGN_IN_PAGE } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    try {
      if (query['error']) {
        const why = query['error'] === 'access_denied' ? phrase('You declined the authorization.', '你拒绝了授权。') : phrase('The provider refused the sign-in.', '登录服务拒绝了此次登录。');
        throw AuthErrors.LOGIN_NOT_ALLOWED.create({ why }, { reason: 'denied' });
      }
      const state = query['state'] ?? '';
      const provider = await ctx.states.providerOf(state);
      const element = provider ? ctx.loginElement(provider) : undefined;
      if (!provider || !element) throw AuthErrors.INVALID_STATE.create({ why: phrase('it was not issued by this app', '它不是本应用签发的') });
      // The state must come back to the browser it was issued to (its binding cookie), or this is someone else's login.
      const user = await element.loginWithCode({ authCode: query['code'] ?? '', state }, { browser: callingBrowser(request, reply, ctx.cookies) });
      await startSession(request, reply, ctx, user.localUserId, provider);
      const next = safeNext(ctx.cookies.read(request, 'next'));
      if (next) ctx.cookies.clear(request, reply, 'next');
      return reply.redirect(next ?? '/');
    } catch (err) {
      if (!Code.is(err)) throw err;
      return pages.failure(request, reply, err, 'signIn');
    }
  });

  server.get('/login/admin', { config: { policy: SIGN_IN_PAGE } }, async (request, reply) => {
    const token = (request.query as { token?: string }).token ?? '';
    try {
      const consumed = await ctx.states.consume(ADMIN_LINK_PROVIDER, token);
      await startSession(request, reply, ctx, consumed.subject!, ADMIN_LINK_PROVIDER);
      return reply.redirect('/admin');
    } catch (err) {
      if (!Code.is(err)) throw err;
      return pages.failure(request, reply, err, 'signIn');
    }
  });

  server.get('/admin', { config: { policy: ADMIN_PAGE } }, async (request, reply) => {
    const view = pages.view(request);
    const { locale } = view;
    const text = (key: PlainTextKey) => escapeHtml(t(locale, key));
    return pages.send(
      reply,
      page(
        view,
        t(locale, 'admin.title', { app: ctx.app.titleIn(locale) }),
        `<h1>${escapeHtml(t(locale, 'admin.heading', { app: ctx.app.titleIn(locale) }))}</h1>
<p><a href="/">${text('admin.home')}</a></p>
<section><h2>${text('admin.elements')}</h2><div id="element-tree" data-testid="element-tree">${text('admin.loading')}</div></section>
<section><h2>${text('admin.logins')}</h2><div id="login-status" data-testid="login-status">${text('admin.loading')}</div></section>
<div id="admin-views" data-testid="admin-views"></div>`,
        { scripts: ['/jit/admin.js'] },
      ),
    );
  });

  // The language switch on every page: remember the choice, go back where the browser was (only ever a path on this site).
  server.get('/jit/lang/:locale', { config: { policy: PUBLIC_PAGE } }, async (request, reply) => {
    const { locale } = request.params as { locale: string };
    const next = safeNext((request.query as { next?: unknown }).next) ?? '/';
    if (!isLocale(locale)) {
      const shown = locale.slice(0, 32);
      const problem = phrase(`There is no language "${shown}" here; choose en or zh-CN.`, `没有“${shown}”这种语言；请选择 en 或 zh-CN。`);
      return pages.failure(request, reply, RuntimeErrors.INVALID_PARAMS.create({ problem }), 'page', next);
    }
    ctx.cookies.set(request, reply, 'lang', locale, LOCALE_MAX_AGE_SECONDS);
    return reply.header('cache-control', 'no-store').redirect(next);
  });
}

/** What the login instance that signed the user in knows of them; nothing when it is gone (admin link, removed element). */
async function userCard(ctx: HttpContext, provider: string, localUserId: string) {
  try {
    return await ctx.loginElement(provider)?.describeUser(localUserId);
  } catch {
    return undefined; // the provider failed to answer: fall back to the local account
  }
}
