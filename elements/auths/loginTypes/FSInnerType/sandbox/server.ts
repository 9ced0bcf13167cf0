import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { completeApp, defaultApp, type SandboxApp } from './apps.js';
import { CodeStore } from './auth-code-store.js';
import { ContactRange } from './contact-range.js';
import type { RequestContext, Route, SandboxState } from './context.js';
import { rebaseAvatars, UNBOUND_AVATAR_BASE } from './avatars.js';
import { requestOrigin } from './browser.js';
import { preflightReply, withCors } from './cors.js';
import { authorizeRoutes, callbackUrl } from './endpoints/authorize-page.js';
import { contactDepartmentRoutes } from './endpoints/contact-departments.js';
import { contactScopesRoute } from './endpoints/contact-scopes.js';
import { contactUserRoutes } from './endpoints/contact-users.js';
import { handleControl } from './endpoints/control.js';
import { credentialRoutes } from './endpoints/credentials.js';
import { EventHub } from './events/hub.js';
import { wsEndpointRoute } from './events/long-connection/endpoint.js';
import type { EventOptions } from './events/types.js';
import { oauthTokenRoute } from './endpoints/oauth-token.js';
import { findStandin } from './endpoints/standins.js';
import { userInfoRoute } from './endpoints/user-info.js';
import { failureReply, injectedStatusReply, rateLimitedAs400Reply, rateLimitedReply } from './error-replies.js';
import { FEISHU, FeishuFailure } from './errors.js';
import { FaultQueue, type FaultKind } from './faults.js';
import { defaultFeishuClient, updateFeishuClient } from './feishu-client.js';
import { newLogId, readBody, writeReply, type Reply } from './http.js';
import type { AuthorizeUrlOptions, IssueCodeOptions, IssuedCode, Sandbox } from './sandbox-api.js';
import { Org } from './org.js';
import { generateOrg, type OrgOptions } from './org-generator.js';
import { RateLimiter } from './rate-limiter.js';
import { Router } from './router.js';
import { StatsRecorder } from './stats.js';
import { TokenStore } from './tokens.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** A prebuilt org, or options for generateOrg (default: the small named org). */
  org?: Org | OrgOptions;
  /** Registered apps (the first is `sandbox.appId`); default: the demo app, granted DEFAULT_APP_SCOPES. */
  apps?: Array<Partial<SandboxApp> & { appId: string }>;
  /**
   * Requests per second per endpoint per app, in any 1000 ms span (default 50, §7; rate-limiter.ts);
   * 0 or Infinity turns rate limiting off altogether (benchmarks use `--rate 0`).
   */
  rate?: number;
  /** Requests per minute per endpoint per app, in any 60 s span, on every limited endpoint (default 1000); 0 or Infinity turns this cap off. */
  ratePerMinute?: number;
  /** The clock (ms) for expiry and rate windows. */
  now?: () => number;
  codeTtlSeconds?: number;
  tokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Event push knobs: the retry time scale, deadlines, the long connection's ClientConfig (events/types.ts). */
  events?: EventOptions;
}

export type { AuthorizeUrlOptions, IssueCodeOptions, IssuedCode, Sandbox } from './sandbox-api.js';

const ROUTES: Route[] = [
  ...credentialRoutes,
  oauthTokenRoute,
  userInfoRoute,
  ...contactUserRoutes,
  ...contactDepartmentRoutes,
  contactScopesRoute,
  ...authorizeRoutes,
];

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const org = options.org instanceof Org ? options.org : generateOrg(options.org);
  const apps = options.apps?.length ? options.apps.map(completeApp) : [defaultApp()];
  const state: SandboxState = {
    org,
    apps,
    now,
    tokens: new TokenStore(now, { accessSeconds: options.tokenTtlSeconds ?? 7200, refreshSeconds: options.refreshTokenTtlSeconds ?? 604_800 }),
    codes: new CodeStore(now, options.codeTtlSeconds ?? 300),
    range: new ContactRange(org),
    client: defaultFeishuClient(),
    avatarBaseUrl: UNBOUND_AVATAR_BASE,
  };
  const events = new EventHub(state, options.events);
  const router = new Router([...ROUTES, wsEndpointRoute({ connections: events.longConnections, settings: () => events.settings(), baseUrl: () => sandbox.baseUrl })]);
  const faults = new FaultQueue();
  const stats = new StatsRecorder();
  const perSecond = options.rate ?? 50;
  const limiter = new RateLimiter(now, { perSecond, perMinute: perSecond > 0 && Number.isFinite(perSecond) ? (options.ratePerMinute ?? 1000) : 0 });

  const sandbox: Sandbox = {
    baseUrl: '',
    get appId() {
      return apps[0]!.appId;
    },
    get appSecret() {
      return apps[0]!.appSecret;
    },
    org,
    apps,
    changes: events.changes,
    events,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    issueCode: (o) => {
      const app = o.appId ? apps.find((a) => a.appId === o.appId) : apps[0];
      if (!app) throw new Error(`sandbox: no app "${o.appId}"`);
      const scopes = Array.isArray(o.scope) ? o.scope : (o.scope ?? '').split(' ').filter(Boolean);
      const code = state.codes.issue({
        appId: app.appId,
        openId: org.user(o.userId).open_id,
        redirectUri: o.redirectUri,
        codeChallenge: o.codeChallenge,
        codeChallengeMethod: o.codeChallengeMethod,
        scopes,
      });
      return o.redirectUri ? { code: code.code, callbackUrl: callbackUrl(o.redirectUri, { code: code.code, state: o.state }) } : { code: code.code };
    },
    issueTmpCode: (o) => state.codes.issueTmpCode(org.user(o.userId).open_id),
    authorizeUrl: (o) => {
      const params = new URLSearchParams({ client_id: o.appId ?? apps[0]!.appId, redirect_uri: o.redirectUri, response_type: 'code' });
      if (o.state !== undefined) params.set('state', o.state);
      if (o.scope !== undefined) params.set('scope', o.scope);
      if (o.codeChallenge !== undefined) params.set('code_challenge', o.codeChallenge);
      if (o.codeChallengeMethod !== undefined) params.set('code_challenge_method', o.codeChallengeMethod);
      const path = o.flavour === 'passport' ? '/suite/passport/oauth/authorize' : '/open-apis/authen/v1/authorize';
      return `${sandbox.baseUrl}${path}?${params}`;
    },
    expireTokens: () => state.tokens.expireAll(),
    revokeTokens: () => state.tokens.revokeAll(),
    setFeishuClient: (change) => ({ ...updateFeishuClient(state.client, change as Record<string, unknown>) }),
    resetFeishuClient: () => ({ ...Object.assign(state.client, defaultFeishuClient()) }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        events.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const logId = newLogId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const control = path.startsWith('/_sandbox/');
    if (control && method === 'OPTIONS') return writeReply(res, preflightReply(req), logId);
    const standin = findStandin(method, path);
    if (standin) {
      const reply = await standin({ path, query, headers: req.headers, origin: requestOrigin(req, sandbox.baseUrl), baseUrl: sandbox.baseUrl, state });
      return writeReply(res, control ? withCors(reply) : reply, logId);
    }
    if (control) {
      writeReply(res, withCors(await handleControl(sandbox, state, method, path, method === 'GET' ? '' : await readBody(req), query)), logId);
      return;
    }
    const match = router.match(method, path);
    if (!match) {
      writeReply(res, { status: 404, body: '404 page not found', contentType: 'text/plain; charset=utf-8' }, logId);
      return;
    }
    const { route } = match;
    stats.request(route.name);
    const send = (reply: Reply) => {
      stats.response(route.name, reply.status);
      writeReply(res, reply, logId);
    };

    const fault = faults.take(route.name);
    if (fault) stats.faulted(route.name);
    if (fault?.kind === 'latency') await sleep(fault.ms);

    const ctx: RequestContext = {
      req,
      path,
      query,
      params: match.params,
      body: route.method === 'POST' ? await readBody(req) : '',
      state,
    };
    // Every routed endpoint is limited, per endpoint × app (rate-limiter.ts has the table); the
    // control routes and stand-ins returned above never get here.
    const quotaKey = `${route.name}\n${route.appOf(ctx) ?? ''}`;
    if (fault && fault.kind !== 'latency') {
      // An injected failure stands for Feishu's answer to a request its gateway let through, so it
      // uses up a free slot, as a real 5xx, drop or bad reply may (undocumented; the stricter
      // reading): a client retrying failures in a tight loop meets the limit here as it would there.
      // It is never refused, since the test asked to see the fault; an injected 429 counts nothing.
      if (fault.kind !== 'rate_limit') limiter.take(quotaKey);
      if (fault.kind === 'drop') {
        stats.response(route.name, 'dropped');
        req.socket.destroy();
        return;
      }
      return send(faultReply(fault, route, logId));
    }
    const limited = limiter.take(quotaKey);
    if (limited) {
      stats.rateLimited(route.name);
      return send(rateLimitedReply(limited.limit, limited.resetSeconds));
    }
    try {
      send(await route.handle(ctx));
    } catch (error) {
      if (error instanceof FeishuFailure) return send(failureReply(route.style, error, logId));
      send(failureReply(route.style, new FeishuFailure(route.style === 'oauth' ? FEISHU.serverError : FEISHU.contactInternal, 'sandbox internal error'), logId));
    }
  }

  function faultReply(fault: Exclude<FaultKind, { kind: 'latency' | 'drop' }>, route: Route, logId: string): Reply {
    switch (fault.kind) {
      case 'status':
        return injectedStatusReply(route.style, fault.status);
      case 'rate_limit': {
        stats.rateLimited(route.name);
        const limit = perSecond > 0 && Number.isFinite(perSecond) ? perSecond : 50;
        return fault.status === 400 ? rateLimitedAs400Reply(limit, fault.resetSeconds) : rateLimitedReply(limit, fault.resetSeconds ?? 1);
      }
      case 'malformed':
        return { status: 200, body: '{"code":0,"msg":"success","data":{"user":{"open_id":"ou_', contentType: 'application/json; charset=utf-8' };
      case 'content_type':
        return { status: 200, body: '<!DOCTYPE html><html><head><title>Feishu</title></head><body>Service busy, please retry</body></html>', contentType: 'text/html; charset=utf-8' };
      case 'token_invalid':
        return failureReply(route.style, new FeishuFailure(FEISHU.tokenInvalid), logId);
    }
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // The long connection's WebSocket (events/long-connection/); any other upgrade is refused.
  server.on('upgrade', (req, socket, head) => {
    if (!events.longConnections.handleUpgrade(req, socket, head)) socket.destroy();
  });
  // Feishu keeps connections alive; so does the sandbox, longer than typical client agents' idle time.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  (sandbox as { baseUrl: string }).baseUrl = `http://${host}:${address.port}`;
  // The org was made (or passed in) before the port was known: its avatars now point at this sandbox (avatars.ts).
  state.avatarBaseUrl = sandbox.baseUrl;
  rebaseAvatars(org, sandbox.baseUrl);
  return sandbox;
}
