import type { MethodCaller } from '../element.js';

/**
 * Roles an element class can declare, and what each promises. The runtime
 * finds elements by role, never by id: the login page, the OAuth callback and
 * the admin page's "Login methods" list the instances whose Type has the
 * `login` role.
 *
 *   export abstract class LoginType extends Element {
 *     static roles: ReadonlyArray<Role> = ['login'];
 *   }
 *
 * A role is a static, so it is inherited: a Meta declares it once and every
 * Type under it (a subclass) has it. A Type with a role must implement the
 * role's methods; the loader checks when the class loads (a Meta may leave
 * them abstract).
 */
export const ROLES = ['login'] as const;
export type Role = (typeof ROLES)[number];

/** What a signed-in page shows of a local user. */
export interface UserCard {
  name: string | null;
  avatar?: string | null;
  department?: string | null;
  position?: string | null;
}

/** The `login` role: turns a provider's proof of identity into a local user. */
export interface LoginElement {
  /** What a browser needs to start a login (never a secret); bind issued states to `caller.browser`. */
  getLoginConfig(params: Record<string, never>, caller?: MethodCaller): Promise<object>;
  /** The provider's authorization code (and the state it came back with) → the local user, who the HTTP layer then signs in. */
  loginWithCode(params: { authCode: string; state?: string }, caller?: MethodCaller): Promise<{ localUserId: string }>;
  /** The card of a local user who signed in through this instance; undefined when it knows nothing of them. */
  describeUser(localUserId: string): Promise<UserCard | undefined>;
}

/** The methods an element of each role has (checked when a Type's class loads). */
export const ROLE_METHODS: Readonly<Record<Role, ReadonlyArray<string>>> = {
  login: ['getLoginConfig', 'loginWithCode', 'describeUser'],
};

/** The roles a class declares (its own or inherited `static roles`); none for anything else. */
export function rolesOf(cls: unknown): Role[] {
  const roles = typeof cls === 'function' ? (cls as { roles?: unknown }).roles : undefined;
  return Array.isArray(roles) ? roles.filter((r): r is Role => (ROLES as ReadonlyArray<unknown>).includes(r)) : [];
}

export const hasRole = (cls: unknown, role: Role): boolean => rolesOf(cls).includes(role);
