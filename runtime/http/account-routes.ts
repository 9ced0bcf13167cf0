import type { FastifyInstance } from 'fastify';
import type { HttpContext } from './context.js';
import { localizedTitle, requestLocale } from './i18n/element-texts.js';
import { PUBLIC } from './route-policy.js';
import { endSession } from './session.js';

/** Who am I, sign out, and which login methods this app offers. */
export function accountRoutes(server: FastifyInstance, ctx: HttpContext): void {
  server.get('/api/session', { config: { policy: PUBLIC } }, async (request) => {
    const session = await ctx.session(request);
    if (!session) return { ok: true, data: null };
    const { id, name, email, isAdmin } = session.user;
    return { ok: true, data: { user: { id, name, email, isAdmin }, provider: session.provider, expiresAt: session.expiresAt } };
  });

  server.post('/api/logout', { config: { policy: PUBLIC } }, async (request, reply) => {
    await endSession(request, reply, ctx);
    return { ok: true, data: null };
  });

  server.get('/api/login-methods', { config: { policy: PUBLIC } }, async (request) => ({
    ok: true,
    data: ctx.loginMethods().map((m) => {
      const title = localizedTitle(ctx, m.fullName, m.title, requestLocale(ctx, request));
      const typeId = ctx.app.explain(m.fullName)?.typeChain[0] ?? m.type;
      const hasPanel = ctx.app.inherited(typeId)?.frontendBundleEntry.value !== undefined;
      return { fullName: m.fullName, title, type: typeId, panel: hasPanel ? `/jit/element/${typeId}/panel.js` : null };
    }),
  }));
}
