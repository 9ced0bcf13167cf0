// The sandbox as its users see it: what startSandbox returns and the options of its helpers. Kept apart from
// server.ts so the control endpoints can name the Sandbox without importing the server that mounts them.
import type { SandboxApp } from './apps.js';
import type { CodeChallengeMethod } from './auth-code-store.js';
import type { SandboxEvents } from './events/hub.js';
import type { OrgChanges } from './events/org-changes.js';
import type { Fault } from './faults.js';
import type { FeishuClientSetting } from './feishu-client-setting.js';
import type { Org } from './org.js';
import type { SandboxStats } from './stats.js';

export interface IssueCodeOptions {
  /** user_id, open_id or union_id. */
  userId: string;
  appId?: string;
  /** When given, the token exchange must present the same redirect_uri (20071); when absent, any. */
  redirectUri?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  /** Granted scopes, space-separated or a list; include 'offline_access' (and enable it in the app's scopes) to get a refresh token. */
  scope?: string | string[];
  state?: string;
}

export interface IssuedCode {
  code: string;
  /** redirect_uri?code=…&state=… when a redirectUri was given. */
  callbackUrl?: string;
}

export interface AuthorizeUrlOptions {
  flavour?: 'accounts' | 'passport';
  appId?: string;
  redirectUri: string;
  state?: string;
  scope?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
}

export interface Sandbox {
  readonly baseUrl: string;
  /** Credentials of the first registered app. */
  readonly appId: string;
  readonly appSecret: string;
  /** Mutable: resign users, move departments… between calls (see Org). */
  readonly org: Org;
  /** Mutable: change an app's status, scopes, contact range or redirect URLs on the fly. */
  readonly apps: SandboxApp[];
  /**
   * Org changes as a Feishu admin makes them, each pushing its contact events (also the
   * /_sandbox/org/… routes). Editing `org` or an app's range directly pushes nothing.
   */
  readonly changes: OrgChanges;
  /** Event subscriptions, deliveries and long connections (also the /_sandbox/events/… routes). */
  readonly events: SandboxEvents;
  stats(): SandboxStats;
  resetStats(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Mints a code as if the user had approved the authorize page. */
  issueCode(options: IssueCodeOptions): IssuedCode;
  /** Mints the QR SDK's tmp_code for a user, to append to a passport authorize URL (§5b). */
  issueTmpCode(options: { userId: string }): string;
  /** A URL of the sandbox's authorize page. */
  authorizeUrl(options: AuthorizeUrlOptions): string;
  /** Every tenant/app/user access token issued so far expires now. */
  expireTokens(): void;
  /** Every access and refresh token issued so far is revoked. */
  revokeTokens(): void;
  /**
   * The emulated Feishu client behind the H5 JSSDK stand-in (feishu-client.ts): who is signed in to it
   * (default: the first active user) and how requestAccess answers (default 'grant'). Pages that load the
   * stand-in after the change see it. Also POST/GET/DELETE /_sandbox/client.
   */
  setFeishuClient(change: Partial<FeishuClientSetting>): FeishuClientSetting;
  /** Back to the default client: the first active user, requestAccess granted. */
  resetFeishuClient(): FeishuClientSetting;
  close(): Promise<void>;
}
