/**
 * Every Feishu code the sandbox answers with, and its message (contract §1, §2, §3, §4, §6).
 * Messages are Feishu-like, not copied; clients must branch on the code.
 */
export const FEISHU = {
  ok: [0, 'success'],
  // §1 app credentials
  invalidParam: [10003, 'invalid param'],
  appSecretInvalid: [10014, 'app secret invalid'],
  // §2a OAuth v2 (error strings per RFC 6749)
  badRequest: [20001, 'invalid_request'],
  clientMismatch: [20002, 'invalid_client'],
  codeInvalid: [20003, 'invalid_grant'],
  codeExpired: [20004, 'invalid_grant'],
  userTokenInvalid: [20005, 'invalid_token'],
  userNotExist: [20008, 'user not exist'],
  appNotInstalled: [20009, 'invalid_client'],
  userResigned: [20021, 'user resigned'],
  userFrozen: [20022, 'user frozen'],
  wrongApp: [20024, 'invalid_grant'],
  missingClient: [20025, 'invalid_request'],
  refreshInvalid: [20026, 'invalid_grant'],
  scopeNotEnabled: [20027, 'invalid_scope'],
  invalidAppId: [20028, 'invalid_client'],
  redirectNotRegistered: [20029, 'invalid_request'],
  grantTypeUnsupported: [20036, 'unsupported_grant_type'],
  refreshExpired: [20037, 'invalid_grant'],
  appDisabled: [20042, 'invalid_client'],
  appNotExist: [20048, 'invalid_client'],
  pkceFailed: [20049, 'invalid_grant'],
  serverError: [20050, 'server_error'],
  refreshRevoked: [20064, 'invalid_grant'],
  codeUsed: [20065, 'invalid_grant'],
  scopeDuplicate: [20067, 'invalid_scope'],
  scopeNotPermitted: [20068, 'invalid_scope'],
  redirectMismatch: [20071, 'invalid_grant'],
  unavailable: [20072, 'temporarily_unavailable'],
  refreshUsed: [20073, 'invalid_grant'],
  refreshDisabled: [20074, 'unauthorized_client'],
  // §4 contact
  contactParam: [40001, 'param error'],
  contactInternal: [40003, 'internal error'],
  noDepartmentAuthority: [40004, 'no dept authority error'],
  badPageSize: [40011, 'page size is invalid'],
  badPageToken: [40012, 'page token is invalid'],
  noParentDepartmentAuthority: [40014, 'no parent dept authority error'],
  departmentNotExist: [40015, 'department not exist'],
  userIdInvalid: [41012, 'user id invalid'],
  noUserAuthority: [41050, 'no user authority error'],
  // §6 gateway
  rateLimited: [99991400, 'request trigger frequency limit'],
  missingToken: [99991661, 'Missing access token for authorization. Please make a request with token attached.'],
  appNotInUse: [99991662, 'app not in use'],
  tokenInvalid: [99991663, 'Invalid access token for authorization. Please make a request with token attached.'],
  userTokenNotAccepted: [99991668, 'Invalid access token for authorization. This API does not accept a user access token.'],
  appLacksScope: [99991672, 'Access denied. One of the following scopes is required'],
  appUnauthorized: [99991673, 'app unauthorized'],
  userTokenExpired: [99991677, 'Authentication token expired.'],
} as const satisfies Record<string, readonly [number, string]>;

export type FeishuError = (typeof FEISHU)[keyof typeof FEISHU];

/**
 * HTTP statuses the contact pages document for their business codes (§4.1); every other business
 * code of an "open" endpoint comes with HTTP 200, gateway codes (9999xxxx) with 400 (error-replies.ts).
 */
export const DOCUMENTED_HTTP_STATUS: ReadonlyMap<number, number> = new Map([
  [FEISHU.noUserAuthority[0], 400],
  [FEISHU.noDepartmentAuthority[0], 403],
  [FEISHU.noParentDepartmentAuthority[0], 403],
]);

/** What an "open" reply's `error` object carries besides its log id, e.g. 99991672's permission_violations (§4.3). */
export type ErrorExtra = Record<string, unknown>;

/** Thrown inside handlers; the dispatcher turns it into the endpoint family's error body. */
export class FeishuFailure extends Error {
  constructor(
    readonly error: FeishuError,
    readonly detail?: string,
    readonly extra?: ErrorExtra,
  ) {
    super(`${error[0]} ${detail ?? error[1]}`);
  }
  get code(): number {
    return this.error[0];
  }
}

export function fail(error: FeishuError, detail?: string, extra?: ErrorExtra): never {
  throw new FeishuFailure(error, detail, extra);
}
