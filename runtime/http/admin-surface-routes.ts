import type { FastifyInstance } from 'fastify';
import { adminOf, adminParamsProblem, statusLinesOf, textIn, type AdminAction, type AdminDeclaration, type AdminLocale, type AdminView } from '../declarations/admin.js';
import { Code, messageIn, RuntimeErrors } from '../errcode.js';
import { localizedTitle, requestLocale } from './i18n/element-texts.js';
import { drawView } from './admin-views.js';
import { HttpErrors } from './http-errors.js';
import type { HttpContext } from './context.js';
import { ADMIN } from './route-policy.js';
import { SyncRuns, type SyncRun } from './sync-runs.js';

/**
 * What Types declare for the admin page (`static admin`, runtime/declarations/admin.ts),
 * for administrators only:
 *
 *   GET  /api/admin/logins                                  login instances, each with its declared status lines, actions, views
 *   POST /api/admin/elements/:fullName/actions/:action      start a declared action, body { params? } → { runId }
 *   GET  /api/admin/runs/:runId/events                      its progress as server-sent events ("progress"…, then "end")
 *   GET  /api/admin/elements/:fullName/views/:view          a declared view → { kind: 'tree', nodes } | { kind: 'table', columns, rows }
 *
 * Every declared text reaches the page in the request's language (requestLocale:
 * the language cookie, else Accept-Language); an action's progress lines in the
 * language of the request that started it.
 *
 * Only declared methods are called; an undeclared one is 404 whether or not
 * the class has it. Declarations are read from the instance's Type at request
 * time, so a reload that changes them is served at once.
 */
export function adminSurfaceRoutes(server: FastifyInstance, ctx: HttpContext): void {
  const runs = new SyncRuns(() => ctx.app.now());
  const admin = { config: { policy: ADMIN } };

  server.get('/api/admin/logins', admin, async (request) => {
    const locale = requestLocale(ctx, request);
    return {
      ok: true,
      data: await Promise.all(
        ctx.loginMethods().map(async (m) => {
          const declared = adminOf(ctx.classOf(m.fullName)) ?? {};
          return {
            fullName: m.fullName,
            title: localizedTitle(ctx, m.fullName, m.title, locale),
            type: m.type,
            status: await statusLines(ctx, m.fullName, declared, locale),
            actions: (declared.actions ?? []).map((a) => ({
              method: a.method,
              title: textIn(a.title, locale),
              params: a.params === true,
              button: a.button !== false,
              progress: a.progress === true,
              refreshes: a.refreshes ?? [],
              lastRun: runs.lastFor(m.fullName, a.method) ?? null,
            })),
            views: (declared.views ?? []).map((v) => ({ method: v.method, title: textIn(v.title, locale), kind: v.tree ? 'tree' : 'table', empty: v.empty === undefined ? null : textIn(v.empty, locale) })),
          };
        }),
      ),
    };
  });

  // Params are a few short scalars (a table row's event id, …): the body is capped well below the server's limit.
  server.post('/api/admin/elements/:fullName/actions/:action', { ...admin, bodyLimit: ACTION_BODY_LIMIT }, async (request) => {
    const { fullName, action: name } = request.params as { fullName: string; action: string };
    const action = declared(ctx, fullName, (d) => d.actions?.find((a) => a.method === name), `an action "${name}"`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'params')) throw RuntimeErrors.INVALID_PARAMS.create({ problem: 'The body is { "params": { … } } (params optional).' });
    const params = actionParams(ctx, fullName, action, body['params']);
    const element = ctx.app.getElement<Record<string, (p: object) => Promise<unknown>>>(fullName);
    const locale = requestLocale(ctx, request);
    const run = runs.start(
      { instance: fullName, action: action.method },
      (onProgress) => element[action.method]!.call(element, action.progress ? { ...params, onProgress } : params),
      action.text ? (progress, status) => textIn(action.text!(progress, status, locale), locale) : undefined,
    );
    return { ok: true, data: { runId: run.id } };
  });

  // Server-sent events: one "progress" event per update, then "end".
  server.get('/api/admin/runs/:runId/events', admin, (request, reply) => {
    const run = runs.get((request.params as { runId: string }).runId);
    if (!run) throw RuntimeErrors.INVALID_PARAMS.create({ problem: 'No such run.' });
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

  server.get('/api/admin/elements/:fullName/views/:view', admin, async (request) => {
    const { fullName, view: name } = request.params as { fullName: string; view: string };
    const view: AdminView = declared(ctx, fullName, (d) => d.views?.find((v) => v.method === name), `a view "${name}"`);
    const element = ctx.app.getElement<Record<string, () => unknown>>(fullName);
    return { ok: true, data: drawView(view, adminOf(ctx.classOf(fullName)) ?? {}, await element[view.method]!.call(element), requestLocale(ctx, request)) };
  });
}

/** The declared part of a live instance's admin surface; 404 when the instance or the declaration is not there. */
function declared<T>(ctx: HttpContext, fullName: string, pick: (d: AdminDeclaration) => T | undefined, what: string): T {
  const info = ctx.app.getElementDefine(fullName);
  const found = info?.kind === 'instance' ? pick(adminOf(ctx.classOf(fullName)) ?? {}) : undefined;
  if (found === undefined) throw HttpErrors.METHOD_NOT_FOUND.create({ problem: `No instance "${fullName.slice(0, 200)}" with ${what.slice(0, 120)} for the admin page.` });
  return found;
}

const ACTION_BODY_LIMIT = 16 * 1024;

/**
 * An action's params: a flat object of scalars, only for an action declaring `params: true`, and then
 * checked like an HTTP call when the functionList lists the method. No params (absent or {}) is always fine.
 */
function actionParams(ctx: HttpContext, fullName: string, action: AdminAction, params: unknown): Record<string, unknown> {
  if (params === undefined) params = {};
  const problem = adminParamsProblem(params);
  if (problem) throw RuntimeErrors.INVALID_PARAMS.create({ problem });
  if (Object.keys(params as object).length > 0 && action.params !== true) {
    throw RuntimeErrors.INVALID_PARAMS.create({ problem: `The admin action "${action.method}" takes no params: its declaration does not say params: true.` });
  }
  const spec = ctx.app.functionList(fullName).find((f) => f.name === action.method);
  return spec ? ctx.params.validate(spec, params) : { ...(params as object) };
}

/** The declared status lines, in order; lines naming one method share its answer. A failure is shown, not thrown (the page lists every instance). */
async function statusLines(ctx: HttpContext, fullName: string, declaration: AdminDeclaration, locale: AdminLocale) {
  const answers = new Map<string, Promise<unknown>>();
  const answer = (method: string) => {
    if (!answers.has(method)) {
      answers.set(method, (async () => {
        const element = ctx.app.getElement<Record<string, () => unknown>>(fullName);
        return element[method]!.call(element);
      })());
    }
    return answers.get(method)!;
  };
  return Promise.all(
    statusLinesOf(declaration).map(async (status) => {
      const title = textIn(status.title, locale);
      try {
        const value = await answer(status.method);
        return { method: status.method, title, text: status.text ? textIn(status.text(value, locale), locale) : JSON.stringify(value), value: value ?? null };
      } catch (err) {
        const { unavailable, failedToAnswer } = UNAVAILABLE[locale];
        return { method: status.method, title, text: `${unavailable}${Code.is(err) ? messageIn(err, locale) : failedToAnswer}`, value: null };
      }
    }),
  );
}

/** A status line whose method failed: the runtime's own words, not the element's. */
const UNAVAILABLE: Record<AdminLocale, { unavailable: string; failedToAnswer: string }> = {
  en: { unavailable: 'unavailable: ', failedToAnswer: 'the element failed to answer' },
  'zh-CN': { unavailable: '不可用：', failedToAnswer: '元素未能应答' },
};
