import { AuthCodes } from '../../../../runtime/auth/codes.js';
import { Code } from '../../../../runtime/errcode.js';

/**
 * Every Code the Feishu login raises. Feishu's own numbers never pass through:
 * Feishu itself uses 40013/40014 for unrelated contact errors, so a raw code
 * would be misread. `details.feishuCode` keeps the original for support.
 */
export const FSInnerCodes = {
  CREDENTIALS_REJECTED: 40013,
  INVALID_ACCESS_TOKEN: 40014,
  ACCESS_TOKEN_EXPIRED: 42001,
  /** The user's Feishu authorisation cannot be renewed (refresh token invalid, expired, revoked, used, or none): they must sign in again. */
  SIGN_IN_AGAIN: 42007,
  INVALID_AUTH_CODE: 40029,
  INVALID_STATE: AuthCodes.INVALID_STATE,
  RATE_LIMITED: 45009,
  PERMISSION_MISSING: 48001,
  APP_UNAVAILABLE: 60020,
  LOGIN_NOT_ALLOWED: AuthCodes.LOGIN_NOT_ALLOWED,
  FEISHU_FAILURE: 50000,
} as const;

export type FSInnerCode = (typeof FSInnerCodes)[keyof typeof FSInnerCodes];

/**
 * Feishu code → project code, after the contract's §6a (refresh codes: the
 * events-and-scopes notes §6.4). Codes missing here become 50000 with Feishu's
 * code, msg and log id in details.
 *
 *   40013 credentials rejected   10003 10014 10015 20002 20025 20028 20035 99991543
 *   60020 app unavailable        20009 20042 20048 20069 99991662 99991673
 *   40014 invalid access token   99991661 99991663 99991664 99991665 99991668 99991671
 *                                20005 20013 20014
 *   42001 token expired          99991677 20006
 *   42007 sign in again          20026 20037 20038 20064 20073 (the refresh token is dead:
 *                                invalid, expired or past the 365-day cap, not found, revoked, used)
 *   40029 invalid auth code      20003 20004 20007 20024 20049 20065 20071
 *   45009 rate limited           99991400
 *   48001 permission missing     99991672 99991676 99991679 20027
 *                                40004 40014 41050 (the department, the parent department
 *                                or the user lies outside the app's contact range)
 *                                20074 (the console's "refresh user_access_token" switch is off)
 *   40301 not allowed to log in  20008 20021 20022 20023 20066
 *                                20010 (the user is outside the app's availability range)
 */
const TABLE: Array<[FSInnerCode, number[]]> = [
  [FSInnerCodes.CREDENTIALS_REJECTED, [10003, 10014, 10015, 20002, 20025, 20028, 20035, 99991543]],
  [FSInnerCodes.APP_UNAVAILABLE, [20009, 20042, 20048, 20069, 99991662, 99991673]],
  [FSInnerCodes.INVALID_ACCESS_TOKEN, [99991661, 99991663, 99991664, 99991665, 99991668, 99991671, 20005, 20013, 20014]],
  [FSInnerCodes.ACCESS_TOKEN_EXPIRED, [99991677, 20006]],
  [FSInnerCodes.SIGN_IN_AGAIN, [20026, 20037, 20038, 20064, 20073]],
  [FSInnerCodes.INVALID_AUTH_CODE, [20003, 20004, 20007, 20024, 20049, 20065, 20071]],
  [FSInnerCodes.RATE_LIMITED, [99991400]],
  [FSInnerCodes.PERMISSION_MISSING, [99991672, 99991676, 99991679, 20027, 40004, 40014, 41050, 20074]],
  [FSInnerCodes.LOGIN_NOT_ALLOWED, [20008, 20021, 20022, 20023, 20066, 20010]],
];

const BY_FEISHU_CODE = new Map<number, FSInnerCode>(TABLE.flatMap(([ours, theirs]) => theirs.map((t) => [t, ours] as [number, FSInnerCode])));

export const mapFeishuCode = (feishuCode: number): FSInnerCode => BY_FEISHU_CODE.get(feishuCode) ?? FSInnerCodes.FEISHU_FAILURE;

/**
 * Feishu's contact answers for a user the app can no longer see (contract §4):
 * the id is unknown (the account was deleted) or the user lies outside the
 * app's contact range. They surface as 50000 and 48001, so a caller tells
 * them apart from a missing scope by `details.feishuCode`.
 */
export const FeishuUserGone = {
  USER_ID_INVALID: 41012,
  NO_USER_AUTHORITY: 41050,
} as const;

const USER_GONE_CODES: ReadonlySet<unknown> = new Set(Object.values(FeishuUserGone));

/** True when a contact call failed because Feishu no longer shows this user to the app (deleted, or out of its contact range). */
export const isUserGone = (err: unknown): boolean => Code.is(err) && USER_GONE_CODES.has(err.details?.['feishuCode']);

/** Tenant/app token rejections worth one eviction and retry before surfacing 40014 (contract §6a footnote). */
export const TENANT_TOKEN_REJECTED = new Set([99991663, 99991664]);

const MESSAGES: Record<FSInnerCode, string> = {
  40013: 'Feishu rejected the app credentials: check appId and appSecret',
  40014: 'Feishu rejected the access token',
  42001: 'The Feishu access token has expired',
  42007: "The user's Feishu authorisation has ended and cannot be renewed: they must sign in again",
  40029: 'The Feishu authorization code is invalid, expired or already used: scan again',
  40030: 'Invalid login state',
  45009: 'Feishu rate limit reached: try again shortly',
  48001: 'The Feishu app lacks a permission this call needs',
  60020: 'The Feishu app is missing, disabled or not installed in this tenant',
  40301: 'This Feishu user may not log in to this app',
  50000: 'Feishu request failed',
};

export const messageFor = (code: FSInnerCode): string => MESSAGES[code];
