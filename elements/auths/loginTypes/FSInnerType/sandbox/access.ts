import { hasAnyScope, type SandboxApp } from './apps.js';
import { findApp, type RequestContext } from './context.js';
import { FEISHU, fail } from './errors.js';
import { bearerToken } from './http.js';
import type { AccessToken } from './tokens.js';

export interface Caller {
  app: SandboxApp;
  token: AccessToken;
}

/**
 * Contact v3 accepts a tenant or a user token (§4). Missing header → 99991661. Unknown, revoked
 * and expired tenant tokens all answer 99991663, which the contract (§6) defines as "invalid or
 * expired"; an expired *user* token answers 99991677 ("expired — refresh").
 */
export function authenticateContactCaller(ctx: RequestContext): Caller {
  const raw = bearerToken(ctx.req);
  if (!raw) fail(FEISHU.missingToken);
  const token = ctx.state.tokens.findAccess(raw);
  if (!token || token.revoked) fail(FEISHU.tokenInvalid);
  if (!ctx.state.tokens.isLive(token)) fail(token.kind === 'user' ? FEISHU.userTokenExpired : FEISHU.tokenInvalid);
  return { app: usableApp(ctx, token), token };
}

/**
 * /authen/v1/user_info takes only a user token (§3): unknown or revoked → 20005, expired → 99991677,
 * a tenant token → 99991663 ("API doesn't accept tenant tokens", §6).
 */
export function authenticateUser(ctx: RequestContext): Caller & { openId: string } {
  const raw = bearerToken(ctx.req);
  if (!raw) fail(FEISHU.missingToken);
  const token = ctx.state.tokens.findAccess(raw);
  if (!token || token.revoked) fail(FEISHU.userTokenInvalid, 'the user access token is invalid');
  if (token.kind !== 'user') fail(FEISHU.tokenInvalid, 'this API does not accept a tenant access token');
  if (!ctx.state.tokens.isLive(token)) fail(FEISHU.userTokenExpired);
  return { app: usableApp(ctx, token), token, openId: token.openId! };
}

/** The app behind a token must still be installed and enabled (table in apps.ts). */
function usableApp(ctx: RequestContext, token: AccessToken): SandboxApp {
  const app = findApp(ctx.state, token.appId);
  if (!app) fail(FEISHU.tokenInvalid);
  if (app.status === 'disabled') fail(FEISHU.appNotInUse);
  if (app.status === 'not_installed') fail(FEISHU.appUnauthorized);
  return app;
}

/**
 * The contact endpoints that take only a tenant token (§4.1: `GET /contact/v3/scopes`); a user token
 * answers 99991668, "user_access_token invalid (or API doesn't accept user tokens)" (contract §6).
 */
export function authenticateTenantCaller(ctx: RequestContext): Caller {
  const caller = authenticateContactCaller(ctx);
  if (caller.token.kind !== 'tenant') fail(FEISHU.userTokenNotAccepted);
  return caller;
}

/**
 * 99991672: the app lacks an API-level permission (§4.3). `anyOf` are the permissions any one of
 * which would do; the reply names them in `msg` and in `error.permission_violations[]` as
 * `{type: "action_scope_required", subject}` — the shape of the FAQ example and the Go SDK. The doc
 * example names a single scope; that every alternative gets its own entry is UNVERIFIED (a client
 * should read any of them). HTTP 400: see error-replies.ts.
 */
export function requireScope(app: SandboxApp, ...anyOf: string[]): void {
  if (hasAnyScope(app, ...anyOf)) return;
  const list = anyOf.join(', ');
  fail(FEISHU.appLacksScope, `${FEISHU.appLacksScope[1]}: [${list}]`, {
    message: 'Refer to the documentation to fix the error: https://open.feishu.cn/document/faq/trouble-shooting/how-to-fix-the-99991672-error',
    permission_violations: anyOf.map((subject) => ({ type: 'action_scope_required', subject })),
    // The developer console's page for the app's permissions, as in the doc example.
    helps: [{ url: `https://open.feishu.cn/app/${app.appId}/auth?q=${encodeURIComponent(anyOf.join(','))}&op_from=openapi`, description: `Learn more about scopes and how to add them: [${list}]` }],
  });
}

/** The app a bearer token belongs to, for rate limiting; no validation. */
export function appOfBearer(ctx: RequestContext): string | undefined {
  const raw = bearerToken(ctx.req);
  return raw ? ctx.state.tokens.findAccess(raw)?.appId : undefined;
}
