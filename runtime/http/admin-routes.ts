import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { relative } from 'node:path';
import { RuntimeErrors } from '../errcode.js';
import { isFullName } from '../ids.js';
import { localizeSchema } from '../loader/i18n.js';
import { fieldsOf, ScaffoldError, typeContract } from '../scaffold/schema.js';
import { createInstance, editInstanceConfig, readInstanceConfig, type WriteResult } from '../scaffold/write.js';
import type { HttpContext } from './context.js';
import { errorBody } from './http-errors.js';
import { localizedTexts, requestLocale } from './i18n/element-texts.js';
import type { Locale } from './i18n/locale.js';
import { ADMIN } from './route-policy.js';

/**
 * The admin page's API (every route for administrators only): element tree with diagnostics and roles,
 * creating and editing instances. What elements declare for the page (status, actions, views) is in admin-surface-routes.ts.
 */
export function adminRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const admin = { config: { policy: ADMIN } };

  server.get('/api/admin/tree', admin, async (request) => {
    const locale = requestLocale(ctx, request);
    return {
      ok: true,
      data: {
        app: { name: ctx.app.name, title: ctx.app.titleIn(locale), layers: ctx.app.layers.map((l) => l.name) },
        elements: ctx.app.listElements().map((e) => ({ ...e, ...localizedTexts(ctx, e.fullName, e, locale), roles: ctx.rolesOf(e.fullName) })),
        diagnostics: ctx.app.diagnostics,
      },
    };
  });

  // Creating and editing instances: the same schema-driven code as `jit new` (runtime/scaffold).
  server.get('/api/admin/types', admin, async (request) => {
    const meta = (request.query as { meta?: string }).meta;
    if (meta !== undefined && !isFullName(meta)) throw RuntimeErrors.INVALID_PARAMS.create({ problem: 'meta must be an element id.' });
    const types = ctx.app.listElements({ kind: 'type', ...(meta ? { type: meta } : {}) }).filter((t) => !t.quarantined);
    const locale = requestLocale(ctx, request);
    return {
      ok: true,
      data: types.flatMap((t) => {
        try {
          const contract = typeContract(ctx.app, t.fullName);
          const secretFields = fieldsOf(contract).filter((f) => f.secret).map((f) => f.name);
          // The form shows the schema's titles and descriptions in the request's language; the server validates with the file itself.
          const shown = { ...contract, ...localizedTexts(ctx, t.fullName, contract, locale), ...(contract.schema ? { schema: localizeSchema(contract.schema, locale) } : {}) };
          return [{ ...shown, layer: t.layer, secretFields }];
        } catch {
          return []; // a Type whose schema cannot be read cannot drive a form
        }
      }),
    };
  });

  const written = (result: WriteResult) => ({ fullName: result.fullName, files: result.files.map((f) => relative(ctx.app.dir, f)), env: result.env });

  server.post('/api/admin/elements', admin, async (request, reply) => {
    const body = (request.body ?? {}) as { fullName?: unknown; type?: unknown; title?: unknown; config?: unknown; secretsAsValues?: unknown };
    return scaffolding(reply, requestLocale(ctx, request), () => {
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

  server.get('/api/admin/elements/:fullName/config', admin, async (request, reply) => scaffolding(reply, requestLocale(ctx, request), () => readInstanceConfig(ctx.app, (request.params as { fullName: string }).fullName)));

  server.put('/api/admin/elements/:fullName/config', admin, async (request, reply) => {
    const body = (request.body ?? {}) as { config?: unknown; secretsAsValues?: unknown };
    return scaffolding(reply, requestLocale(ctx, request), () => written(editInstanceConfig(ctx.app, (request.params as { fullName: string }).fullName, body.config, { secretsAsValues: body.secretsAsValues === true })));
  });
}

/** Runs a scaffold step; a refusal is a 400 that names each field (`errors: [{ field, pointer, message }]`), its message in the request's language. */
function scaffolding(reply: FastifyReply, locale: Locale, step: () => unknown) {
  try {
    return { ok: true, data: step() };
  } catch (err) {
    if (!(err instanceof ScaffoldError)) throw err;
    return reply.code(400).send({ ok: false, ...errorBody(err, locale), errors: err.errors });
  }
}
