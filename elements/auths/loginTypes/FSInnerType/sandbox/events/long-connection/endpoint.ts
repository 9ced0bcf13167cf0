import { findApp, type RequestContext, type Route } from '../../context.js';
import { json, parseJsonObject, type Reply } from '../../http.js';
import type { EventSettings } from '../types.js';
import { EXCEED_CONN_LIMIT, type LongConnections } from './connections.js';

/**
 * `POST /callback/ws/endpoint` (§3.1): body `{AppID, AppSecret}` → a connect URL and ClientConfig.
 *
 * | case                                           | code        | msg               |
 * |------------------------------------------------|-------------|-------------------|
 * | ok                                             | 0           | ok                |
 * | unknown app, wrong or missing secret           | 514         | auth failed       |
 * |   (ClientAssertion is not emulated)            |             |                   |
 * | app disabled or not installed                  | 403         | forbidden         |
 * | the app already holds 50 connections           | 1000040350  | exceed_conn_limit |
 *
 * - Always HTTP 200, and `data` is `{}` on failure: node-sdk destructures `data.URL` before it looks at
 *   the code, so without a `data` object every failure would read as a retryable network error
 *   (the real body on failure is UNVERIFIED; this is the one under which node-sdk sees the code).
 * - Which code an inactive app gets is UNVERIFIED; 403 is the SDKs' "forbidden", terminal in all.
 * - Long connections are for self-built apps (§3.8); every sandbox app is one.
 */
export interface EndpointDeps {
  connections: LongConnections;
  settings: () => EventSettings;
  /** The sandbox's own origin, used when the request has no Host header. */
  baseUrl: () => string;
}

const failure = (code: number, msg: string): Reply => json({ code, msg, data: {} });

export function wsEndpointRoute(deps: EndpointDeps): Route {
  return {
    name: 'ws_endpoint',
    method: 'POST',
    path: '/callback/ws/endpoint',
    style: 'credentials',
    appOf: (ctx) => {
      const appId = parseJsonObject(ctx.body)?.AppID;
      return typeof appId === 'string' ? appId : undefined;
    },
    handle: (ctx) => endpoint(ctx, deps),
  };
}

function endpoint(ctx: RequestContext, deps: EndpointDeps): Reply {
  const body = parseJsonObject(ctx.body);
  const app = findApp(ctx.state, body?.AppID);
  const secret = body?.AppSecret;
  if (!app || typeof secret !== 'string' || !secret || secret !== app.appSecret) return failure(514, 'auth failed');
  if (app.status !== 'active') return failure(403, 'forbidden');
  const settings = deps.settings();
  if (deps.connections.count(app.appId) >= settings.maxConnectionsPerApp) return failure(EXCEED_CONN_LIMIT, 'exceed_conn_limit');
  const host = ctx.req.headers.host;
  const origin = host ? `http://${host}` : deps.baseUrl();
  return json({ code: 0, msg: 'ok', data: { URL: deps.connections.issueUrl(app.appId, origin), ClientConfig: { ...settings.clientConfig } } });
}
