import { SCOPES, type SandboxApp } from '../apps.js';
import { findApp, type RequestContext, type Route } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { json, parseJsonObject, type Reply } from '../http.js';
import type { RefreshGrant } from '../tokens.js';

/**
 * §2a/§2e `POST /open-apis/authen/v2/oauth/token`: authorization_code and refresh_token grants,
 * client_id/client_secret in a JSON body (form bodies are UNVERIFIED in the contract and refused
 * here with 20001), success at the top level without a `data` wrapper. Refresh semantics follow
 * the events-and-scopes notes §6 (offline_access, rotation, grace, 365-day cap, error codes).
 */
function exchange(ctx: RequestContext): Reply {
  const body = parseJsonObject(ctx.body);
  if (!body) fail(FEISHU.badRequest, 'the body must be a JSON object');
  const app = authenticateClient(ctx, body);
  if (body.grant_type === 'authorization_code') return redeemCode(ctx, app, body);
  if (body.grant_type === 'refresh_token') return refresh(ctx, app, body);
  if (body.grant_type === undefined) fail(FEISHU.badRequest, 'grant_type is required');
  fail(FEISHU.grantTypeUnsupported, 'grant_type must be authorization_code or refresh_token');
}

function authenticateClient(ctx: RequestContext, body: Record<string, unknown>): SandboxApp {
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (typeof clientId !== 'string' || !clientId || typeof clientSecret !== 'string' || !clientSecret) {
    fail(FEISHU.missingClient, 'client_id and client_secret are required');
  }
  if (!/^cli_[0-9a-z]+$/.test(clientId)) fail(FEISHU.invalidAppId, 'client_id is malformed');
  const app = findApp(ctx.state, clientId);
  if (!app) fail(FEISHU.appNotExist, 'the app does not exist');
  if (app.appSecret !== clientSecret) fail(FEISHU.clientMismatch, 'client_secret does not match client_id');
  if (app.status === 'disabled') fail(FEISHU.appDisabled, 'the app is disabled');
  if (app.status === 'not_installed') fail(FEISHU.appNotInstalled, 'the app is not installed in this tenant');
  return app;
}

function redeemCode(ctx: RequestContext, app: SandboxApp, body: Record<string, unknown>): Reply {
  const { code, redirect_uri: redirectUri, code_verifier: codeVerifier } = body;
  if (typeof code !== 'string' || !code) fail(FEISHU.badRequest, 'code is required');
  if (redirectUri !== undefined && typeof redirectUri !== 'string') fail(FEISHU.badRequest, 'redirect_uri must be a string');
  if (codeVerifier !== undefined && typeof codeVerifier !== 'string') fail(FEISHU.badRequest, 'code_verifier must be a string');
  const redeemed = ctx.state.codes.redeem({ code, appId: app.appId, redirectUri, codeVerifier });
  const scopes = narrowScopes(redeemed.scopes, body.scope);
  const grant = mayRefresh(app, redeemed.scopes, scopes) ? { scopes: redeemed.scopes, grantedAt: ctx.state.now() } : undefined;
  return tokenReply(ctx, app, redeemed.openId, scopes, grant);
}

/**
 * §6.3/§6.4, checked in this order: switch off 20074, unknown 20026, another app's 20024, revoked
 * 20064, already used 20073, expired (own lifetime or the 365-day cap) 20037.
 *
 * Reuse of a spent token answers 20073 ("already used"); 20064 is kept for revoked ones (an admin
 * revocation, or the chain revoked after a reuse, tokens.ts). The notes' 20064 text also mentions
 * single use, so which of the two Feishu sends on reuse is UNVERIFIED: clients must treat both as
 * "sign in again".
 */
function refresh(ctx: RequestContext, app: SandboxApp, body: Record<string, unknown>): Reply {
  if (app.refreshEnabled === false) fail(FEISHU.refreshDisabled, 'refreshing user_access_token is switched off for this app');
  const raw = body.refresh_token;
  if (typeof raw !== 'string' || !raw) fail(FEISHU.badRequest, 'refresh_token is required');
  const token = ctx.state.tokens.findRefresh(raw);
  if (!token) fail(FEISHU.refreshInvalid, 'the refresh token is invalid');
  if (token.appId !== app.appId) fail(FEISHU.wrongApp, 'the refresh token was issued to another app');
  if (token.revoked) fail(FEISHU.refreshRevoked, 'the refresh token has been revoked');
  if (token.used) {
    ctx.state.tokens.revokeFamily(token);
    fail(FEISHU.refreshUsed, 'the refresh token has already been used');
  }
  if (token.expiresAt <= ctx.state.now()) fail(FEISHU.refreshExpired, 'the refresh token has expired');
  // Whether Feishu refuses a refresh for someone who left is UNVERIFIED; refused as user_info does.
  const user = ctx.state.org.findUser(token.openId, 'open_id');
  if (!user) fail(FEISHU.userNotExist, 'the user no longer exists');
  if (user.status.is_resigned) fail(FEISHU.userResigned, 'the user has resigned');
  if (user.status.is_frozen) fail(FEISHU.userFrozen, 'the user is frozen');
  const scopes = narrowScopes(token.scopes, body.scope);
  ctx.state.tokens.spendRefresh(token);
  const grant = mayRefresh(app, token.scopes, scopes) ? { scopes: token.scopes, grantedAt: token.grantedAt, family: token.family } : undefined;
  return tokenReply(ctx, app, token.openId, scopes, grant);
}

/**
 * §6.3: a refresh token comes only when offline_access is enabled for the app (checked at issue
 * time: an admin who disables it ends further refresh tokens — UNVERIFIED, the stricter choice),
 * was in the authorize scope, and is asked for again when `scope` narrows the grant.
 */
function mayRefresh(app: SandboxApp, granted: string[], narrowed: string[]): boolean {
  return [app.scopes, granted, narrowed].every((list) => list.includes(SCOPES.offlineAccess));
}

/** The optional `scope` narrows the grant to a subset (§6.3): a duplicate is 20067, a scope not granted 20068. */
function narrowScopes(granted: string[], requested: unknown): string[] {
  if (requested === undefined || requested === '') return granted;
  if (typeof requested !== 'string') fail(FEISHU.badRequest, 'scope must be a space-separated string');
  const wanted = requested.split(' ').filter(Boolean);
  if (new Set(wanted).size !== wanted.length) fail(FEISHU.scopeDuplicate, 'scope lists a scope twice');
  const extra = wanted.filter((s) => !granted.includes(s) && s !== SCOPES.userIdentity);
  if (extra.length) fail(FEISHU.scopeNotPermitted, `scope not granted: ${extra.join(' ')}`);
  return wanted;
}

/** refresh_token and refresh_token_expires_in appear only with a refresh grant (mayRefresh, §6.2). */
function tokenReply(ctx: RequestContext, app: SandboxApp, openId: string, scopes: string[], grant: RefreshGrant | undefined): Reply {
  const { access, refresh } = ctx.state.tokens.issueUserTokens(app.appId, openId, scopes, grant);
  const now = ctx.state.now();
  const scope = [SCOPES.userIdentity, ...scopes.filter((s) => s !== SCOPES.userIdentity)].join(' ');
  return json({
    code: 0,
    access_token: access.token,
    expires_in: Math.round((access.expiresAt - now) / 1000),
    ...(refresh ? { refresh_token: refresh.token, refresh_token_expires_in: Math.round((refresh.expiresAt - now) / 1000) } : {}),
    token_type: 'Bearer',
    scope,
  });
}

export const oauthTokenRoute: Route = {
  name: 'oauth_token',
  method: 'POST',
  path: '/open-apis/authen/v2/oauth/token',
  style: 'oauth',
  appOf: (ctx) => {
    const clientId = parseJsonObject(ctx.body)?.client_id;
    return typeof clientId === 'string' ? clientId : undefined;
  },
  handle: exchange,
};
