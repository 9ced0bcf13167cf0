/**
 * Codes every login Type shares. Feishu-specific codes (40013, 40029, …)
 * live with the Feishu element; these are about the local side of a login.
 */
export const AuthCodes = {
  /** The login state is unknown, expired, already used or issued by another login instance. */
  INVALID_STATE: 40030,
  /** The identity is genuine but this app does not let it in (binding policy, disabled account, filter). */
  LOGIN_NOT_ALLOWED: 40301,
} as const;
