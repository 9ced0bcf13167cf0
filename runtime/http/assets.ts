import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { isFullName } from '../ids.js';
import { resolveInsideElement } from '../loader/modules.js';
import { HttpErrors } from './http-errors.js';
import type { HttpContext } from './context.js';
import { PUBLIC } from './route-policy.js';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * Static browser code: the runtime's own (/jit/*.js, read once at start) and
 * each Type's frontend bundle (/jit/element/<TypeId>/panel.js) — exactly the
 * file its inherited `frontendBundleEntry` names (loader/inherit.ts), resolved
 * inside the folder of the definition that declares it; no other path is served.
 */
export function assetRoutes(server: FastifyInstance, ctx: HttpContext): void {
  for (const name of ['api.js', 'login.js', 'home.js', 'admin.js', 'admin-surface.js', 'style.css']) {
    const body = readFileSync(new URL(name, PUBLIC_DIR), 'utf8');
    server.get(`/jit/${name}`, { config: { policy: PUBLIC } }, async (_request, reply) => reply.type(TYPES[name.split('.').pop()!]!).header('cache-control', 'no-cache').send(body));
  }

  server.get('/jit/element/:typeId/panel.js', { config: { policy: PUBLIC } }, async (request, reply) => {
    const { typeId } = request.params as { typeId: string };
    const bundle = isFullName(typeId) ? ctx.app.inherited(typeId)?.frontendBundleEntry : undefined;
    const located = bundle?.value !== undefined && bundle.from ? resolveInsideElement(bundle.from, bundle.value, 'frontendBundleEntry') : undefined;
    if (!located || !('file' in located)) throw HttpErrors.METHOD_NOT_FOUND.create({ problem: 'No such browser module.' });
    return reply.type(TYPES['js']!).header('cache-control', 'no-cache').send(readFileSync(located.file, 'utf8'));
  });
}
