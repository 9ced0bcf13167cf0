import QRCode from 'qrcode';
import { standinDocument } from '../browser.js';
import { FeishuFailure } from '../errors.js';
import { escapeHtml, html, type Reply } from '../http.js';
import { checkGoto, scanUsers } from '../qr-goto.js';
import { authorizeErrorPage } from './authorize-page.js';
import { sandboxOrigins, type StandinRequest } from './standin-request.js';

/**
 * GET /suite/passport/sso/qr?goto=… — the page the QR SDK frames (§5b). It shows a real QR code
 * of the sandbox scan page (/_sandbox/scan, a phone's view) and, since nobody scans in a test, a
 * "Simulate scan as <name>" button per active user: a click mints a tmp_code for that user and posts
 * the SDK 1.0.3 message `{source: 'qrcode', tmp_code}` to the embedding page, which then navigates
 * to `goto&tmp_code=…`. A goto the passport page would refuse shows that error here instead.
 *
 * The QR scales to the frame (Feishu's is a fixed 250×250, §5b): at most 250px and small enough
 * that the first button shows below it in the usual 300×300 frame; the rest scroll.
 */
export async function qrPage(request: StandinRequest): Promise<Reply> {
  const goto = request.query.get('goto');
  let appId: string;
  try {
    appId = checkGoto(request.state, goto, sandboxOrigins(request)).app.appId;
  } catch (error) {
    if (error instanceof FeishuFailure) return authorizeErrorPage(error.code, error.detail ?? error.error[1]);
    throw error;
  }
  const scanUrl = `${request.origin}/_sandbox/scan?goto=${encodeURIComponent(goto!)}`;
  const svg = await QRCode.toString(scanUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const { shown, hidden } = scanUsers(request.state.org);
  const buttons = shown
    .map(
      (u) =>
        `<li><button type="button" data-testid="simulate-scan" data-user-id="${escapeHtml(u.user_id)}" data-user-name="${escapeHtml(u.name)}">Simulate scan as ${escapeHtml(u.name)}</button></li>`,
    )
    .join('\n');
  const more = hidden ? `<p class="more">…and ${hidden} more active users: POST /_sandbox/tmp_codes {"userId"} mints a tmp_code for any of them.</p>` : '';
  return html(
    standinDocument(
      'Feishu sandbox — scan to log in',
      `<div class="qr" data-testid="sandbox-qr" data-scan-url="${escapeHtml(scanUrl)}" data-app-id="${escapeHtml(appId)}" role="img" aria-label="QR code: ${escapeHtml(scanUrl)}">${svg}</div>
<p class="hint">Feishu sandbox — no phone needed:</p>
<p data-testid="sandbox-qr-status" role="status"></p>
<ul>
${buttons}
</ul>
${more}
<script>${SCAN_SCRIPT}</script>`,
      '.qr svg{display:block;margin:0 auto;width:min(250px,calc(100vw - 16px),calc(100vh - 96px));height:auto}.hint,.more{margin:4px 0;color:#555;font-size:12px}[role=status]{margin:4px 0}[role=status]:empty{display:none}',
    ),
  );
}

/** Runs in the frame: mint a tmp_code (same origin, POST /_sandbox/tmp_codes), post it to the parent. */
const SCAN_SCRIPT = `
(function () {
  'use strict';
  var status = document.querySelector('[data-testid="sandbox-qr-status"]');
  Array.prototype.forEach.call(document.querySelectorAll('[data-testid="simulate-scan"]'), function (button) {
    button.addEventListener('click', function () {
      status.textContent = 'Scanned as ' + button.getAttribute('data-user-name') + '…';
      fetch('/_sandbox/tmp_codes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: button.getAttribute('data-user-id') }) })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
            return body.tmpCode;
          });
        })
        .then(function (tmpCode) {
          status.setAttribute('data-tmp-code', tmpCode);
          window.parent.postMessage({ source: 'qrcode', tmp_code: tmpCode }, '*');
          status.textContent = window.parent === window ? 'Not framed by QRLogin: tmp_code ' + tmpCode : 'Confirmed as ' + button.getAttribute('data-user-name');
        })
        .catch(function (error) {
          status.textContent = 'Scan failed: ' + error.message;
        });
    });
  });
})();
`;
