import { findApp, type RequestContext, type Route } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { json, parseJsonObject, type Reply } from '../http.js';

/**
 * §1: self-built app credentials. The tenant and the app token are the same value for a self-built
 * app (FD-AAT sample), and both follow the reuse rule implemented by TokenStore.tenantToken.
 * Form bodies are not accepted: the documented content type is JSON.
 */
function issue(ctx: RequestContext, kind: 'tenant' | 'app'): Reply {
  const body = parseJsonObject(ctx.body);
  const appId = body?.app_id;
  const appSecret = body?.app_secret;
  if (typeof appId !== 'string' || !appId || typeof appSecret !== 'string' || !appSecret) fail(FEISHU.invalidParam);
  const app = findApp(ctx.state, appId);
  if (!app) fail(FEISHU.invalidParam);
  if (app.appSecret !== appSecret) fail(FEISHU.appSecretInvalid);
  if (app.status === 'disabled') fail(FEISHU.appNotInUse);
  if (app.status === 'not_installed') fail(FEISHU.appUnauthorized);
  const { token, expire } = ctx.state.tokens.tenantToken(app.appId);
  return kind === 'tenant'
    ? json({ code: 0, msg: 'ok', tenant_access_token: token, expire })
    : json({ code: 0, msg: 'ok', app_access_token: token, tenant_access_token: token, expire });
}

const appOfBody = (ctx: RequestContext) => {
  const appId = parseJsonObject(ctx.body)?.app_id;
  return typeof appId === 'string' ? appId : undefined;
};

export const credentialRoutes: Route[] = [
  {
    name: 'tenant_token',
    method: 'POST',
    path: '/open-apis/auth/v3/tenant_access_token/internal',
    style: 'credentials',
    appOf: appOfBody,
    handle: (ctx) => issue(ctx, 'tenant'),
  },
  {
    name: 'app_token',
    method: 'POST',
    path: '/open-apis/auth/v3/app_access_token/internal',
    style: 'credentials',
    appOf: appOfBody,
    handle: (ctx) => issue(ctx, 'app'),
  },
];
