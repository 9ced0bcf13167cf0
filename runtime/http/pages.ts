import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Code } from '../errcode.js';
import { statusFor } from './codes.js';
import type { HttpContext } from './context.js';
import { escapeHtml, page } from './html.js';
import { startSession } from './session.js';

/** One-time sign-in links made by `jit admin create` are login states of this provider. */
export const ADMIN_LINK_PROVIDER = 'jit.adminLink';

/** Where to go after signing in survives the provider round trip in this short-lived cookie. */
const NEXT_COOKIE = 'jit_next';

/**
 * Only a path on this site: "/admin" yes; "//evil.example", "/\\evil.example",
 * "https://evil.example", "javascript:…" no (an open redirect would let a phishing
 * link borrow this site's sign-in page).
 */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 512 || !value.startsWith('/') || value.startsWith('//') || /[\\\x00-\x1f]/.test(value)) return undefined;
  const base = 'http://self.invalid';
  const url = new URL(value, base);
  return url.origin === base ? url.pathname + url.search + url.hash : undefined;
}

interface DescribesUsers {
  describeUser(localUserId: string): Promise<{ name: string | null; avatar?: string | null; department?: string | null; position?: string | null } | undefined>;
}

/** The browser side: login page, OAuth callback, signed-in page, admin page. */
export function pageRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

  server.get('/', async (request, reply) => {
    const session = await ctx.session(request);
    if (!session) return reply.redirect('/login');
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

  server.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    if (next) reply.setCookie(NEXT_COOKIE, next, { path: '/login', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: 600 });
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
  server.get('/login/callback', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    try {
      if (query['error']) throw new Code(40301, query['error'] === 'access_denied' ? 'You declined the authorization.' : 'The provider refused the sign-in.', { reason: 'denied' });
      const state = query['state'] ?? '';
      const provider = await ctx.states.providerOf(state);
      if (!provider || !ctx.loginMethods().some((m) => m.fullName === provider)) throw new Code(40030, 'Login state rejected: it was not issued by this app. Start the login again.');
      const element = ctx.app.getElement<{ loginWithCode(p: { authCode: string; state: string }): Promise<{ localUserId: string }> }>(provider);
      const user = await element.loginWithCode({ authCode: query['code'] ?? '', state });
      await startSession(request, reply, ctx.sessions, user.localUserId, provider, ctx.sessionTtlSeconds);
      const next = safeNext(request.cookies[NEXT_COOKIE]);
      if (next) reply.clearCookie(NEXT_COOKIE, { path: '/login' });
      return reply.redirect(next ?? '/');
    } catch (err) {
      if (!Code.is(err)) throw err;
      return html(reply, failurePage(err), statusFor(err.code));
    }
  });

  server.get('/login/admin', async (request, reply) => {
    const token = (request.query as { token?: string }).token ?? '';
    try {
      const consumed = await ctx.states.consume(ADMIN_LINK_PROVIDER, token);
      await startSession(request, reply, ctx.sessions, consumed.subject!, ADMIN_LINK_PROVIDER, ctx.sessionTtlSeconds);
      return reply.redirect('/admin');
    } catch (err) {
      if (!Code.is(err)) throw err;
      return html(reply, failurePage(err), statusFor(err.code));
    }
  });

  server.get('/admin', async (request, reply) => {
    const session = await ctx.session(request);
    if (!session) return reply.redirect('/login?next=%2Fadmin');
    if (!session.user.isAdmin) return html(reply, failurePage(new Code(10403, 'This page needs an administrator.')), 403);
    return html(
      reply,
      page(
        `Administration — ${ctx.app.title}`,
        `<h1>Administration — ${escapeHtml(ctx.app.title)}</h1>
<p><a href="/">Home</a></p>
<section><h2>Elements</h2><div id="element-tree" data-testid="element-tree">Loading…</div></section>
<section><h2>Login methods</h2><div id="login-status" data-testid="login-status">Loading…</div></section>
<section><h2>Organization</h2><div id="org-tree" data-testid="org-tree">Run a department sync to see the organization.</div></section>`,
        { scripts: ['/jit/admin.js'] },
      ),
    );
  });
}

async function userCard(ctx: HttpContext, provider: string, localUserId: string) {
  try {
    const element = ctx.app.getElement<Partial<DescribesUsers>>(provider);
    return typeof element.describeUser === 'function' ? await element.describeUser(localUserId) : undefined;
  } catch {
    return undefined; // the provider may be gone (admin link, removed element): fall back to the local account
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
