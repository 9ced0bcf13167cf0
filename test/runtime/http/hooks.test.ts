import { describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { HttpCodes } from '../../../runtime/http/http-errors.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';
import { writeTree } from '../../helpers/fixture.js';
import { PROBE, probeTree } from '../../helpers/probe-type.js';
import { until } from '../../helpers/reload.js';
import { useHttpWorld } from './http-world.js';

/** Endpoints a Type declares (`static endpoints`), mounted under /hooks/<fullName as path>/… */
const useWorld = useHttpWorld();
const httpWorld = () => useWorld({ tree: probeTree('apps/demo') });
const HOOK = `/hooks/${PROBE.split('.').join('/')}`;

describe('element endpoints under /hooks', () => {
  test('a raw endpoint gets the body exactly as sent, whatever its content type, and answers what the handler says', async () => {
    const w = await httpWorld();
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0xc3, 0x28, 0x7d]); // not valid UTF-8, not valid JSON
    for (const contentType of ['application/json', 'application/octet-stream', 'text/plain; charset=utf-8']) {
      const reply = await w.inject({ method: 'POST', url: `${HOOK}/events?x=1`, payload: bytes, headers: { 'content-type': contentType } });
      expect([reply.statusCode, reply.headers['x-probe']]).toEqual([202, 'yes']);
      expect(reply.json()).toEqual({ isBuffer: true, bytes: [...bytes], contentType, path: 'events', query: { x: '1' } });
    }
    const json = '{ "challenge": "abc",  "spaced": true }';
    const reply = await w.inject({ method: 'POST', url: `${HOOK}/events`, payload: json, headers: { 'content-type': 'application/json' } });
    expect(Buffer.from(reply.json().bytes).toString('utf8')).toBe(json); // byte for byte: a signature over it still checks
  });

  test('each endpoint keeps its declared access rule; a JSON endpoint gets parsed JSON', async () => {
    const w = await httpWorld();
    const user = await w.signIn('lisi');
    const admin = await w.signIn('zhangsan');
    const settings = (cookie?: string, payload: string = '{"level":3}') => w.inject({ method: 'POST', url: `${HOOK}/settings`, payload, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } });
    expect([(await settings()).statusCode, (await settings()).json().code]).toEqual([401, HttpCodes.NOT_SIGNED_IN]);
    expect([(await settings(user)).statusCode, (await settings(user)).json().code]).toEqual([403, HttpCodes.FORBIDDEN]);
    const allowed = await settings(admin);
    expect([allowed.statusCode, allowed.json()]).toEqual([200, { method: 'POST', got: { level: 3 }, user: expect.any(String) }]);
    expect([(await settings(admin, '{"level":')).statusCode, (await settings(admin, '{"level":')).json().code]).toEqual([400, RuntimeCodes.INVALID_PARAMS]);

    expect((await w.inject({ method: 'GET', url: `${HOOK}/me` })).statusCode).toBe(401);
    const me = await w.inject({ method: 'GET', url: `${HOOK}/me`, headers: { cookie: user } });
    expect(me.json()).toEqual({ user: { id: expect.any(String), name: w.sandbox.org.user('lisi').name, isAdmin: false } });
    // Same path, another method, another rule.
    expect((await w.inject({ method: 'DELETE', url: `${HOOK}/events`, headers: { cookie: user } })).statusCode).toBe(403);
    expect((await w.inject({ method: 'DELETE', url: `${HOOK}/events`, headers: { cookie: admin } })).json()).toMatchObject({ method: 'DELETE', got: null });
    // A nested path; a string body goes out as text.
    const status = await w.inject({ method: 'GET', url: `${HOOK}/deep/status` });
    expect([status.statusCode, status.headers['content-type'], status.body]).toEqual([200, 'text/plain; charset=utf-8', 'fine']);
  });

  test('404 for an unknown instance, an undeclared endpoint or method, a Type, an element without endpoints, or another spelling', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    for (const [method, url] of [
      ['POST', '/hooks/probes/Nope/events'],
      ['POST', `${HOOK}/nope`],
      ['POST', `${HOOK}`],
      ['GET', `${HOOK}/events`],
      ['PUT', `${HOOK}/settings`],
      ['POST', `${HOOK}/onEvent`],
      ['POST', '/hooks/probes/EchoType/events'],
      ['POST', '/hooks/auths/loginTypes/FSInnerExample/events'],
      ['POST', '/hooks/probes.Echo/events'],
      ['POST', `/hooks/probes%2fEcho/events`],
      ['POST', `${HOOK}//events`],
      ['POST', `${HOOK}/events/`],
      ['POST', `/hooks/PROBES/Echo/events`],
      ['POST', '/hooks/'],
    ] as const) {
      const reply = await w.inject({ method, url, payload: '{}', headers: { 'content-type': 'application/json', cookie: admin } });
      expect([method, url, reply.statusCode]).toEqual([method, url, 404]);
    }
  });

  test('instances come and go with hot reload: the endpoint is found at request time', async () => {
    const w = await httpWorld();
    await w.app.watch();
    const second = '/hooks/probes/Echo2/events';
    expect((await w.inject({ method: 'POST', url: second, payload: 'x' })).statusCode).toBe(404);
    writeTree(join(w.root, 'apps/demo'), { 'probes/Echo2/e.json': { title: 'Echo 2', type: 'probes.EchoType' }, 'probes/Echo2/Echo2.json': {} });
    await until(w.app, () => w.app.getElementDefine('probes.Echo2') !== undefined);
    const reply = await w.inject({ method: 'POST', url: second, payload: 'x', headers: { 'content-type': 'text/plain' } });
    expect([reply.statusCode, reply.json().bytes]).toEqual([202, [0x78]]);
    rmSync(join(w.root, 'apps/demo/probes/Echo2'), { recursive: true });
    await until(w.app, () => w.app.getElementDefine('probes.Echo2') === undefined);
    expect((await w.inject({ method: 'POST', url: second, payload: 'x' })).statusCode).toBe(404);
  });
});
