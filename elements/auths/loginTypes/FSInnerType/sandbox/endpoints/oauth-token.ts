import { SCOPES, type SandboxApp } from '../apps.js';
import { findApp, type RequestContext, type Route } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { json, parseJsonObject, type Reply } from '../http.js';

/**
 * §2a/§2e `POST /open-apis/authen/v2/oauth/token`: authorization_code and refresh_token grants,
 * client_id/client_secret in a JSON body (form bodies are UNVERIFIED in the contract and refused
 * here with 20001), success at the top level without a `data` wrapper.
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
  return tokenReply(ctx, app, redeemed.openId, scopes);
}

function refresh(ctx: RequestContext, app: SandboxApp, body: Record<string, unknown>): Reply {
  if (app.refreshEnabled === false) fail(FEISHU.refreshDisabled, 'refreshing user_access_token is switched off for this app');
  const raw = body.refresh_token;
  if (typeof raw !== 'string' || !raw) fail(FEISHU.badRequest, 'refresh_token is required');
  const token = ctx.state.tokens.findRefresh(raw);
  if (!token) fail(FEISHU.refreshInvalid, 'the refresh token is invalid');
  if (token.appId !== app.appId) fail(FEISHU.wrongApp, 'the refresh token was issued to another app');
  if (token.revoked) fail(FEISHU.refreshRevoked, 'the refresh token has been revoked');
  if (token.used) fail(FEISHU.refreshUsed, 'the refresh token has already been used');
  if (token.expiresAt <= ctx.state.now()) fail(FEISHU.refreshExpired, 'the refresh token has expired');
  const scopes = narrowScopes(token.scopes, body.scope);
  ctx.state.tokens.spendRefresh(token);
  return tokenReply(ctx, app, token.openId, scopes);
}

/** The optional `scope` narrows the grant to a subset; asking for more than was granted is 20027. */
function narrowScopes(granted: string[], requested: unknown): string[] {
  if (requested === undefined || requested === '') return granted;
  if (typeof requested !== 'string') fail(FEISHU.badRequest, 'scope must be a space-separated string');
  const wanted = requested.split(' ').filter(Boolean);
  const extra = wanted.filter((s) => !granted.includes(s) && s !== SCOPES.userIdentity);
  if (extra.length) fail(FEISHU.scopeNotEnabled, `scope not granted: ${extra.join(' ')}`);
  return wanted;
}

/** refresh_token and refresh_token_expires_in appear only when offline_access was granted (§2a). */
function tokenReply(ctx: RequestContext, app: SandboxApp, openId: string, scopes: string[]): Reply {
  const withRefresh = scopes.includes(SCOPES.offlineAccess);
  const { access, refresh } = ctx.state.tokens.issueUserTokens(app.appId, openId, scopes, withRefresh);
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
  perMinuteCap: true,
  appOf: (ctx) => {
    const clientId = parseJsonObject(ctx.body)?.client_id;
    return typeof clientId === 'string' ? clientId : undefined;
  },
  handle: exchange,
};
