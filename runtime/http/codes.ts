import { Code, RuntimeCodes } from '../errcode.js';

/** Codes the HTTP layer raises itself (10400–10499, beside the runtime's 10001–10099). */
export const HttpCodes = {
  NOT_SIGNED_IN: 10401,
  FORBIDDEN: 10403,
  METHOD_NOT_FOUND: 10404,
  BAD_ORIGIN: 10405,
  TOO_MANY_REQUESTS: 10429,
  INTERNAL: 10500,
} as const;

/**
 * HTTP status for a Code: client mistakes are 4xx, Feishu-side failures 502
 * (the gateway we call failed), rate limits 429. Unknown codes are 400: they
 * are deliberate refusals by an element.
 */
const STATUS: Record<number, number> = {
  [RuntimeCodes.ELEMENT_NOT_FOUND]: 404,
  [RuntimeCodes.INVALID_ELEMENT_ID]: 404,
  [RuntimeCodes.ELEMENT_QUARANTINED]: 503,
  [RuntimeCodes.INSTANCE_CREATE_FAILED]: 503,
  [RuntimeCodes.APP_CLOSED]: 503,
  [RuntimeCodes.DATABASE_UNAVAILABLE]: 503,
  [RuntimeCodes.INVALID_PARAMS]: 400,
  [RuntimeCodes.BUSY]: 409,
  [RuntimeCodes.SCHEMA_OUTDATED]: 503,
  [HttpCodes.NOT_SIGNED_IN]: 401,
  [HttpCodes.FORBIDDEN]: 403,
  [HttpCodes.METHOD_NOT_FOUND]: 404,
  [HttpCodes.BAD_ORIGIN]: 403,
  [HttpCodes.TOO_MANY_REQUESTS]: 429,
  [HttpCodes.INTERNAL]: 500,
  40029: 400,
  40030: 400,
  40301: 403,
  40013: 502,
  40014: 502,
  42001: 502,
  48001: 502,
  50000: 502,
  60020: 502,
  45009: 429,
};

export const statusFor = (code: number): number => STATUS[code] ?? 400;

/** The JSON body of an error reply: code and message only — details may hold internal data. */
export const errorBody = (error: Code) => ({ code: error.code, message: error.message });
