import { javascript, jsLiteral } from '../browser.js';
import { clientUser } from '../feishu-client.js';
import type { Reply } from '../http.js';
import type { StandinRequest } from './standin-request.js';

/**
 * Where the stand-in is served: the path of Feishu's documented H5 JSSDK (shared notes §5.1,
 * `https://lf-scm-cn.feishucdn.com/lark/op/h5-js-sdk-1.5.44.js`), on the sandbox's origin. The element
 * asks for `<domain><this path>` in sandbox mode (feishu/hosts.ts), so the login page runs the same
 * code as in production and only the script's origin differs. It takes no query parameters.
 */
export const H5_SDK_STANDIN_PATH = '/lark/op/h5-js-sdk-1.5.44.js';

/**
 * Whether a page's user agent says it runs inside the Feishu client. Feishu documents no user-agent
 * format (UNVERIFIED); client user agents seen in the wild carry `Lark/<version>` (plus
 * `LarkLocale/…` and, for Feishu, `ChannelName/Feishu`), so the stand-in asks for that token. The
 * login panel's own test is looser (any `Lark`/`Feishu` word) and must cope with this stricter one.
 */
export const CLIENT_USER_AGENT = /\bLark\/\d/;

/**
 * GET /lark/op/h5-js-sdk-1.5.44.js — stands in for the Feishu client's H5 JSSDK (§5). Who is signed in
 * to the "client" and how requestAccess answers is a sandbox-side setting (feishu-client.ts:
 * `sandbox.setFeishuClient`, POST /_sandbox/client), never a switch on the app's page.
 *
 * Outside the client (a user agent without `Lark/<version>`) the script does nothing: no `window.h5sdk`,
 * no `window.tt`. What the real SDK does there is UNVERIFIED (Lark's FAQ: it "only takes effect inside the
 * Lark browser"); doing nothing is the most a page may rely on.
 *
 * Inside the client:
 * - `h5sdk.ready(cb)` calls cb asynchronously; when the client user is unknown, resigned or frozen,
 *   `h5sdk.error(cb)` reports `{errMsg}` instead and ready never fires;
 * - `tt.requestAccess({appID, scopeList, state, success, fail, complete})` →
 *   `success({errMsg: "requestAccess:ok", code, state})`, a single-use 3-minute code; absent when the
 *   setting is `requestAccess: 'missing'`;
 * - `tt.requestAuthCode({appId, success, fail, complete})` → `success({code})`, a 5-minute code;
 * - failures are `fail({errMsg: "<api>:fail", errno, errCode, errString})` with the codes of
 *   feishu-client.ts `callInClient`: 103 old client, 2700002 declined, 10235/10236 the calling page's
 *   `location.href` (without `?`/`#`) is not a registered redirect URL, 10200 bad appId, …;
 *   a sandbox-only failure (sandbox unreachable) uses errno -1.
 * The calls go to POST /_sandbox/client/calls (CORS-enabled), which plays the client's part.
 */
export function h5sdkScript(request: StandinRequest): Reply {
  const signedIn = clientUser(request.state);
  return javascript(`/* Feishu sandbox stand-in for the Feishu client's H5 JSSDK (window.h5sdk, window.tt) — not the real SDK. */
(function () {
  'use strict';
  var userAgent = (typeof navigator !== 'undefined' && navigator.userAgent) || '';
  if (!${CLIENT_USER_AGENT.toString()}.test(userAgent)) return; // not inside the Feishu client: nothing to bridge to
  var SANDBOX_ORIGIN = ${jsLiteral(request.origin)};
  var PROBLEM = ${jsLiteral(signedIn.problem)};
  var HAS_REQUEST_ACCESS = ${jsLiteral(request.state.client.requestAccess !== 'missing')};
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
  function failure(api, errno, errString) {
    return { errMsg: api + ':fail', errno: errno, errCode: errno, errString: errString };
  }
  function pageUrl() {
    return String(location.href).split('?')[0].split('#')[0];
  }
  function call(api, options, body, onCode) {
    options = options || {};
    body.api = api;
    body.pageUrl = pageUrl();
    fetch(SANDBOX_ORIGIN + '/_sandbox/client/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json();
    }).then(function (reply) {
      if (reply.ok === true) settle(options, true, onCode(reply.code));
      else if (reply.ok === false) settle(options, false, failure(api, reply.errno, reply.errString));
      else settle(options, false, failure(api, -1, 'sandbox: ' + String(reply.error)));
    }, function (error) {
      settle(options, false, failure(api, -1, 'sandbox unreachable: ' + error));
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
  var tt = {
    requestAuthCode: function (options) {
      call('requestAuthCode', options, { appId: options && options.appId }, function (code) {
        return { code: code };
      });
    }
  };
  if (HAS_REQUEST_ACCESS) {
    tt.requestAccess = function (options) {
      call('requestAccess', options, { appId: options && options.appID, scopeList: options && options.scopeList }, function (code) {
        return { errMsg: 'requestAccess:ok', code: code, state: options.state };
      });
    };
  }
  window.tt = tt;
})();
`);
}
