import type { SandboxState } from './context.js';
import { checkAuthorizeQuery, PASSPORT_AUTHORIZE_PATH, type AuthorizeRequest } from './endpoints/authorize-page.js';
import { FEISHU, fail } from './errors.js';
import type { Org } from './org.js';
import type { FeishuUser } from './org-types.js';

/**
 * The `goto` given to the QR SDK (§5b): the passport authorize URL — of this sandbox, since the
 * stand-in cannot serve Feishu's — for a registered, active app and a registered redirect_uri (the
 * same checks as the passport page itself, so a bad goto shows its error in the QR frame instead
 * of after the scan). Throws the FeishuFailure the error page names.
 */
export function checkGoto(state: SandboxState, goto: string | null, sandboxOrigins: readonly string[]): AuthorizeRequest {
  if (!goto) fail(FEISHU.badRequest, 'goto is required');
  let url: URL;
  try {
    url = new URL(goto);
  } catch {
    fail(FEISHU.badRequest, 'goto is not an absolute URL');
  }
  if (!sandboxOrigins.includes(url.origin)) fail(FEISHU.badRequest, `goto must point at this sandbox (${sandboxOrigins[0]}), not ${url.origin}`);
  if (url.pathname !== PASSPORT_AUTHORIZE_PATH) {
    fail(FEISHU.badRequest, `goto must be the passport authorize URL ${PASSPORT_AUTHORIZE_PATH}; the QR SDK does not support the accounts flow (§5b)`);
  }
  // The page appends "&tmp_code=…" to goto (§5b); after a #fragment it would never reach the server.
  if (url.hash) fail(FEISHU.badRequest, 'goto must not have a #fragment (the page appends &tmp_code=… to it)');
  return checkAuthorizeQuery(state, url.searchParams, 'passport');
}

/** A frame or a phone screen holds only a few buttons; tests can mint tmp_codes for anyone via POST /_sandbox/tmp_codes. */
export const MAX_SCAN_USERS = 12;

export function scanUsers(org: Org): { shown: FeishuUser[]; hidden: number } {
  const active = org.activeUsers();
  return { shown: active.slice(0, MAX_SCAN_USERS), hidden: Math.max(0, active.length - MAX_SCAN_USERS) };
}
