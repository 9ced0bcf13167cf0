import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { useHttpWorld, type HttpWorld } from './http-world.js';

/**
 * Whatever a client sends — any method, path, query, content type, body,
 * origin or cookie — the server answers without a 500, and every refusal on
 * /api/* is the JSON error shape `{ ok: false, code: number, message }`.
 */

const httpWorld = useHttpWorld();
const FS = 'auths/loginTypes/FSInnerExample';

const segment = fc.oneof(
  fc.constantFrom('auths', 'loginTypes', 'FSInnerExample', 'FSInnerType', 'Meta', 'getLoginConfig', 'loginWithCode', 'getUserInfo', 'getAccessToken', 'close', 'constructor', '__proto__', 'toString'),
  fc.constantFrom('..', '.', '%2F', '%2e%2e', '%5C', '%00', '%E2%82%AC', '%ZZ', '%', '%C0%AF', 'a%20b', 'auths.loginTypes.FSInnerExample', '', '~', '*', ';x', '%3F'),
  fc.stringMatching(/^[A-Za-z0-9_.~-]{1,12}$/),
);

/** Query strings: the callback's own keys, repeated keys, empty values, odd encodings. */
const queryString = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('state', 'code', 'error', 'instance', 'token', '__proto__', 'constructor[prototype]', 'state[]'), fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/)),
        fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.~-]{0,300}$/), fc.constantFrom('', 'access_denied', '%ZZ', '%00', 'a%26b', '+', 'x'.repeat(300))),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.webQueryParameters().map((q) => '?' + q),
);

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('getLoginConfig', 'loginWithCode', 'getLoginCode', 'getUserInfo', 'syncUserInfo', 'checkConfig', 'getAccessToken', 'nope').map((m) => `/api/${FS}/${m}`) },
  { weight: 3, arbitrary: fc.array(segment, { minLength: 0, maxLength: 5 }).map((parts) => '/api/' + parts.join('/')) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.constantFrom('/api/session', '/api/logout', '/api/login-methods', '/api/admin/tree', '/api/admin/logins', '/api/admin/', '/api/admin/nope', '/api'),
      fc.constantFrom('actions/syncDepartmentInfo', 'actions/getOrgTree', 'views/getOrgTree', 'views/tokenStatus', 'actions/nope').map((p) => `/api/admin/elements/${FS.split('/').join('.')}/${p}`),
      fc.stringMatching(/^[A-Za-z0-9-]{0,40}$/).map((id) => `/api/admin/runs/${id}/events`),
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('/login/callback', '/login/admin', '/login', '/', '/admin', '/jit/element/auths.loginTypes.FSInnerType/panel.js', '/jit/element/..%2F..%2Fetc/panel.js', '/nope') },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  { weight: 2, arbitrary: fc.constantFrom('application/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', '*/*', '') },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,30}$/) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const paramsObject = fc.record(
  {
    authCode: fc.oneof(fc.string({ maxLength: 20 }), fc.anything()),
    state: fc.oneof(fc.string({ maxLength: 20 }), fc.anything()),
    userId: fc.oneof(fc.constantFrom('lisi', 'zhangsan', 'nobody', ''), fc.anything()),
    forceUpdate: fc.anything(),
    deptId: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    instance: fc.constantFrom('auths.loginTypes.FSInnerType', 'nope', 42),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 4, arbitrary: paramsObject.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__": {"isAdmin": true}}', '{"constructor": {"prototype": {"x": 1}}}', '{', 'null', '""', '[]', '{}', '{"userId": "lisi"}', '{"instance": "auths.loginTypes.FSInnerExample", "deptId": 5}') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** A path with a malformed percent-escape ("%", "%ZZ", an overlong "%C0%AF"). */

type CookieKind = 'none' | 'garbage' | 'user' | 'admin';
const request = fc.record({
  method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<InjectOptions['method']>('GET', 'POST') }, { weight: 1, arbitrary: fc.constantFrom<InjectOptions['method']>('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
  path,
  query: queryString,
  contentType,
  body,
  origin: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(undefined, 'http://localhost:80', 'http://localhost') }, { weight: 1, arbitrary: fc.constantFrom('http://evil.example', 'null', 'not a url', 'http://localhost:81') }),
  cookie: fc.constantFrom<CookieKind>('none', 'garbage', 'user', 'admin', 'admin', 'admin'),
});

/** Sessions for the generated requests; a logout revokes one, so it is signed in again when next needed. */
function sessions(w: HttpWorld) {
  const live = new Map<CookieKind, string>();
  return {
    async cookie(kind: CookieKind): Promise<string | undefined> {
      if (kind === 'none') return undefined;
      if (kind === 'garbage') return 'jit_session=not-a-session; other=1';
      if (!live.has(kind)) live.set(kind, await w.signIn(kind === 'admin' ? 'zhangsan' : 'lisi'));
      return live.get(kind);
    },
    revoked(kind: CookieKind): void {
      live.delete(kind);
    },
  };
}

describe('the HTTP layer on arbitrary requests', () => {
  test('never answers 500; every /api error is { ok: false, code: number, message }', async () => {
    const w = await httpWorld();
    const session = sessions(w);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.origin !== undefined) headers['origin'] = r.origin;
        const cookie = await session.cookie(r.cookie);
        if (cookie) headers['cookie'] = cookie;
        const url = r.path + r.query;
        const reply = await w.inject({ method: r.method, url, headers, ...(r.body !== undefined ? { payload: r.body } : {}) });
        if (r.path === '/api/logout') session.revoked(r.cookie);

        const where = `${r.method} ${url} → ${reply.statusCode} ${reply.body.slice(0, 300)}`;
        // What the server saw: dot segments are resolved on the client side ("/api/.." is a request for "/").
        const pathname = new URL(url, 'http://localhost').pathname;
        const api = /^\/api(\/|$)/.test(pathname);
        expect([where, reply.statusCode]).not.toEqual([where, 500]);
        expect(reply.statusCode).toBeLessThan(600);
        expect(reply.body).not.toContain(w.sandbox.appSecret);
        if (api && r.method !== 'HEAD' && reply.statusCode >= 400) {
          let json: unknown;
          expect(() => (json = JSON.parse(reply.body))).not.toThrow();
          expect([where, json]).toEqual([where, { ok: false, code: expect.any(Number), message: expect.any(String) }]);
        }
        if (api && r.method !== 'HEAD' && reply.statusCode === 200 && !String(reply.headers['content-type']).startsWith('text/event-stream')) {
          expect([where, JSON.parse(reply.body)]).toEqual([where, expect.objectContaining({ ok: true })]);
        }
      }),
      { numRuns: 250 },
    );
    // The server still works for a well-behaved client afterwards.
    const after = await w.call('auths.loginTypes.FSInnerExample', 'getLoginConfig');
    expect(after.json()).toMatchObject({ ok: true, data: { appId: w.sandbox.appId } });
  }, 60_000);

  // fastify's router rejects these before any route runs; frameworkErrors gives them the /api error shape.
  test.each(['/api/%', '/api/%ZZ/x', '/api/auths/%C0%AF/getLoginConfig', '/api/admin/%E2%82'])('%s is answered in the /api error shape', async (url) => {
    const w = await httpWorld();
    for (const method of ['GET', 'POST'] as const) {
      const reply = await w.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(reply.statusCode).toBe(400);
      expect(reply.json()).toEqual({ ok: false, code: expect.any(Number), message: expect.any(String) });
    }
  });

  test('every method the element lists, with any JSON body and any session, is answered without a 500', async () => {
    const w = await httpWorld();
    const session = sessions(w);
    const methods = w.app.functionList('auths.loginTypes.FSInnerExample').map((f) => f.name);
    expect(methods).toEqual(expect.arrayContaining(['getLoginConfig', 'loginWithCode', 'getUserInfo']));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), fc.oneof(paramsObject, fc.jsonValue()), fc.constantFrom<CookieKind>('none', 'user', 'admin'), async (method, params, kind) => {
        const cookie = await session.cookie(kind);
        const reply = await w.inject({ method: 'POST', url: `/api/${FS}/${method}`, payload: JSON.stringify(params), headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });
        const json = reply.json() as { ok: boolean; code?: unknown; message?: unknown };
        expect([method, reply.statusCode]).not.toEqual([method, 500]);
        if (reply.statusCode === 200) expect(json.ok).toBe(true);
        else expect(json).toEqual({ ok: false, code: expect.any(Number), message: expect.any(String) });
      }),
      { numRuns: 120 },
    );
  }, 60_000);
});
