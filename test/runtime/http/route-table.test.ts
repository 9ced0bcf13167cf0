import { describe, expect, test } from '@jest/globals';
import type { FastifyRequest, InjectOptions } from 'fastify';
import { createHttpServer } from '../../../runtime/http/server.js';
import { definitionOf } from '../../../runtime/errcode.js';
import { HttpCodes } from '../../../runtime/http/http-errors.js';
import { routeTable, type AccessRule, type RouteEntry } from '../../../runtime/http/route-policy.js';
import { useHttpWorld, type HttpWorld } from './http-world.js';
import { PROBE_ENDPOINTS, probeTree } from '../../helpers/probe-type.js';

/**
 * Access rules under attack, enumerated rather than listed: every route fastify
 * registered (routeTable: what its onRoute hook saw, the derived HEAD routes
 * included; the element route expanded into every functionList method of every
 * instance) × anonymous / user / admin × path spellings an attacker would try.
 * A route added later is covered without editing this file.
 */
const useWorld = useHttpWorld();
/** FSInnerExample, plus a fixture Type with HTTP endpoints of every access (test/helpers/probe-type.ts). */
const httpWorld = () => useWorld({ tree: probeTree('apps/demo') });
const FS = 'auths.loginTypes.FSInnerExample';

type Role = 'anonymous' | 'user' | 'admin';
interface Target {
  method: string;
  url: string;
  rule: AccessRule;
  /** A JSON body that passes no validation, so an allowed admin call starts nothing. */
  payload?: object;
}

/**
 * What each route must require, written independently of the routes' own
 * declarations (so a route declared with the wrong rule fails here): the admin
 * API and page for administrators, the signed-in page for users, element
 * methods as their functionList says, element endpoints (/hooks) as their
 * Type's `static endpoints` says; everything else is public.
 */
function requiredAccess(url: string, declared: AccessRule): AccessRule['access'] {
  if (url.startsWith('/api/admin/') || url === '/admin') return 'admin';
  if (url === '/') return 'user';
  if (url.startsWith('/api/') && !['/api/session', '/api/logout', '/api/login-methods'].includes(url)) return declared.access; // element methods: functionList is the spec
  return 'public';
}

/**
 * Concrete requests for each route; the element wildcard becomes one target per functionList method,
 * the hooks wildcard one per declared endpoint of each instance's Type (the rule read from the declaration).
 */
function targets(w: HttpWorld, table: ReadonlyArray<RouteEntry>): Target[] {
  const out: Target[] = [];
  for (const { method, url, policy } of table) {
    const payload = method === 'GET' || method === 'HEAD' ? undefined : { __probe: true };
    if (url === '/hooks/*') {
      for (const element of w.app.listElements({ kind: 'instance' })) {
        const declared = (w.app.getElement<{ endpoints?: Array<{ method: string; path: string; access: AccessRule['access']; rateLimit?: string }> }>(element.type).endpoints ?? []);
        for (const e of declared.filter((e) => e.method === method || (method === 'HEAD' && e.method === 'GET'))) {
          out.push({ method, url: `/hooks/${element.fullName.split('.').join('/')}/${e.path}`, rule: { access: e.access, signIn: e.rateLimit === 'signIn' }, ...(payload ? { payload } : {}) });
        }
      }
      continue;
    }
    if ('resolve' in policy) {
      for (const element of w.app.listElements({ kind: 'instance' })) {
        for (const spec of w.app.functionList(element.fullName)) {
          const path = url.replace('*', `${element.fullName.split('.').join('/')}/${spec.name}`);
          const rule = policy.resolve({ params: { '*': path.slice('/api/'.length) }, url: path } as unknown as FastifyRequest);
          out.push({ method, url: path, rule, ...(payload ? { payload } : {}) });
        }
      }
      continue;
    }
    const concrete = url.replace(':runId', 'no-such-run').replace(':fullName', FS).replace(':typeId', 'auths.loginTypes.FSInnerType').replace(':action', 'syncDepartmentInfo').replace(':view', 'getOrgTree');
    out.push({ method, url: concrete, rule: { ...policy, access: requiredAccess(url, policy) }, ...(payload ? { payload } : {}) });
  }
  return out;
}

/** Ways to write the same path: each either reaches the same route (and its rule) or none (404). */
function spellings(url: string): string[] {
  const [path, query] = url.split('?') as [string, string | undefined];
  const q = query ? `?${query}` : '';
  const segments = path.split('/').slice(1);
  const out = new Set<string>([url]);
  segments.forEach((segment, i) => {
    const letter = segment.search(/[A-Za-z]/);
    if (letter < 0) return;
    const encoded = `${segment.slice(0, letter)}%${segment.charCodeAt(letter).toString(16)}${segment.slice(letter + 1)}`;
    const upper = `${segment.slice(0, letter)}%${segment.charCodeAt(letter).toString(16).toUpperCase()}${segment.slice(letter + 1)}`;
    for (const replacement of [encoded, upper, segment.toUpperCase(), `${segment};x=1`]) {
      out.add(`/${segments.map((s, j) => (j === i ? replacement : s)).join('/')}${q}`);
    }
  });
  out.add(`${path.replace(/^\/([^/]+)\//, '/$1//')}${q}`); // doubled slash
  out.add(`${path}/${q}`); // trailing slash
  out.add(`${path.replace(/^\/([^/]+)\//, '/$1/./')}${q}`); // dot segment
  out.add(`${path.replace(/^\/([^/]+)\//, '/$1/x/../')}${q}`); // dot-dot segment
  out.add(`${path.replace(/^\/([^/]+)\//, '/$1%2f')}${q}`); // encoded separator
  return [...out];
}

const refusal: Record<AccessRule['access'], Record<Role, 'refused' | 'allowed'>> = {
  public: { anonymous: 'allowed', user: 'allowed', admin: 'allowed' },
  user: { anonymous: 'refused', user: 'allowed', admin: 'allowed' },
  admin: { anonymous: 'refused', user: 'refused', admin: 'allowed' },
};

/**
 * An element's own Code in the reply means the route let the request through to the element, whatever the
 * status: a public webhook refuses a push it cannot verify with its own 401 (FSInnerType's contact events).
 */
function outcome(status: number, location: string | undefined, body: string): 'refused' | 'allowed' | 'no route' {
  if (elementCode(body)) return 'allowed';
  if (status === 404) return 'no route';
  if (status === 401 || status === 403) return 'refused';
  if (status === 302 && location?.startsWith('/login')) return 'refused'; // a page sends the anonymous browser to sign in
  return 'allowed';
}

function elementCode(body: string): boolean {
  let code: unknown;
  try {
    code = (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    return false;
  }
  const namespace = typeof code === 'number' ? definitionOf(code)?.namespace : undefined;
  return namespace !== undefined && !['runtime', 'http', 'auth'].includes(namespace);
}

describe('every route × every role × every spelling keeps its access rule', () => {
  test('the route table covers the element API, the element endpoints, the admin API and the pages', async () => {
    const w = await httpWorld();
    const urls = routeTable(w.server).map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining(['POST /api/*', 'POST /hooks/*', 'GET /hooks/*', 'HEAD /hooks/*', 'GET /api/admin/tree', 'HEAD /api/admin/tree', 'PUT /api/admin/elements/:fullName/config', 'POST /api/admin/elements/:fullName/actions/:action', 'GET /login/callback', 'HEAD /login/callback']),
    );
    // Every declared endpoint becomes a target, HEAD for each GET one.
    const hooks = targets(w, routeTable(w.server)).filter((t) => t.url.startsWith('/hooks/'));
    expect(hooks.map((t) => `${t.method} ${t.url} ${t.rule.access}`).sort()).toEqual(
      [
        ...PROBE_ENDPOINTS.map((e) => `${e.method} /hooks/probes/Echo/${e.path} ${e.access}`),
        ...PROBE_ENDPOINTS.filter((e) => e.method === 'GET').map((e) => `HEAD /hooks/probes/Echo/${e.path} ${e.access}`),
        `POST /hooks/${FS.split('.').join('/')}/events public`, // contact events (FSInnerType's static endpoints)
      ].sort(),
    );
  });

  test('no spelling of a route gets past its rule, for anyone', async () => {
    const w = await httpWorld();
    const cookies: Record<Role, string | undefined> = { anonymous: undefined, user: await w.signIn('lisi'), admin: await w.signIn('zhangsan') };
    const server = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 0 });
    const mismatches: string[] = [];
    let canonicalChecks = 0;
    // Signing out ends the sessions this loop uses, so it goes last.
    const ordered = targets(w, routeTable(server)).sort((a, b) => Number(a.url.endsWith('/logout')) - Number(b.url.endsWith('/logout')));
    for (const target of ordered) {
      for (const role of ['anonymous', 'user', 'admin'] as Role[]) {
        const expected = refusal[target.rule.access][role];
        for (const url of spellings(target.url)) {
          const cookie = cookies[role];
          const request: InjectOptions = { method: target.method as InjectOptions['method'], url, headers: cookie ? { cookie } : {}, ...(target.payload ? { payload: target.payload } : {}) };
          const reply = await server.inject(request);
          const got = outcome(reply.statusCode, reply.headers.location as string | undefined, reply.body);
          if (url === target.url) {
            canonicalChecks++;
            if (got !== expected) mismatches.push(`${role} ${target.method} ${url}: expected ${expected}, got ${reply.statusCode}`);
          } else if (got !== 'no route' && got !== expected) {
            mismatches.push(`${role} ${target.method} ${url} (spelling of ${target.url}): expected ${expected} or 404, got ${reply.statusCode}`);
          }
        }
      }
    }
    await server.close();
    expect(mismatches).toEqual([]);
    expect(canonicalChecks).toBeGreaterThan(100);
  });

  test('methods a route does not serve are never answered with its content', async () => {
    const w = await httpWorld();
    const served = new Set(routeTable(w.server).map((r) => `${r.method} ${r.url}`));
    for (const target of targets(w, routeTable(w.server))) {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
        const route = [...served].find((r) => r.startsWith(`${method} `) && matches(r.slice(method.length + 1), target.url));
        if (route) continue;
        const reply = await w.inject({ method, url: target.url, payload: method === 'GET' || method === 'HEAD' ? undefined : {} });
        expect([`${method} ${target.url}`, reply.statusCode]).toEqual([`${method} ${target.url}`, 404]);
      }
    }
  });

  test('the reproductions: a percent-encoded letter does not open the admin API', async () => {
    const w = await httpWorld();
    for (const [method, url] of [
      ['GET', '/api/%61dmin/tree'],
      ['PUT', `/api/%61dmin/elements/${FS}/config`],
      ['POST', `/api/%61dmin/elements/${FS}/actions/syncDepartmentInfo`],
      ['GET', `/api/adm%69n/elements/${FS}/views/getOrgTree`],
      ['POST', '/hooks/probes/Echo/%73ettings'],
    ] as const) {
      const reply = await w.inject({ method, url, payload: method === 'GET' ? undefined : { config: { adminUserIds: ['wangwu'] } } });
      expect([url, reply.statusCode, reply.json().code]).toEqual([url, 401, HttpCodes.NOT_SIGNED_IN]);
    }
  });
});

describe('the sign-in limit holds for every route, method and spelling that signs in', () => {
  test('once a client spent its budget, every spelling and method of every sign-in route answers 429; other routes never do', async () => {
    const w = await httpWorld();
    const server = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 2 });
    const mismatches: string[] = [];
    let client = 0;
    for (const target of targets(w, routeTable(server))) {
      const remoteAddress = `10.1.${Math.floor(++client / 250)}.${client % 250}`; // a fresh budget per route
      const send = (url: string, method = target.method) =>
        server.inject({ method: method as InjectOptions['method'], url, remoteAddress, ...(target.payload ? { payload: target.payload } : {}) });
      const withQuery = target.url.startsWith('/login/') ? `${target.url}?code=x&state=y` : target.url;
      for (let i = 0; i < 3; i++) await send(withQuery);
      for (const url of spellings(withQuery)) {
        const reply = await send(url);
        if (reply.statusCode === 404) continue;
        if (target.rule.signIn && reply.statusCode !== 429) mismatches.push(`${target.method} ${url}: expected 429, got ${reply.statusCode}`);
        if (!target.rule.signIn && reply.statusCode === 429) mismatches.push(`${target.method} ${url}: limited but not a sign-in route`);
      }
    }
    await server.close();
    expect(mismatches).toEqual([]);
  });

  test('the reproductions: loginWith%43ode, getLoginConfi%67, /login/%63allback and HEAD /login/callback are limited', async () => {
    const w = await httpWorld();
    const server = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 1 });
    expect((await server.inject({ method: 'GET', url: '/login/callback?code=x&state=y' })).statusCode).toBe(400);
    for (const [method, url] of [
      ['POST', '/api/auths/loginTypes/FSInnerExample/loginWith%43ode'],
      ['POST', '/api/auths/loginTypes/FSInnerExample/getLoginConfi%67'],
      ['GET', '/login/%63allback?code=x&state=y'],
      ['HEAD', '/login/callback?code=x&state=y'],
    ] as const) {
      const reply = await server.inject({ method, url, ...(method === 'POST' ? { payload: { authCode: 'x' } } : {}) });
      expect([url, reply.statusCode]).toEqual([url, 429]);
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    }
    await server.close();
  });

  test('X-Forwarded-For counts only from a trusted proxy: a client cannot rotate it to escape the limit', async () => {
    const w = await httpWorld();
    const direct = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 2 });
    const proxied = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 2, trustProxy: ['10.9.0.1'] });
    const config = (server: typeof direct, remoteAddress: string, forwardedFor: string) =>
      server.inject({ method: 'POST', url: `/api/auths/loginTypes/FSInnerExample/getLoginConfig`, payload: {}, remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
    const rotating = [];
    for (let i = 0; i < 4; i++) rotating.push((await config(direct, '10.8.0.1', `203.0.113.${i}`)).statusCode);
    expect(rotating).toEqual([200, 200, 429, 429]);
    // Behind the trusted proxy, each real client (its X-Forwarded-For) has its own budget…
    const viaProxy = [];
    for (let i = 0; i < 4; i++) viaProxy.push((await config(proxied, '10.9.0.1', `198.51.100.${i}`)).statusCode);
    expect(viaProxy).toEqual([200, 200, 200, 200]);
    // …but the same header from anyone else is ignored.
    const spoofed = [];
    for (let i = 0; i < 3; i++) spoofed.push((await config(proxied, '10.8.0.2', `198.51.100.${10 + i}`)).statusCode);
    expect(spoofed).toEqual([200, 200, 429]);
    await direct.close();
    await proxied.close();
  });
});

/** Does a route pattern (with :params and *) match a concrete path? */
function matches(pattern: string, path: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+').replace('*', '.*')}$`);
  return re.test(path.split('?')[0]!);
}
