import { stableHex } from './random.js';

/**
 * How an app's install state shows up (contract §6; which code each endpoint uses is not documented
 * per endpoint — UNVERIFIED, chosen here and kept consistent):
 *
 * | status          | tenant/app token      | OAuth v2 token & authorize page | contact / user_info with an old token |
 * |-----------------|-----------------------|---------------------------------|----------------------------------------|
 * | 'disabled'      | 99991662 app not in use | 20042 app disabled             | 99991662                               |
 * | 'not_installed' | 99991673 app unauthorized | 20009 app not installed      | 99991673                               |
 */
export type AppStatus = 'active' | 'disabled' | 'not_installed';

export interface SandboxApp {
  appId: string;
  appSecret: string;
  status: AppStatus;
  /** API and field permissions enabled in the developer console. */
  scopes: string[];
  /** The app's contact range: every member, or these departments (any id form) and everything below. */
  contactScope: 'all' | string[];
  /** People added to a limited contact range one by one (any id form), besides `contactScope`'s departments. */
  contactUsers?: string[];
  /** Registered redirect URLs, compared exactly (no wildcards, contract §5a). */
  redirectUris: string[];
  /** The "refresh user_access_token" security switch (off → 20074, contract §2e). */
  refreshEnabled?: boolean;
}

/** Permission strings the sandbox knows (contract feishu-events-and-scopes.md §4). */
export const SCOPES = {
  /** API-level: the one every contact v3 endpoint accepts, and the only one users/batch and departments/batch accept (§4.1). */
  contactBase: 'contact:contact.base:readonly',
  contactAccessAsApp: 'contact:contact:access_as_app',
  contactRead: 'contact:contact:readonly',
  contactReadAsApp: 'contact:contact:readonly_as_app',
  userBase: 'contact:user.base:readonly',
  userEmail: 'contact:user.email:readonly',
  userPhone: 'contact:user.phone:readonly',
  userEmployeeId: 'contact:user.employee_id:readonly',
  userEmployee: 'contact:user.employee:readonly',
  userEmployeeNumber: 'contact:user.employee_number:read',
  userDepartment: 'contact:user.department:readonly',
  userGender: 'contact:user.gender:readonly',
  departmentBase: 'contact:department.base:readonly',
  departmentOrganize: 'contact:department.organize:readonly',
  userIdentity: 'auth:user.id:read',
  offlineAccess: 'offline_access',
} as const;

export const ALL_SCOPES: readonly string[] = Object.values(SCOPES);

/**
 * "B3" of §4: the whole-contact permissions. Each is accepted at API level by the contact endpoints
 * that list it, and each stands in for most field permissions — not for user_id, email or mobile.
 */
export const WHOLE_CONTACT_SCOPES: readonly string[] = [SCOPES.contactAccessAsApp, SCOPES.contactRead, SCOPES.contactReadAsApp];

/**
 * The demo app's grant (defaultApp: what `jit sandbox` and `npm start` use, and every test app that
 * names no scopes). It is **exactly** the README's "Going live" permission list, so the demo proves
 * that list is enough for every feature; a test compares the two.
 */
export const DEFAULT_APP_SCOPES: readonly string[] = [
  SCOPES.contactBase,
  SCOPES.userBase,
  SCOPES.userEmail,
  SCOPES.userPhone,
  SCOPES.userGender,
  SCOPES.userEmployeeId,
  SCOPES.userEmployee,
  SCOPES.userDepartment,
  SCOPES.departmentBase,
  SCOPES.departmentOrganize,
];

/**
 * Not in the default grant: an app that wants refresh tokens enables it in the console and asks for
 * it at authorize time (§6.3). Grant it to a sandbox app with
 * `{ ...defaultApp(), scopes: [...DEFAULT_APP_SCOPES, REFRESH_TOKEN_SCOPE] }`.
 */
export const REFRESH_TOKEN_SCOPE = SCOPES.offlineAccess;

export const DEFAULT_APP_ID = 'cli_sandbox0000000001';

/**
 * An app id of the form node-sdk's WSClient insists on (`^cli_[0-9a-fA-F]{16}$`, §3.1; it refuses
 * to start otherwise, which DEFAULT_APP_ID would make it do). Register it for long-connection tests:
 * `startSandbox({ apps: [defaultApp(), completeApp({ appId: SDK_APP_ID })] })`.
 */
export const SDK_APP_ID = 'cli_a1b2c3d4e5f60718';

/** Redirect URLs registered on the default app; tests add their own with `sandbox.apps[0].redirectUris.push(…)`. */
export const DEFAULT_REDIRECT_URIS: readonly string[] = ['http://127.0.0.1/callback', 'http://localhost/callback'];

export function defaultApp(): SandboxApp {
  return {
    appId: DEFAULT_APP_ID,
    appSecret: `sandbox-secret-${stableHex(`${DEFAULT_APP_ID}:secret`, 24)}`,
    status: 'active',
    scopes: [...DEFAULT_APP_SCOPES],
    contactScope: 'all',
    redirectUris: [...DEFAULT_REDIRECT_URIS],
    refreshEnabled: true,
  };
}

/** Fills an app given in part (tests usually set only appId and what they are about); scopes default to the demo's grant. */
export function completeApp(partial: Partial<SandboxApp> & { appId: string }): SandboxApp {
  return {
    appSecret: `sandbox-secret-${stableHex(`${partial.appId}:secret`, 24)}`,
    status: 'active',
    scopes: [...DEFAULT_APP_SCOPES],
    contactScope: 'all',
    redirectUris: [...DEFAULT_REDIRECT_URIS],
    refreshEnabled: true,
    ...partial,
  };
}

export function hasAnyScope(app: SandboxApp, ...scopes: string[]): boolean {
  return scopes.some((s) => app.scopes.includes(s));
}
