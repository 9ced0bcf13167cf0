import type { IncomingMessage } from 'node:http';
import type { SandboxApp } from './apps.js';
import type { CodeStore } from './auth-code-store.js';
import type { ContactRange } from './contact-range.js';
import type { EndpointName } from './endpoint-names.js';
import type { FeishuClientSetting } from './feishu-client-setting.js';
import type { Reply } from './http.js';
import type { Org } from './org.js';
import type { TokenStore } from './tokens.js';

/** Everything the endpoints share; one per sandbox. */
export interface SandboxState {
  org: Org;
  apps: SandboxApp[];
  tokens: TokenStore;
  codes: CodeStore;
  range: ContactRange;
  now: () => number;
  /** The emulated Feishu client (who is signed in, how requestAccess answers) behind the H5 JSSDK stand-in. */
  client: FeishuClientSetting;
  /** Where new users' avatars point: the sandbox's base URL once it listens (avatars.ts). */
  avatarBaseUrl: string;
}

export interface RequestContext {
  req: IncomingMessage;
  path: string;
  query: URLSearchParams;
  /** Decoded path captures, e.g. the :user_id of /users/:user_id. */
  params: string[];
  /** Raw body text ('' for GET). */
  body: string;
  state: SandboxState;
}

/**
 * How failures are written, per endpoint family (contract "Universal rule" and §2a):
 * - credentials: HTTP 200 `{code, msg}`;
 * - oauth: HTTP 400 (500 for 20050, 503 for 20072) `{code, error, error_description}`;
 * - open: `{code, msg, error:{log_id, …}}`, HTTP 200 for business codes but the contact-range ones
 *   (41050 → 400, 40004/40014 → 403), HTTP 400 for gateway codes (9999xxxx);
 * - page: an HTML error page naming the code.
 */
export type ErrorStyle = 'credentials' | 'oauth' | 'open' | 'page';

export interface Route {
  name: EndpointName;
  method: 'GET' | 'POST';
  /** An exact path, or a pattern whose groups become `params`. */
  path: string | RegExp;
  style: ErrorStyle;
  /** The app a request counts against for rate limiting (one quota per endpoint × app), if it can be told. */
  appOf(ctx: RequestContext): string | undefined;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export function findApp(state: SandboxState, appId: unknown): SandboxApp | undefined {
  return typeof appId === 'string' ? state.apps.find((a) => a.appId === appId) : undefined;
}
