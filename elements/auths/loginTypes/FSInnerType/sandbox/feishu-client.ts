import type { SandboxState } from './context.js';
import type { FeishuClientSetting, RequestAccessMode } from './feishu-client-setting.js';
import type { FeishuUser } from './org-types.js';

export type { FeishuClientSetting, RequestAccessMode } from './feishu-client-setting.js';

export const REQUEST_ACCESS_MODES: readonly RequestAccessMode[] = ['grant', 'decline', 'unsupported', 'missing'];

export function defaultFeishuClient(): FeishuClientSetting {
  return { userId: null, requestAccess: 'grant' };
}

/** Checks and applies a partial setting (from the control API or a test); throws on a bad value. */
export function updateFeishuClient(setting: FeishuClientSetting, change: Record<string, unknown>): FeishuClientSetting {
  for (const key of Object.keys(change)) if (key !== 'userId' && key !== 'requestAccess') throw new Error(`feishu client: unknown setting "${key}"`);
  if ('userId' in change && change['userId'] !== null && (typeof change['userId'] !== 'string' || !change['userId'])) throw new Error('feishu client: userId must be a user id or null');
  if ('requestAccess' in change && !REQUEST_ACCESS_MODES.includes(change['requestAccess'] as RequestAccessMode)) {
    throw new Error(`feishu client: requestAccess must be one of ${REQUEST_ACCESS_MODES.join(', ')}`);
  }
  if ('userId' in change) setting.userId = change['userId'] as string | null;
  if ('requestAccess' in change) setting.requestAccess = change['requestAccess'] as RequestAccessMode;
  return setting;
}

/** Code lifetimes (§5.2): requestAccess 3 min, single use; requestAuthCode 5 min (the store's, when shorter, wins). */
export const REQUEST_ACCESS_CODE_SECONDS = 180;
export const REQUEST_AUTH_CODE_SECONDS = 300;

/** The signed-in client user, or why there is none (the stand-in then reports it through h5sdk.error). */
export function clientUser(state: SandboxState): { user: FeishuUser; problem: null } | { user: null; problem: string } {
  const wanted = state.client.userId;
  const org = state.org;
  const user = wanted ? (org.findUser(wanted, 'user_id') ?? org.findUser(wanted, 'open_id') ?? org.findUser(wanted, 'union_id')) : org.activeUsers()[0];
  if (!user) return { user: null, problem: wanted ? `sandbox: no user "${wanted}" is signed in to the Feishu client` : 'sandbox: the org has no active user' };
  if (user.status.is_resigned || user.status.is_frozen) return { user: null, problem: `sandbox: user "${user.user_id}" is not active` };
  return { user, problem: null };
}

export interface ClientCall {
  api: 'requestAccess' | 'requestAuthCode';
  /** `appID` for requestAccess, `appId` for requestAuthCode: the stand-in passes whichever the page gave. */
  appId?: unknown;
  /** The calling page's location.href without `?…` and `#…`. */
  pageUrl?: unknown;
  scopeList?: unknown;
}

export type ClientOutcome = { ok: true; code: string } | { ok: false; errno: number; errCode: number; errString: string };

function refuse(code: number, errString: string): ClientOutcome {
  // errno and errCode carry the same number (UNVERIFIED which field Feishu fills per failure; a page reading either works).
  return { ok: false, errno: code, errCode: code, errString };
}

/**
 * One JSAPI call of the emulated client. Checks, in order (the order is the sandbox's choice):
 * 1. requestAccess on a client without it → errno 103;
 * 2. no usable signed-in user → requestAccess errno 2700001 "unable to get session", requestAuthCode
 *    errCode 10210 "sessionid invalid" (the mapping is UNVERIFIED);
 * 3. appId/appID missing or unknown → 10200 (chosen for both APIs);
 * 4. scopeList (requestAccess) not a list of strings → -1 (sandbox-only: the docs give no code), a scope
 *    the app has not enabled → 20027 (the authorize page's code; UNVERIFIED for requestAccess);
 * 5. the calling page's URL must be one of the app's redirect URLs, compared exactly: none registered →
 *    10235, not in the list → 10236. Documented for requestAuthCode; for requestAccess it is UNVERIFIED
 *    whether Feishu checks it and with which codes, so the sandbox applies the same check (stricter is safer);
 * 6. requestAccess declined → errno 2700002;
 * 7. a single-use code: requestAccess 3 min with the requested scopes, requestAuthCode 5 min.
 * Not emulated: app visibility (10227/10228), a disabled app (its code exchange fails instead: 20042/20009).
 */
export function callInClient(state: SandboxState, call: ClientCall): ClientOutcome {
  const access = call.api === 'requestAccess';
  if (access && state.client.requestAccess !== 'grant' && state.client.requestAccess !== 'decline') return refuse(103, 'feature not support');
  const signedIn = clientUser(state);
  if (!signedIn.user) return access ? refuse(2700001, `unable to get session (${signedIn.problem})`) : refuse(10210, `sessionid invalid (${signedIn.problem})`);
  const app = typeof call.appId === 'string' && call.appId ? state.apps.find((a) => a.appId === call.appId) : undefined;
  if (!app) return refuse(10200, `invalid ${access ? 'appID' : 'appId'}`);
  let scopes: string[] = [];
  if (access) {
    if (!Array.isArray(call.scopeList) || call.scopeList.some((s) => typeof s !== 'string')) return refuse(-1, 'sandbox: scopeList must be a list of scope names ([] for identity only)');
    scopes = call.scopeList as string[];
    const missing = scopes.find((s) => !app.scopes.includes(s));
    if (missing !== undefined) return refuse(20027, `the scope "${missing}" is not enabled for this app`);
  }
  if (app.redirectUris.length === 0) return refuse(10235, 'no redirect URL is configured for this app');
  if (typeof call.pageUrl !== 'string' || !app.redirectUris.includes(call.pageUrl)) return refuse(10236, 'the page URL is empty or not in the redirect URL list');
  if (access && state.client.requestAccess === 'decline') return refuse(2700002, 'Authorization terminated unexpectedly: the user declined');
  const code = state.codes.issue({
    appId: app.appId,
    openId: signedIn.user.open_id,
    scopes,
    maxTtlSeconds: access ? REQUEST_ACCESS_CODE_SECONDS : REQUEST_AUTH_CODE_SECONDS,
  });
  return { ok: true, code: code.code };
}
