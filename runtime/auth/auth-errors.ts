import { codesOf, defineCodes } from '../errcode.js';

/**
 * Codes every login Type shares: the local side of a login. A login Type
 * declares its provider's own codes in its folder and lists these two there too.
 */
export const AuthErrors = defineCodes('auth', {
  /** The login state is unknown, expired, already used or issued by another login instance. */
  INVALID_STATE: { code: 40030, status: 400, message: 'Login state rejected: {why}. Start the login again.', zh: '登录状态无效：{why}。请重新登录。' },
  /** The identity is genuine but this app does not let it in (binding policy, disabled account, filter): `why` tells the person. */
  LOGIN_NOT_ALLOWED: { code: 40301, status: 403, message: '{why}', zh: '不允许登录：{why}' },
});

export const AuthCodes = codesOf(AuthErrors);
