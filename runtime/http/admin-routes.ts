import type { FastifyInstance, FastifyReply } from 'fastify';
import { relative } from 'node:path';
import { Code, RuntimeCodes } from '../errcode.js';
import { isFullName } from '../ids.js';
import { fieldsOf, ScaffoldError, typeContract } from '../scaffold/schema.js';
import { createInstance, editInstanceConfig, readInstanceConfig, type WriteResult } from '../scaffold/write.js';
import type { HttpContext } from './context.js';
import { ADMIN } from './route-policy.js';
import { SyncRuns, type SyncRun } from './sync-runs.js';

interface LoginAdminSurface {
  tokenStatus?(): { cached: boolean; expiresAt?: number };
  syncDepartmentInfo?(params: { deptId?: string; onProgress?: (p: object) => void }): Promise<void>;
  getOrgTree?(): Promise<unknown>;
}

/** The admin page's API (every route for administrators only): element tree with diagnostics, login status, syncs with live progress, the synced org. */
export function adminRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const runs = new SyncRuns(() => ctx.app.now());

  const admin = { config: { policy: ADMIN } };

  server.get('/api/admin/tree', admin, async () => ({
    ok: true,
    data: {
      app: { name: ctx.app.name, title: ctx.app.title, layers: ctx.app.layers.map((l) => l.name) },
      elements: ctx.app.listElements(),
      diagnostics: ctx.app.diagnostics,
    },
  }));

  server.get('/api/admin/logins', admin, async () => ({
    ok: true,
    data: ctx.loginMethods().map((m) => {
      const element = ctx.app.getElement<LoginAdminSurface>(m.fullName);
      return { fullName: m.fullName, title: m.title, token: element.tokenStatus?.() ?? null, canSync: typeof element.syncDepartmentInfo === 'function', lastSync: runs.lastFor(m.fullName) ?? null };
    }),
  }));

  server.post('/api/admin/sync', admin, async (request) => {
    const { instance, deptId } = (request.body ?? {}) as { instance?: unknown; deptId?: unknown };
    const element = typeof instance === 'string' && ctx.loginMethods().some((m) => m.fullName === instance) ? ctx.app.getElement<LoginAdminSurface>(instance) : undefined;
    if (!element?.syncDepartmentInfo) throw new Code(RuntimeCodes.INVALID_PARAMS, 'Name a login instance that can sync its organization.');
    if (deptId !== undefined && typeof deptId !== 'string') throw new Code(RuntimeCodes.INVALID_PARAMS, 'deptId must be a string.');
    const run = runs.start(instance as string, (onProgress) => element.syncDepartmentInfo!({ ...(deptId ? { deptId } : {}), onProgress }));
    return { ok: true, data: { runId: run.id } };
  });

  // Server-sent events: one "progress" event per update, then "end".
  server.get('/api/admin/sync/:runId/events', admin, (request, reply) => {
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

  // Creating and editing instances: the same schema-driven code as `jit new` (runtime/scaffold).
  server.get('/api/admin/types', admin, async (request) => {
    const meta = (request.query as { meta?: string }).meta;
    if (meta !== undefined && !isFullName(meta)) throw new Code(RuntimeCodes.INVALID_PARAMS, 'meta must be an element id.');
    const types = ctx.app.listElements({ kind: 'type', ...(meta ? { type: meta } : {}) }).filter((t) => !t.quarantined);
    return {
      ok: true,
      data: types.flatMap((t) => {
        try {
          const contract = typeContract(ctx.app, t.fullName);
          return [{ ...contract, layer: t.layer, secretFields: fieldsOf(contract).filter((f) => f.secret).map((f) => f.name) }];
        } catch {
          return []; // a Type whose schema cannot be read cannot drive a form
        }
      }),
    };
  });

  const written = (result: WriteResult) => ({ fullName: result.fullName, files: result.files.map((f) => relative(ctx.app.dir, f)), env: result.env });

  server.post('/api/admin/elements', admin, async (request, reply) => {
    const body = (request.body ?? {}) as { fullName?: unknown; type?: unknown; title?: unknown; config?: unknown; secretsAsValues?: unknown };
    return scaffolding(reply, () => {
      if (typeof body.fullName !== 'string') throw new ScaffoldError('fullName must be a string.', [{ field: 'fullName', pointer: '/fullName', message: 'required' }]);
      if (typeof body.type !== 'string') throw new ScaffoldError('type must be a string.', [{ field: 'type', pointer: '/type', message: 'required' }]);
      if (body.title !== undefined && typeof body.title !== 'string') throw new ScaffoldError('title must be a string.', [{ field: 'title', pointer: '/title', message: 'must be a string' }]);
      return written(
        createInstance(ctx.app, {
          fullName: body.fullName,
          type: body.type,
          config: (body.config ?? {}) as Record<string, unknown>,
          ...(body.title !== undefined ? { title: body.title as string } : {}),
          secretsAsValues: body.secretsAsValues === true,
        }),
      );
    });
  });

  server.get('/api/admin/elements/:fullName/config', admin, async (request, reply) => scaffolding(reply, () => readInstanceConfig(ctx.app, (request.params as { fullName: string }).fullName)));

  server.put('/api/admin/elements/:fullName/config', admin, async (request, reply) => {
    const body = (request.body ?? {}) as { config?: unknown; secretsAsValues?: unknown };
    return scaffolding(reply, () => written(editInstanceConfig(ctx.app, (request.params as { fullName: string }).fullName, body.config, { secretsAsValues: body.secretsAsValues === true })));
  });

  server.get('/api/admin/org', admin, async (request) => {
    const instance = (request.query as { instance?: string }).instance ?? '';
    const element = ctx.loginMethods().some((m) => m.fullName === instance) ? ctx.app.getElement<LoginAdminSurface>(instance) : undefined;
    if (!element?.getOrgTree) throw new Code(RuntimeCodes.INVALID_PARAMS, 'Name a login instance with a synced organization.');
    return { ok: true, data: await element.getOrgTree() };
  });
}

/** Runs a scaffold step; a refusal is a 400 that names each field (`errors: [{ field, pointer, message }]`). */
function scaffolding(reply: FastifyReply, step: () => unknown) {
  try {
    return { ok: true, data: step() };
  } catch (err) {
    if (!(err instanceof ScaffoldError)) throw err;
    return reply.code(400).send({ ok: false, code: err.code, message: err.message, errors: err.errors });
  }
}
