import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Code } from '../errcode.js';
import { isFullName } from '../ids.js';
import { resolveInsideElement } from '../loader/modules.js';
import { HttpCodes } from './codes.js';
import type { HttpContext } from './context.js';
import { PUBLIC } from './route-policy.js';

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * Static browser code: the runtime's own (/jit/*.js, read once at start) and
 * each Type's frontend bundle (/jit/element/<TypeId>/panel.js) — exactly the
 * file its e.json names, resolved inside its folder; no other path is served.
 */
export function assetRoutes(server: FastifyInstance, ctx: HttpContext): void {
  for (const name of ['api.js', 'login.js', 'home.js', 'admin.js', 'style.css']) {
    const body = readFileSync(new URL(name, PUBLIC_DIR), 'utf8');
    server.get(`/jit/${name}`, { config: { policy: PUBLIC } }, async (_request, reply) => reply.type(TYPES[name.split('.').pop()!]!).header('cache-control', 'no-cache').send(body));
  }

  server.get('/jit/element/:typeId/panel.js', { config: { policy: PUBLIC } }, async (request, reply) => {
    const { typeId } = request.params as { typeId: string };
    const owner = isFullName(typeId) ? ctx.app.definitionsOf(typeId).find((d) => d.frontendBundleEntry) : undefined;
    const located = owner ? resolveInsideElement(owner, owner.frontendBundleEntry!) : undefined;
    if (!located || !('file' in located)) throw new Code(HttpCodes.METHOD_NOT_FOUND, 'No such browser module.');
    return reply.type(TYPES['js']!).header('cache-control', 'no-cache').send(readFileSync(located.file, 'utf8'));
  });
}
