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
  /** Registered redirect URLs, compared exactly (no wildcards, contract §5a). */
  redirectUris: string[];
  /** The "refresh user_access_token" security switch (off → 20074, contract §2e). */
  refreshEnabled?: boolean;
}

export const SCOPES = {
  userBase: 'contact:user.base:readonly',
  userEmail: 'contact:user.email:readonly',
  userPhone: 'contact:user.phone:readonly',
  userEmployeeId: 'contact:user.employee_id:readonly',
  userEmployee: 'contact:user.employee:readonly',
  userDepartment: 'contact:user.department:readonly',
  userGender: 'contact:user.gender:readonly',
  departmentBase: 'contact:department.base:readonly',
  contactReadAsApp: 'contact:contact:readonly_as_app',
  contactRead: 'contact:contact:readonly',
  userIdentity: 'auth:user.id:read',
  offlineAccess: 'offline_access',
} as const;

export const ALL_SCOPES: readonly string[] = Object.values(SCOPES);

export const DEFAULT_APP_ID = 'cli_sandbox0000000001';

/** Redirect URLs registered on the default app; tests add their own with `sandbox.apps[0].redirectUris.push(…)`. */
export const DEFAULT_REDIRECT_URIS: readonly string[] = ['http://127.0.0.1/callback', 'http://localhost/callback'];

export function defaultApp(): SandboxApp {
  return {
    appId: DEFAULT_APP_ID,
    appSecret: `sandbox-secret-${stableHex(`${DEFAULT_APP_ID}:secret`, 24)}`,
    status: 'active',
    scopes: [...ALL_SCOPES],
    contactScope: 'all',
    redirectUris: [...DEFAULT_REDIRECT_URIS],
    refreshEnabled: true,
  };
}

/** Fills an app given in part (tests usually set only appId and what they are about). */
export function completeApp(partial: Partial<SandboxApp> & { appId: string }): SandboxApp {
  return {
    appSecret: `sandbox-secret-${stableHex(`${partial.appId}:secret`, 24)}`,
    status: 'active',
    scopes: [...ALL_SCOPES],
    contactScope: 'all',
    redirectUris: [...DEFAULT_REDIRECT_URIS],
    refreshEnabled: true,
    ...partial,
  };
}

export function hasAnyScope(app: SandboxApp, ...scopes: string[]): boolean {
  return scopes.some((s) => app.scopes.includes(s));
}
