import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthErrors } from '../auth/auth-errors.js';
import { Code, statusFor } from '../errcode.js';
import { HttpCodes } from './http-errors.js';
import type { HttpContext } from './context.js';
import { escapeHtml, page } from './html.js';
import { callingBrowser } from './browser-binding.js';
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

/** The browser side: login page, OAuth callback, signed-in page, admin page. */
export function pageRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

  server.get('/', { config: { policy: SIGNED_IN_PAGE } }, async (request, reply) => {
    const session = (await ctx.session(request))!;
    const card = await userCard(ctx, session.provider, session.user.id);
    const name = card?.name ?? session.user.name ?? 'you';
    return html(
      reply,
      page(
        `Signed in — ${ctx.app.title}`,
        `<section class="card" data-testid="signed-in">
  ${card?.avatar ? `<img class="avatar" src="${escapeHtml(card.avatar)}" alt="" width="72" height="72">` : ''}
  <h1>Signed in as <span data-testid="user-name">${escapeHtml(name)}</span></h1>
  <dl>
    <dt>Department</dt><dd data-testid="user-department">${escapeHtml(card?.department ?? '—')}</dd>
    <dt>Position</dt><dd data-testid="user-position">${escapeHtml(card?.position ?? '—')}</dd>
    <dt>Signed in with</dt><dd>${escapeHtml(ctx.app.getElementDefine(session.provider)?.title ?? session.provider)}</dd>
  </dl>
  <p>${session.user.isAdmin ? '<a href="/admin" data-testid="admin-link">Administration</a> · ' : ''}<button type="button" id="logout" data-testid="logout">Sign out</button></p>
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
    return html(
      reply,
      page(
        `Sign in — ${ctx.app.title}`,
        `<h1>Sign in to ${escapeHtml(ctx.app.title)}</h1>
<div id="login-methods" data-testid="login-methods"><p>Loading sign-in methods…</p></div>`,
        { scripts: ['/jit/login.js'] },
      ),
    );
  });

  // Where Feishu (or another provider) sends the browser back. The state says which login instance issued it.
  server.get('/login/callback', { config: { policy: SIGN_IN_PAGE } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    try {
      if (query['error']) throw AuthErrors.LOGIN_NOT_ALLOWED.create({ why: query['error'] === 'access_denied' ? 'You declined the authorization.' : 'The provider refused the sign-in.' }, { reason: 'denied' });
      const state = query['state'] ?? '';
      const provider = await ctx.states.providerOf(state);
      const element = provider ? ctx.loginElement(provider) : undefined;
      if (!provider || !element) throw AuthErrors.INVALID_STATE.create({ why: 'it was not issued by this app' });
      // The state must come back to the browser it was issued to (its binding cookie), or this is someone else's login.
      const user = await element.loginWithCode({ authCode: query['code'] ?? '', state }, { browser: callingBrowser(request, reply, ctx.cookies) });
      await startSession(request, reply, ctx, user.localUserId, provider);
      const next = safeNext(ctx.cookies.read(request, 'next'));
      if (next) ctx.cookies.clear(request, reply, 'next');
      return reply.redirect(next ?? '/');
    } catch (err) {
      if (!Code.is(err)) throw err;
      return html(reply, failurePage(err), statusFor(err.code));
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
      return html(reply, failurePage(err), statusFor(err.code));
    }
  });

  server.get('/admin', { config: { policy: ADMIN_PAGE } }, async (_request, reply) =>
    html(
      reply,
      page(
        `Administration — ${ctx.app.title}`,
        `<h1>Administration — ${escapeHtml(ctx.app.title)}</h1>
<p><a href="/">Home</a></p>
<section><h2>Elements</h2><div id="element-tree" data-testid="element-tree">Loading…</div></section>
<section><h2>Login methods</h2><div id="login-status" data-testid="login-status">Loading…</div></section>
<div id="admin-views" data-testid="admin-views"></div>`,
        { scripts: ['/jit/admin.js'] },
      ),
    ),
  );
}

/** A page route's refusal: not signed in → the login page, coming back here afterwards; otherwise an error page. */
export function refusePage(request: FastifyRequest, reply: FastifyReply, refusal: Code): FastifyReply {
  if (refusal.code === HttpCodes.NOT_SIGNED_IN) {
    const here = safeNext(request.url);
    return reply.redirect(here && here !== '/' ? `/login?next=${encodeURIComponent(here)}` : '/login');
  }
  return reply.code(statusFor(refusal.code)).type('text/html; charset=utf-8').send(failurePage(refusal));
}

/** What the login instance that signed the user in knows of them; nothing when it is gone (admin link, removed element). */
async function userCard(ctx: HttpContext, provider: string, localUserId: string) {
  try {
    return await ctx.loginElement(provider)?.describeUser(localUserId);
  } catch {
    return undefined; // the provider failed to answer: fall back to the local account
  }
}

function failurePage(error: Code): string {
  return page(
    'Sign-in failed',
    `<section class="card error" data-testid="login-error">
  <h1>Sign-in failed</h1>
  <p data-testid="error-message">${escapeHtml(error.message)}</p>
  <p class="code">Code <span data-testid="error-code">${error.code}</span></p>
  <p><a href="/login" data-testid="retry">Try again</a></p>
</section>`,
  );
}
