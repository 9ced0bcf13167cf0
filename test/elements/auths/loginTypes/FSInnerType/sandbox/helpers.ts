import type { Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';

export interface JsonReply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function getJson(sandbox: Sandbox, path: string, token?: string): Promise<JsonReply> {
  const res = await fetch(sandbox.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export async function postJson(sandbox: Sandbox, path: string, body: unknown): Promise<JsonReply> {
  const res = await fetch(sandbox.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export async function tenantToken(sandbox: Sandbox, appId = sandbox.appId, appSecret = sandbox.appSecret): Promise<string> {
  const reply = await postJson(sandbox, '/open-apis/auth/v3/tenant_access_token/internal', { app_id: appId, app_secret: appSecret });
  if (reply.body.code !== 0) throw new Error(`tenant token: ${reply.body.code}`);
  return reply.body.tenant_access_token;
}

export function exchangeCode(sandbox: Sandbox, code: string, extra: Record<string, unknown> = {}): Promise<JsonReply> {
  return postJson(sandbox, '/open-apis/authen/v2/oauth/token', {
    grant_type: 'authorization_code',
    client_id: sandbox.appId,
    client_secret: sandbox.appSecret,
    code,
    ...extra,
  });
}

export async function userToken(sandbox: Sandbox, userId: string, scope?: string): Promise<{ access: string; refresh?: string }> {
  const { code } = sandbox.issueCode({ userId, scope });
  const reply = await exchangeCode(sandbox, code);
  if (reply.body.code !== 0) throw new Error(`user token: ${reply.body.code}`);
  return { access: reply.body.access_token, refresh: reply.body.refresh_token };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
