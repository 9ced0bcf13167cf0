import { afterEach, describe, expect, test } from '@jest/globals';
import { FEISHU, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, getJson, tenantToken } from './helpers.js';

const USER = '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

async function raw(path: string, token?: string) {
  const res = await fetch(sandbox.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
}

describe('fault injection', () => {
  test('latency delays the answer, which is otherwise normal', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'latency', ms: 150 });
    const started = Date.now();
    const reply = await getJson(sandbox, USER, token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.body.code).toBe(0);
  });

  test('status 502 for `times` requests, then back to normal', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'status', status: 502, times: 2 });
    expect((await raw(USER, token)).status).toBe(502);
    expect((await raw(USER, token)).status).toBe(502);
    expect((await raw(USER, token)).status).toBe(200);
    expect(sandbox.stats().byEndpoint.user_get).toMatchObject({ total: 3, faulted: 2, byStatus: { 502: 2, 200: 1 } });
  });

  test('status 500/503 on the OAuth endpoint come with its documented codes 20050/20072', async () => {
    sandbox = await startSandbox();
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    sandbox.injectFault({ endpoint: 'oauth_token', kind: 'status', status: 500 });
    sandbox.injectFault({ endpoint: 'oauth_token', kind: 'status', status: 503 });
    const first = await exchangeCode(sandbox, code);
    expect(first).toMatchObject({ status: 500, body: { code: 20050, error: 'server_error' } });
    const second = await exchangeCode(sandbox, code);
    expect(second).toMatchObject({ status: 503, body: { code: 20072 } });
    expect((await exchangeCode(sandbox, code)).body.code).toBe(0); // the code survived the failed attempts
  });

  test('drop destroys the connection', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ endpoint: 'tenant_token', kind: 'drop' });
    await expect(tenantToken(sandbox)).rejects.toThrow();
    expect(sandbox.stats().byEndpoint.tenant_token.byStatus).toEqual({ dropped: 1 });
    await expect(tenantToken(sandbox)).resolves.toEqual(expect.any(String));
  });

  test('rate_limit answers 429 with the given reset', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ endpoint: '*', kind: 'rate_limit', resetSeconds: 7 });
    const reply = await fetch(`${sandbox.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', body: '{}' });
    expect(reply.status).toBe(429);
    expect(reply.headers.get('x-ogw-ratelimit-reset')).toBe('7');
    expect(await reply.json()).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
  });

  test('rate_limit with status 400: 99991400 under HTTP 400, as some APIs answer it, headers only when a reset is given', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'rate_limit', status: 400 });
    sandbox.injectFault({ endpoint: 'user_get', kind: 'rate_limit', status: 400, resetSeconds: 3 });
    const bare = await raw(USER, token);
    expect(bare.status).toBe(400);
    expect(JSON.parse(bare.text)).toEqual({ code: FEISHU.rateLimited[0], msg: FEISHU.rateLimited[1] });
    expect(bare.headers.get('x-ogw-ratelimit-reset')).toBeNull();
    const timed = await raw(USER, token);
    expect(timed.status).toBe(400);
    expect(timed.headers.get('x-ogw-ratelimit-reset')).toBe('3');
    expect((await raw(USER, token)).status).toBe(200);
    expect(sandbox.stats().byEndpoint.user_get).toMatchObject({ rateLimited: 2, byStatus: { 400: 2, 200: 1 } });
    expect(() => sandbox.injectFault({ kind: 'rate_limit', status: 503 } as never)).toThrow(/400 or 429/);
  });

  test('malformed: a JSON content type with a body that does not parse', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'malformed' });
    const reply = await raw(USER, token);
    expect(reply.status).toBe(200);
    expect(reply.type).toContain('application/json');
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  test('content_type: an HTML body', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'content_type' });
    const reply = await raw(USER, token);
    expect(reply.type).toContain('text/html');
    expect(reply.text).toMatch(/^<!DOCTYPE html>/);
  });

  test('token_invalid answers 99991663 once although the token is fine', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'token_invalid' });
    expect((await getJson(sandbox, USER, token)).body.code).toBe(99991663);
    expect((await getJson(sandbox, USER, token)).body.code).toBe(0);
  });

  test('faults match their endpoint only, and clearFaults drops pending ones', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'department_get', kind: 'status', status: 500, times: 5 });
    expect((await getJson(sandbox, USER, token)).body.code).toBe(0);
    sandbox.clearFaults();
    expect((await getJson(sandbox, '/open-apis/contact/v3/departments/engineering?department_id_type=department_id', token)).body.code).toBe(0);
  });

  test('a malformed fault is refused up front', () => {
    return startSandbox().then((sb) => {
      sandbox = sb;
      expect(() => sb.injectFault({ kind: 'status', status: 418 } as never)).toThrow(/500, 502 or 503/);
      expect(() => sb.injectFault({ endpoint: 'nope', kind: 'drop' } as never)).toThrow(/unknown endpoint/);
    });
  });
});
