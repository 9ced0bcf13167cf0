import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { isFullName } from '../ids.js';
import { resolveInsideElement } from '../loader/modules.js';
import { HttpErrors } from './http-errors.js';
import type { HttpContext } from './context.js';
import { PUBLIC } from './route-policy.js';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

/**
 * Static browser code: the runtime's own (/jit/<file> for each .js and .css of public/, read once at start) and
 * each Type's frontend bundle (/jit/element/<TypeId>/panel.js) — exactly the
 * file its inherited `frontendBundleEntry` names (loader/inherit.ts), resolved
 * inside the folder of the definition that declares it; no other path is served.
 */
export function assetRoutes(server: FastifyInstance, ctx: HttpContext): void {
  for (const name of readdirSync(PUBLIC_DIR).filter((n) => /^[a-z][a-z0-9-]*\.(js|css)$/.test(n)).sort()) {
    const body = readFileSync(new URL(name, PUBLIC_DIR), 'utf8');
    server.get(`/jit/${name}`, { config: { policy: PUBLIC } }, async (_request, reply) => reply.type(TYPES[name.split('.').pop()!]!).header('cache-control', 'no-cache').send(body));
  }

  // The pages' icon (html.ts links /favicon.ico); browsers also ask for /favicon.ico on their own, which must not 404.
  const icon = readFileSync(new URL('favicon.svg', PUBLIC_DIR));
  for (const url of ['/favicon.ico', '/jit/favicon.svg']) {
    server.get(url, { config: { policy: PUBLIC } }, async (_request, reply) => reply.type(TYPES['svg']!).header('cache-control', 'public, max-age=86400').send(icon));
  }

  server.get('/jit/element/:typeId/panel.js', { config: { policy: PUBLIC } }, async (request, reply) => {
    const { typeId } = request.params as { typeId: string };
    const bundle = isFullName(typeId) ? ctx.app.inherited(typeId)?.frontendBundleEntry : undefined;
    const located = bundle?.value !== undefined && bundle.from ? resolveInsideElement(bundle.from, bundle.value, 'frontendBundleEntry') : undefined;
    if (!located || !('file' in located)) throw HttpErrors.METHOD_NOT_FOUND.create({ problem: 'No such browser module.' });
    return reply.type(TYPES['js']!).header('cache-control', 'no-cache').send(readFileSync(located.file, 'utf8'));
  });
}
