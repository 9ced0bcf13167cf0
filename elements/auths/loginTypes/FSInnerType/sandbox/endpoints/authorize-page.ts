import type { SandboxApp } from '../apps.js';
import type { CodeChallengeMethod } from '../auth-code-store.js';
import { findApp, type RequestContext, type Route, type SandboxState } from '../context.js';
import { FEISHU, fail } from '../errors.js';
import { escapeHtml, html, redirect, type Reply } from '../http.js';

/**
 * The browser side (§5a): the accounts-style page of the OAuth v2 flow and the legacy passport page
 * that the QR SDK's `goto` must point at. Each lists the active users as "Sign in as …" links;
 * following one issues a code and redirects to `redirect_uri?code=…&state=…`; "Deny" redirects with
 * `error=access_denied`. Problems with the request itself show an error page naming the code
 * (20029 unregistered redirect_uri, 20027 scope not enabled, …), as Feishu does.
 */
export type Flavour = 'accounts' | 'passport';

const BASES: Record<Flavour, string> = {
  accounts: '/open-apis/authen/v1/authorize',
  passport: '/suite/passport/oauth/authorize',
};

/** Space-separated scopes an authorize request may ask for (§5.3). */
const MAX_SCOPES = 50;

/** Long organizations would make a page nobody can use; tests pick users by id anyway. */
const MAX_LISTED_USERS = 200;

export interface AuthorizeRequest {
  app: SandboxApp;
  redirectUri: string;
  state: string | null;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

/** Path of the legacy passport authorize page, the only `goto` the QR SDK accepts (§5b). */
export const PASSPORT_AUTHORIZE_PATH = BASES.passport;

function parseRequest(ctx: RequestContext, flavour: Flavour): AuthorizeRequest {
  return checkAuthorizeQuery(ctx.state, ctx.query, flavour);
}

/** Validates an authorize request's query; throws the FeishuFailure its error page names. */
export function checkAuthorizeQuery(state: SandboxState, q: URLSearchParams, flavour: Flavour): AuthorizeRequest {
  const clientId = q.get('client_id');
  if (!clientId) fail(FEISHU.badRequest, 'client_id is required');
  const app = findApp(state, clientId);
  if (!app) fail(FEISHU.appNotExist, 'the app does not exist');
  if (app.status === 'disabled') fail(FEISHU.appDisabled, 'the app is disabled');
  if (app.status === 'not_installed') fail(FEISHU.appNotInstalled, 'the app is not installed in this tenant');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri || !app.redirectUris.includes(redirectUri)) fail(FEISHU.redirectNotRegistered, 'redirect_uri is not registered for this app');
  if (q.get('response_type') !== 'code') fail(FEISHU.badRequest, 'response_type must be code');
  // The passport flow has no scope or PKCE support (§5a); the parameters are ignored there.
  if (flavour === 'passport') return { app, redirectUri, state: q.get('state'), scopes: [] };
  const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
  // At most 50 scopes (§5.3); the code Feishu shows beyond that is UNVERIFIED: 20001 here.
  if (scopes.length > MAX_SCOPES) fail(FEISHU.badRequest, `scope lists ${scopes.length} scopes; at most ${MAX_SCOPES} are allowed`);
  // Duplicates are 20067 at the token endpoint (§6.3); whether the page refuses them is UNVERIFIED, refused alike here.
  if (new Set(scopes).size !== scopes.length) fail(FEISHU.scopeDuplicate, 'scope lists a scope twice');
  // offline_access too must be enabled for the app (§6.3) to be asked for.
  const missing = scopes.filter((s) => !app.scopes.includes(s));
  if (missing.length) fail(FEISHU.scopeNotEnabled, `scope not enabled for this app: ${missing.join(' ')}`);
  const codeChallenge = q.get('code_challenge') || undefined;
  const method = q.get('code_challenge_method') || 'plain';
  if (method !== 'S256' && method !== 'plain') fail(FEISHU.badRequest, 'code_challenge_method must be S256 or plain');
  return { app, redirectUri, state: q.get('state'), scopes, codeChallenge, codeChallengeMethod: codeChallenge ? method : undefined };
}

/** Appends to the query and re-appends a #fragment after it (§5a). */
export function callbackUrl(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  const fragment = url.hash;
  url.hash = '';
  for (const [key, value] of Object.entries(params)) if (value != null) url.searchParams.append(key, value);
  return `${url.toString()}${fragment}`;
}

function forwardedParams(ctx: RequestContext): URLSearchParams {
  const params = new URLSearchParams(ctx.query);
  params.delete('user_id');
  return params;
}

function page(flavour: Flavour) {
  return (ctx: RequestContext): Reply => {
    const tmpCode = ctx.query.get('tmp_code');
    const request = parseRequest(ctx, flavour);
    if (flavour === 'passport' && tmpCode) return finishWithTmpCode(ctx, request, tmpCode);
    const params = forwardedParams(ctx).toString();
    const users = ctx.state.org.activeUsers().slice(0, MAX_LISTED_USERS);
    const links = users
      .map((u) => {
        const href = `${BASES[flavour]}/confirm?${params}&user_id=${encodeURIComponent(u.user_id)}`;
        return `<li><a class="sign-in" data-user-id="${escapeHtml(u.user_id)}" href="${escapeHtml(href)}">Sign in as ${escapeHtml(u.name)}</a> <small>${escapeHtml(u.user_id)}</small></li>`;
      })
      .join('\n');
    return html(
      document(`<h1>${escapeHtml(request.app.appId)} wants to sign you in</h1>
<ul>
${links}
</ul>
<p><a class="deny" href="${escapeHtml(`${BASES[flavour]}/deny?${params}`)}">Deny</a></p>`),
    );
  };
}

function confirm(flavour: Flavour) {
  return (ctx: RequestContext): Reply => {
    const request = parseRequest(ctx, flavour);
    const userId = ctx.query.get('user_id');
    const user = userId ? ctx.state.org.findUser(userId, 'user_id') : undefined;
    if (!user) fail(FEISHU.userNotExist, 'no such user');
    if (user.status.is_resigned) fail(FEISHU.userResigned, 'the user has resigned');
    if (user.status.is_frozen) fail(FEISHU.userFrozen, 'the user is frozen');
    return redirectWithCode(ctx, request, user.open_id);
  };
}

function deny(flavour: Flavour) {
  return (ctx: RequestContext): Reply => {
    const request = parseRequest(ctx, flavour);
    return redirect(callbackUrl(request.redirectUri, { error: 'access_denied', state: request.state }));
  };
}

/** §5b: the QR SDK hands the page a temporary code; Feishu then redirects straight to the callback. */
function finishWithTmpCode(ctx: RequestContext, request: AuthorizeRequest, tmpCode: string): Reply {
  const openId = ctx.state.codes.takeTmpCode(tmpCode);
  if (!openId) fail(FEISHU.codeInvalid, 'tmp_code is invalid or expired');
  return redirectWithCode(ctx, request, openId);
}

function redirectWithCode(ctx: RequestContext, request: AuthorizeRequest, openId: string): Reply {
  const code = ctx.state.codes.issue({
    appId: request.app.appId,
    openId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    scopes: request.scopes,
  });
  return redirect(callbackUrl(request.redirectUri, { code: code.code, state: request.state }));
}

export function authorizeErrorPage(code: number, description: string): Reply {
  return html(document(`<h1>Authorization failed</h1>
<p class="error" data-error-code="${code}">Error ${code}: ${escapeHtml(description)}</p>`), 400);
}

function document(body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feishu sandbox — authorize</title></head>
<body>
${body}
</body></html>`;
}

function routesFor(flavour: Flavour): Route[] {
  const base = BASES[flavour];
  const common = { name: 'authorize', method: 'GET', style: 'page', appOf: (ctx: RequestContext) => ctx.query.get('client_id') ?? undefined } as const;
  return [
    { ...common, path: base, handle: page(flavour) },
    { ...common, path: `${base}/confirm`, handle: confirm(flavour) },
    { ...common, path: `${base}/deny`, handle: deny(flavour) },
  ];
}

export const authorizeRoutes: Route[] = [...routesFor('accounts'), ...routesFor('passport')];
