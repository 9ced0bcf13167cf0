import type { FastifyInstance } from 'fastify';
import { Code, RuntimeCodes } from '../errcode.js';
import type { HttpContext } from './context.js';
import { SyncRuns, type SyncRun } from './sync-runs.js';

interface LoginAdminSurface {
  tokenStatus?(): { cached: boolean; expiresAt?: number };
  syncDepartmentInfo?(params: { deptId?: string; onProgress?: (p: object) => void }): Promise<void>;
  getOrgTree?(): Promise<unknown>;
}

/** The admin page's API: element tree with diagnostics, login status, syncs with live progress, the synced org. */
export function adminRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const runs = new SyncRuns(() => ctx.app.now());

  server.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/admin/')) await ctx.authorize(request, 'admin');
  });

  server.get('/api/admin/tree', async () => ({
    ok: true,
    data: {
      app: { name: ctx.app.name, title: ctx.app.title, layers: ctx.app.layers.map((l) => l.name) },
      elements: ctx.app.listElements(),
      diagnostics: ctx.app.diagnostics,
    },
  }));

  server.get('/api/admin/logins', async () => ({
    ok: true,
    data: ctx.loginMethods().map((m) => {
      const element = ctx.app.getElement<LoginAdminSurface>(m.fullName);
      return { fullName: m.fullName, title: m.title, token: element.tokenStatus?.() ?? null, canSync: typeof element.syncDepartmentInfo === 'function', lastSync: runs.lastFor(m.fullName) ?? null };
    }),
  }));

  server.post('/api/admin/sync', async (request) => {
    const { instance, deptId } = (request.body ?? {}) as { instance?: unknown; deptId?: unknown };
    const element = typeof instance === 'string' && ctx.loginMethods().some((m) => m.fullName === instance) ? ctx.app.getElement<LoginAdminSurface>(instance) : undefined;
    if (!element?.syncDepartmentInfo) throw new Code(RuntimeCodes.INVALID_PARAMS, 'Name a login instance that can sync its organization.');
    if (deptId !== undefined && typeof deptId !== 'string') throw new Code(RuntimeCodes.INVALID_PARAMS, 'deptId must be a string.');
    const run = runs.start(instance as string, (onProgress) => element.syncDepartmentInfo!({ ...(deptId ? { deptId } : {}), onProgress }));
    return { ok: true, data: { runId: run.id } };
  });

  // Server-sent events: one "progress" event per update, then "end".
  server.get('/api/admin/sync/:runId/events', (request, reply) => {
    const run = runs.get((request.params as { runId: string }).runId);
    if (!run) throw new Code(RuntimeCodes.INVALID_PARAMS, 'No such sync run.');
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (r: SyncRun) => {
      out.write(`event: progress\ndata: ${JSON.stringify(r)}\n\n`);
      if (r.status !== 'running') {
        out.end('event: end\ndata: {}\n\n');
        unsubscribe();
      }
    };
    const unsubscribe = runs.subscribe(run.id, send);
    request.raw.on('close', unsubscribe);
    send(run);
  });

  server.get('/api/admin/org', async (request) => {
    const instance = (request.query as { instance?: string }).instance ?? '';
    const element = ctx.loginMethods().some((m) => m.fullName === instance) ? ctx.app.getElement<LoginAdminSurface>(instance) : undefined;
    if (!element?.getOrgTree) throw new Code(RuntimeCodes.INVALID_PARAMS, 'Name a login instance with a synced organization.');
    return { ok: true, data: await element.getOrgTree() };
  });
}
