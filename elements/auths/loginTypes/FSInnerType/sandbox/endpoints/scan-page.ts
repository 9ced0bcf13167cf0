import { standinDocument } from '../browser.js';
import { FEISHU, FeishuFailure, fail } from '../errors.js';
import { escapeHtml, html, redirect, type Reply } from '../http.js';
import { checkGoto, scanUsers } from '../qr-goto.js';
import { authorizeErrorPage } from './authorize-page.js';
import { sandboxOrigins, type StandinRequest } from './standin-request.js';

/**
 * GET /_sandbox/scan?goto=… — what the sandbox QR code encodes: a phone's view of scanning it.
 * "Simulate scan as <name>" (a plain form, no script) goes to /_sandbox/scan/confirm, which mints a
 * tmp_code and sends this browser to `goto&tmp_code=…` — the navigation the embedding page makes
 * in §5b — so the flow finishes at `redirect_uri?code&state` in whichever browser scanned.
 */
export function scanPage(request: StandinRequest): Reply {
  return guarded(() => {
    const goto = request.query.get('goto')!;
    const app = checkGoto(request.state, goto, sandboxOrigins(request)).app;
    const { shown, hidden } = scanUsers(request.state.org);
    const buttons = shown
      .map(
        (u) =>
          `<li><button type="submit" name="user_id" value="${escapeHtml(u.user_id)}" data-testid="simulate-scan" data-user-id="${escapeHtml(u.user_id)}">Simulate scan as ${escapeHtml(u.name)}</button></li>`,
      )
      .join('\n');
    const more = hidden ? `<p class="more">…and ${hidden} more active users.</p>` : '';
    return html(
      standinDocument(
        'Feishu sandbox — scanned',
        `<h1>Log in to ${escapeHtml(app.appId)}</h1>
<form method="get" action="/_sandbox/scan/confirm">
<input type="hidden" name="goto" value="${escapeHtml(goto)}">
<ul>
${buttons}
</ul>
</form>
${more}`,
        'button{width:100%;max-width:320px;padding:12px}',
      ),
    );
  });
}

/** GET /_sandbox/scan/confirm?goto=…&user_id=… — 302 to `goto + "&tmp_code=" + tmp_code` (§5b). */
export function scanConfirm(request: StandinRequest): Reply {
  return guarded(() => {
    const goto = request.query.get('goto')!;
    checkGoto(request.state, goto, sandboxOrigins(request));
    const userId = request.query.get('user_id');
    const user = userId ? request.state.org.findUser(userId, 'user_id') : undefined;
    if (!user) fail(FEISHU.userNotExist, 'no such user');
    if (user.status.is_resigned) fail(FEISHU.userResigned, 'the user has resigned');
    if (user.status.is_frozen) fail(FEISHU.userFrozen, 'the user is frozen');
    return redirect(`${goto}&tmp_code=${request.state.codes.issueTmpCode(user.open_id)}`);
  });
}

function guarded(build: () => Reply): Reply {
  try {
    return build();
  } catch (error) {
    if (error instanceof FeishuFailure) return authorizeErrorPage(error.code, error.detail ?? error.error[1]);
    throw error;
  }
}
