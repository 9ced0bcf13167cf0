import { javascript, jsLiteral } from '../browser.js';
import type { Reply } from '../http.js';
import type { StandinRequest } from './standin-request.js';

/**
 * GET /_sandbox/qrlogin.js — stands in for LarkSSOSDKWebQRCode-1.0.3.js (§5b), same contract:
 * `window.QRLogin({id, goto, width?, height?, style?})` appends to #id an iframe of
 * `<sandbox>/suite/passport/sso/qr?goto=<encodeURIComponent(goto)>&sdk_version=1.0.3` and returns
 * `{matchOrigin, matchData}`. The page listens to `message` and, when both match, navigates to
 * `goto + "&tmp_code=" + event.data.tmp_code`.
 *
 * Chosen where §5b is UNVERIFIED: the iframe always points at the sandbox (Feishu's points at the
 * goto's origin; a goto of another host gets an error page inside the frame instead); width,
 * height and style become iframe attributes only when given; a missing #id element is ignored, as
 * in the vendored older build; only the 1.0.3 data shape `{source: 'qrcode', tmp_code}` matches.
 */
export function qrLoginScript(request: StandinRequest): Reply {
  return javascript(`/* Feishu sandbox stand-in for LarkSSOSDKWebQRCode-1.0.3.js — not the real SDK. */
(function () {
  'use strict';
  var SANDBOX_ORIGIN = ${jsLiteral(request.origin)};
  window.QRLogin = function (options) {
    options = options || {};
    var gotoUrl = options.goto;
    if (typeof gotoUrl !== 'string' || !/^https?:\\/\\//.test(gotoUrl)) throw new Error('The param "goto" is not valid.');
    var iframe = document.createElement('iframe');
    iframe.setAttribute('src', SANDBOX_ORIGIN + '/suite/passport/sso/qr?goto=' + encodeURIComponent(gotoUrl) + '&sdk_version=1.0.3');
    if (options.width != null) iframe.setAttribute('width', String(options.width));
    if (options.height != null) iframe.setAttribute('height', String(options.height));
    if (options.style != null) iframe.setAttribute('style', String(options.style));
    var container = document.getElementById(options.id);
    if (container) container.appendChild(iframe);
    return {
      matchOrigin: function (origin) {
        return origin === SANDBOX_ORIGIN;
      },
      matchData: function (data) {
        return !!data && typeof data === 'object' && data.source === 'qrcode' && typeof data.tmp_code === 'string' && data.tmp_code !== '';
      }
    };
  };
})();
`);
}
