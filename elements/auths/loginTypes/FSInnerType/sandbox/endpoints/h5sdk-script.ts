import { javascript, jsLiteral } from '../browser.js';
import type { Reply } from '../http.js';
import type { StandinRequest } from './standins.js';

/**
 * GET /_sandbox/h5sdk.js?user=<id>[&access=grant|refuse|unsupported] — stands in for the Feishu
 * client's H5 JSSDK (§5c) as if the page were opened inside Feishu by that user (user_id, open_id
 * or union_id; default: the first active user):
 * - `window.h5sdk.ready(cb)` calls cb asynchronously; `h5sdk.error(cb)` reports `{errMsg}` instead
 *   when the user is unknown, resigned or frozen (then ready never fires);
 * - `tt.requestAuthCode({appId, success, fail, complete})` → `success({code})`;
 * - `tt.requestAccess({appID, scopeList, state, success, fail, complete})` → `success({code, state})`;
 *   `access=refuse` fails with errno 2700002 (the user declined), `access=unsupported` with
 *   errno 103 (client too old, so the page should fall back to requestAuthCode).
 * Codes come from POST /_sandbox/codes (CORS-enabled) and exchange like any other (§2a).
 *
 * Chosen where §5c is silent (UNVERIFIED): an unknown appId fails with 10200 for both calls; fail
 * objects carry the code as both `errCode` and `errno`, plus `errMsg`/`errString`; a sandbox-only
 * failure (sandbox unreachable, user gone) uses -1; requestAccess scopes are granted as asked,
 * without checking the app's console scopes; the calling page's URL is not checked against the
 * app's redirect URLs (10235/10236) and app visibility (10228) is not emulated.
 */
export function h5sdkScript(request: StandinRequest): Reply {
  const org = request.state.org;
  const wanted = request.query.get('user');
  const user = wanted ? org.findUser(wanted, 'user_id') ?? org.findUser(wanted, 'open_id') ?? org.findUser(wanted, 'union_id') : org.activeUsers()[0];
  let problem: string | null = null;
  if (!user) problem = wanted ? `sandbox: no user "${wanted}"` : 'sandbox: the org has no active user';
  else if (user.status.is_resigned || user.status.is_frozen) problem = `sandbox: user "${user.user_id}" is not active`;
  const access = request.query.get('access') ?? 'grant';
  return javascript(`/* Feishu sandbox stand-in for the Feishu client's H5 JSSDK (window.h5sdk, window.tt) — not the real SDK. */
(function () {
  'use strict';
  var SANDBOX_ORIGIN = ${jsLiteral(request.origin)};
  var USER_ID = ${jsLiteral(user?.user_id ?? null)};
  var PROBLEM = ${jsLiteral(problem)};
  var ACCESS = ${jsLiteral(access)};
  function later(fn, arg) {
    setTimeout(function () { fn(arg); }, 0);
  }
  function settle(options, ok, result) {
    var callback = ok ? options.success : options.fail;
    try {
      if (typeof callback === 'function') callback(result);
    } finally {
      if (typeof options.complete === 'function') options.complete(result);
    }
  }
  function failure(code, message) {
    return { errCode: code, errno: code, errMsg: message, errString: message };
  }
  function mintCode(body) {
    return fetch(SANDBOX_ORIGIN + '/_sandbox/codes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (reply) {
        if (res.ok) return { code: reply.code };
        if (reply.reason === 'unknown_app') return { error: failure(10200, 'invalid appId') };
        return { error: failure(-1, String(reply.error)) };
      });
    }, function (error) {
      return { error: failure(-1, 'sandbox unreachable: ' + error) };
    });
  }
  function requestCode(api, options, appId, extra, done) {
    options = options || {};
    if (PROBLEM) return later(function () { settle(options, false, failure(-1, PROBLEM)); });
    if (typeof appId !== 'string' || !appId) return later(function () { settle(options, false, failure(10200, api + ': invalid appId')); });
    var body = { userId: USER_ID, appId: appId };
    for (var key in extra) body[key] = extra[key];
    mintCode(body).then(function (result) {
      if (result.error) settle(options, false, result.error);
      else settle(options, true, done(result.code));
    });
  }
  window.h5sdk = {
    ready: function (callback) {
      if (!PROBLEM && typeof callback === 'function') later(callback);
    },
    error: function (callback) {
      if (PROBLEM && typeof callback === 'function') later(callback, { errMsg: PROBLEM });
    }
  };
  window.tt = {
    requestAuthCode: function (options) {
      requestCode('requestAuthCode', options, options && options.appId, {}, function (code) {
        return { code: code };
      });
    },
    requestAccess: function (options) {
      options = options || {};
      if (ACCESS === 'refuse') return later(function () { settle(options, false, failure(2700002, 'requestAccess: the user declined')); });
      if (ACCESS === 'unsupported') return later(function () { settle(options, false, failure(103, 'requestAccess: the client version is too old')); });
      var scopes = Array.isArray(options.scopeList) ? options.scopeList : [];
      requestCode('requestAccess', options, options.appID, { scope: scopes }, function (code) {
        return { code: code, state: options.state };
      });
    }
  };
})();
`);
}
