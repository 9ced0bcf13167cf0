import { Code, codesOf, defineCodes, messageIn, type MessageLocale } from '../errcode.js';

/** Codes the HTTP layer raises itself, 10401–10500 (beside the runtime's 10001–10099). */
export const HttpErrors = defineCodes('http', {
  NOT_SIGNED_IN: { code: 10401, status: 401, message: 'Sign in first.', zh: '请先登录。' },
  FORBIDDEN: { code: 10403, status: 403, message: 'This needs an administrator.', zh: '此操作需要管理员权限。' },
  /** No such route, element, method or browser module: `problem` says which. */
  METHOD_NOT_FOUND: { code: 10404, status: 404, message: '{problem}', zh: '未找到：{problem}' },
  BAD_ORIGIN: { code: 10405, status: 403, message: 'Cross-site request refused.', zh: '已拒绝跨站请求。' },
  TOO_MANY_REQUESTS: { code: 10429, status: 429, message: 'Too many sign-in attempts; try again in {seconds} s.', zh: '登录尝试过于频繁，请 {seconds} 秒后再试。' },
  /** A fault on our side; `context` is the request id, or what went wrong when that is safe to say. */
  INTERNAL: { code: 10500, status: 500, message: 'Internal error ({context}).', zh: '内部错误（{context}）。' },
});

export const HttpCodes = codesOf(HttpErrors);

/**
 * The JSON body of an error reply: code and message only — details may hold internal data. The
 * message is in the request's language (the page's: i18n/locale.ts); the code never changes with it.
 */
export const errorBody = (error: Code, locale: MessageLocale) => ({ code: error.code, message: messageIn(error, locale) });

/** Seconds a client should wait before trying again, when the Code says (`details.retryAfterSeconds`: a rate limit): the Retry-After header. */
export function retryAfterOf(error: unknown): number | undefined {
  const seconds = Code.is(error) ? (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
}
