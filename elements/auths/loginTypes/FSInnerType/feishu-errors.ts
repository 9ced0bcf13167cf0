import { AuthErrors } from '../../../../runtime/auth/auth-errors.js';
import { Code, codesOf, defineCodes, phrase, type CodeDefinition, type Details, type MessageParam, type MessageParams, type Placeholders } from '../../../../runtime/errcode.js';

/**
 * Every Code the Feishu login raises, with its HTTP status: Feishu-side failures are 502 (the
 * gateway we call failed), rate limits 429, the user's own mistakes 400. Feishu's own numbers never
 * pass through: Feishu itself uses 40013/40014 for unrelated contact errors, so a raw code would
 * be misread. `details.feishuCode` keeps the original for support.
 */
export const FSInnerErrors = defineCodes('auths.loginTypes.FSInnerType', {
  CREDENTIALS_REJECTED: { code: 40013, status: 502, message: 'Feishu rejected the app credentials: check appId and appSecret', zh: '飞书拒绝了应用凭证：请检查 appId 和 appSecret' },
  INVALID_ACCESS_TOKEN: { code: 40014, status: 502, message: 'Feishu rejected the access token', zh: '飞书拒绝了访问令牌' },
  ACCESS_TOKEN_EXPIRED: { code: 42001, status: 502, message: 'The Feishu access token has expired', zh: '飞书访问令牌已过期' },
  /** The user's Feishu authorisation cannot be renewed (refresh token invalid, expired, revoked, used, or none): they must sign in again. */
  SIGN_IN_AGAIN: { code: 42007, status: 400, message: "The user's Feishu authorisation has ended and cannot be renewed, they must sign in again: {why}", zh: '该用户的飞书授权已失效且无法续期，需要重新登录：{why}' },
  INVALID_AUTH_CODE: { code: 40029, status: 400, message: 'The Feishu authorization code is invalid, expired or already used: scan again', zh: '飞书授权码无效、已过期或已被使用：请重新扫码' },
  INVALID_STATE: AuthErrors.INVALID_STATE,
  RATE_LIMITED: { code: 45009, status: 429, message: 'Feishu rate limit reached: try again shortly', zh: '已达到飞书的调用频率上限：请稍后再试' },
  PERMISSION_MISSING: { code: 48001, status: 502, message: 'The Feishu app lacks a permission this call needs: {missing}', zh: '飞书应用缺少此调用所需的权限：{missing}' },
  APP_UNAVAILABLE: { code: 60020, status: 502, message: 'The Feishu app is missing, disabled or not installed in this tenant', zh: '飞书应用不存在、已停用或未在此租户中安装' },
  LOGIN_NOT_ALLOWED: AuthErrors.LOGIN_NOT_ALLOWED,
  FEISHU_FAILURE: { code: 50000, status: 502, message: 'Feishu request failed: {problem}', zh: '飞书请求失败：{problem}' },
});

export const FSInnerCodes = codesOf(FSInnerErrors);

export type FSInnerCode = (typeof FSInnerCodes)[keyof typeof FSInnerCodes];

/** What a failed Feishu reply says; the messages of the Codes it maps to are filled from it. */
export interface FeishuReplyFailure {
  endpoint: string;
  /** -1 when a non-2xx reply carried no code. */
  feishuCode: number;
  feishuMsg: string;
  /** Permissions named in `error.permission_violations`, any one of which would do. */
  scopes: string[];
}

interface Row {
  readonly ours: CodeDefinition;
  readonly feishuCodes: readonly number[];
  readonly params: (reply: FeishuReplyFailure) => Record<string, MessageParam>;
}

/** A row of the table below; `params` fills the Code's message, and is left out when it has no placeholders. */
function row<Template extends string>(
  ours: CodeDefinition<string, number, Template>,
  feishuCodes: number[],
  ...params: [Placeholders<Template>] extends [never] ? [] : [(reply: FeishuReplyFailure) => MessageParams<Template>]
): Row {
  return { ours, feishuCodes, params: params[0] ?? (() => ({})) };
}

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
const TABLE: readonly Row[] = [
  row(FSInnerErrors.CREDENTIALS_REJECTED, [10003, 10014, 10015, 20002, 20025, 20028, 20035, 99991543]),
  row(FSInnerErrors.APP_UNAVAILABLE, [20009, 20042, 20048, 20069, 99991662, 99991673]),
  row(FSInnerErrors.INVALID_ACCESS_TOKEN, [99991661, 99991663, 99991664, 99991665, 99991668, 99991671, 20005, 20013, 20014]),
  row(FSInnerErrors.ACCESS_TOKEN_EXPIRED, [99991677, 20006]),
  row(FSInnerErrors.SIGN_IN_AGAIN, [20026, 20037, 20038, 20064, 20073], () => ({ why: phrase('Feishu no longer accepts the refresh token', '飞书不再接受该刷新令牌') })),
  row(FSInnerErrors.INVALID_AUTH_CODE, [20003, 20004, 20007, 20024, 20049, 20065, 20071]),
  row(FSInnerErrors.RATE_LIMITED, [99991400]),
  row(FSInnerErrors.PERMISSION_MISSING, [99991672, 99991676, 99991679, 20027, 40004, 40014, 41050, 20074], ({ scopes, feishuMsg, feishuCode }) => ({
    missing: scopes.length ? phrase(`missing scope(s) ${scopes.join(', ')}`, `缺少权限 ${scopes.join('、')}`) : feishuMsg || phrase(`Feishu code ${feishuCode}`, `飞书错误码 ${feishuCode}`),
  })),
  row(FSInnerErrors.LOGIN_NOT_ALLOWED, [20008, 20021, 20022, 20023, 20066, 20010], () => ({ why: phrase('This Feishu user may not log in to this app', '此飞书用户不能登录本应用') })),
];

const UNMAPPED = row(FSInnerErrors.FEISHU_FAILURE, [], ({ endpoint, feishuCode, feishuMsg }) => ({
  problem: phrase(`${endpoint} failed (Feishu code ${feishuCode}${feishuMsg ? `, ${feishuMsg}` : ''})`, `${endpoint} 调用失败（飞书错误码 ${feishuCode}${feishuMsg ? `，${feishuMsg}` : ''}）`),
}));

const BY_FEISHU_CODE = new Map<number, Row>(TABLE.flatMap((r) => r.feishuCodes.map((feishuCode) => [feishuCode, r] as const)));

/** The table as data, for docs and tests: which Feishu numbers map to each Code. */
export const feishuMapping = (): Array<{ code: FSInnerCode; feishuCodes: number[] }> => TABLE.map((r) => ({ code: r.ours.code as FSInnerCode, feishuCodes: [...r.feishuCodes] }));

export const mapFeishuCode = (feishuCode: number): FSInnerCode => (BY_FEISHU_CODE.get(feishuCode) ?? UNMAPPED).ours.code as FSInnerCode;

/** The Code for a failed Feishu reply, by the table above; `details` should keep Feishu's code, msg and log id. */
export function fromFeishu(reply: FeishuReplyFailure, details: Details): Code {
  const r = BY_FEISHU_CODE.get(reply.feishuCode) ?? UNMAPPED;
  return r.ours.create(r.params(reply), details);
}

/**
 * Feishu's contact answers for something outside the app's contact range (contract §4): the
 * department, its parent department or the user. They map to 48001, like a missing scope.
 */
export const FeishuOutOfRange = {
  NO_DEPARTMENT_AUTHORITY: 40004,
  NO_PARENT_DEPARTMENT_AUTHORITY: 40014,
  NO_USER_AUTHORITY: 41050,
} as const;

/**
 * Feishu's contact answers for a user the app can no longer see (contract §4):
 * the id is unknown (the account was deleted) or the user lies outside the
 * app's contact range. They surface as 50000 and 48001, so a caller tells
 * them apart from a missing scope by `details.feishuCode`.
 */
export const FeishuUserGone = {
  USER_ID_INVALID: 41012,
  NO_USER_AUTHORITY: FeishuOutOfRange.NO_USER_AUTHORITY,
} as const;

const USER_GONE_CODES: ReadonlySet<unknown> = new Set(Object.values(FeishuUserGone));

/** True when a contact call failed because Feishu no longer shows this user to the app (deleted, or out of its contact range). */
export const isUserGone = (err: unknown): boolean => Code.is(err) && USER_GONE_CODES.has(err.details?.['feishuCode']);

/** Tenant/app token rejections worth one eviction and retry before surfacing 40014 (contract §6a footnote). */
export const TENANT_TOKEN_REJECTED = new Set([99991663, 99991664]);
