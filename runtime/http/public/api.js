// The browser client of a jit app (the seed's `api`): element methods over HTTP, typed errors.
import { t } from '/jit/i18n.js';

/** HttpCodes.INTERNAL (runtime/http/http-errors.ts; test/bare-codes.test.ts keeps the two equal): a reply that is not JSON. */
export const INTERNAL_ERROR = 10500;

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let reply;
  try {
    reply = await response.json();
  } catch {
    throw new ApiError(INTERNAL_ERROR, t('error.unexpectedReply', { status: response.status }));
  }
  if (!reply.ok) throw new ApiError(reply.code, reply.message);
  return reply.data;
}

const methodPath = (fullName, method) => `/api/${fullName.split('.').join('/')}/${method}`;

// Login states are bound to this browser by a cookie the first getLoginConfig answer sets (when the page did not
// already). Later calls wait for that first answer, so states asked for at once all carry the same binding.
let firstLoginConfig;
function loginConfig(call) {
  if (!firstLoginConfig) {
    firstLoginConfig = call();
    return firstLoginConfig;
  }
  return firstLoginConfig.catch(() => undefined).then(call);
}

export const api = {
  /** Any method the element's Type lists in functionList. */
  call: (fullName, method, params = {}) => request('POST', methodPath(fullName, method), params),
  getLoginConfig: (fullName) => loginConfig(() => request('POST', methodPath(fullName, 'getLoginConfig'), {})),
  /** Logs in with a provider's authorization code and starts a session (cookie). */
  loginWithCode: (fullName, { authCode, state }) => request('POST', methodPath(fullName, 'loginWithCode'), state ? { authCode, state } : { authCode }),
  session: () => request('GET', '/api/session'),
  logout: () => request('POST', '/api/logout', {}),
  loginMethods: () => request('GET', '/api/login-methods'),
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
};

export default api;
