import QRCode from 'qrcode';
import { standinDocument } from '../browser.js';
import { FeishuFailure } from '../errors.js';
import { escapeHtml, html, json, type Reply } from '../http.js';
import type { Org } from '../org.js';
import type { FeishuUser } from '../org-types.js';
import { checkGoto } from '../qr-goto.js';
import { authorizeErrorPage } from './authorize-page.js';
import { sandboxOrigins, type StandinRequest } from './standin-request.js';

/** The frame lists at most this many people at once; the filter finds anyone beyond them (GET /_sandbox/qr/people). */
export const MAX_LISTED_USERS = 200;

/** Where the frame's filter asks for matches when not every active user is listed (see qrPeople). */
export const QR_PEOPLE_PATH = '/_sandbox/qr/people';

export interface PeopleMatch {
  /** Active users in the org. */
  total: number;
  /** Active users matching the query (all of them for an empty one). */
  matched: number;
  /** The first MAX_LISTED_USERS matches, in org order. */
  people: FeishuUser[];
}

/** The filter's words: every one must occur (case-insensitively) in the user's name or user_id. */
function filterWords(query: string): string[] {
  return query.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** The active users a filter query matches, as both the frame's script and its no-script form see them. */
export function matchPeople(org: Org, query: string, limit = MAX_LISTED_USERS): PeopleMatch {
  const active = org.activeUsers();
  const words = filterWords(query);
  const matches = words.length
    ? active.filter((u) => {
        const hay = `${u.name} ${u.user_id}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      })
    : active;
  return { total: active.length, matched: matches.length, people: matches.slice(0, limit) };
}

const noun = (n: number) => (n === 1 ? 'person' : 'people');

/** The list's header; the script (SCAN_SCRIPT's headline) words it the same way and adds the scroll hint only when the list overflows. */
function headline(listed: number, matched: number, total: number, filtered: boolean): string {
  if (filtered && matched === 0) return 'No one matches';
  if (!filtered) return listed === total ? `${total} ${noun(total)}` : `First ${listed} of ${total} ${noun(total)}`;
  return matched > listed ? `First ${listed} of ${matched} matches of ${total} ${noun(total)}` : `${matched} of ${total} ${noun(total)}`;
}

/** The note below a list that does not hold every match (the script words it the same way). */
function moreNote(left: number, filtered: boolean): string {
  return filtered ? `…and ${left} more matches: narrow the filter to list them.` : `…and ${left} more active users: type a name or user_id in the filter to find them.`;
}

/**
 * GET /suite/passport/sso/qr?goto=… — the page the QR SDK frames (§5b). It shows a real QR code
 * of the sandbox scan page (/_sandbox/scan, a phone's view) and, since nobody scans in a test, a
 * "Simulate scan as <name>" button per active user: a click mints a tmp_code for that user and posts
 * the SDK 1.0.3 message `{source: 'qrcode', tmp_code}` to the embedding page, which then navigates
 * to `goto&tmp_code=…`. A goto the passport page would refuse shows that error here instead.
 *
 * Layout: the frame keeps the size the page gives QRLogin (the login panel's 300×300, as Feishu's
 * own frame), so the page itself never scrolls. The QR code and a filter box sit on the left, the
 * people on the right in a list that scrolls on its own, headed by "N people — scroll ↕" and faded at
 * the bottom while more is below; a frame narrower than 280px stacks the two. Every button is
 * reachable by mouse (scroll the list) and keyboard (Tab, or ↑/↓/Home/End in the list; type in the
 * filter, then Enter picks the first match).
 *
 * Every active user is listed when there are at most MAX_LISTED_USERS; beyond that (orgs of
 * thousands) the first MAX_LISTED_USERS are, the header says so, and the filter asks
 * GET /_sandbox/qr/people for matches among all of them. Without script the list still scrolls,
 * every button is a plain button, and the filter is a form: Enter reloads the frame with `&q=…`,
 * which lists the matches.
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
  const query = request.query.get('q') ?? '';
  const filtered = filterWords(query).length > 0;
  const { total, matched, people: shown } = matchPeople(request.state.org, query);
  // The script filters the list in place only when it holds every active user; otherwise it asks the server.
  const complete = !filtered && shown.length === total;
  const buttons = shown
    .map(
      (u) =>
        `<li><button type="button" data-testid="simulate-scan" data-user-id="${escapeHtml(u.user_id)}" data-user-name="${escapeHtml(u.name)}">Simulate scan as ${escapeHtml(u.name)}</button></li>`,
    )
    .join('\n');
  const left = matched - shown.length;
  const more = left > 0 ? `<li class="more" data-testid="sandbox-more-users">${escapeHtml(moreNote(left, filtered))}</li>` : '';
  const everyone = `${total} ${noun(total)}`;
  const head = headline(shown.length, matched, total, filtered);
  // As the script words it once it knows whether the list overflows (here: whether it holds more than one).
  const hint = shown.length > 1 ? (complete ? ' — scroll ↕' : ' — scroll ↕ or filter') : complete || (filtered && matched === shown.length) ? '' : ' — or filter';
  return html(
    standinDocument(
      'Feishu sandbox — scan to log in',
      `<div class="side">
<div class="qr" data-testid="sandbox-qr" data-scan-url="${escapeHtml(scanUrl)}" data-app-id="${escapeHtml(appId)}" role="img" aria-label="QR code: ${escapeHtml(scanUrl)}">${svg}</div>
<p class="hint">Feishu sandbox — no phone needed: pick who scans.</p>
<form id="sandbox-find" class="find" role="search" action="/suite/passport/sso/qr" method="get">
<input type="hidden" name="goto" value="${escapeHtml(goto!)}">
<input type="search" name="q" value="${escapeHtml(query)}" id="sandbox-user-filter" data-testid="sandbox-user-filter" placeholder="Filter ${everyone}" aria-label="Filter the ${everyone} who can scan" aria-controls="sandbox-users" autocomplete="off" spellcheck="false">
</form>
<p data-testid="sandbox-qr-status" role="status"></p>
</div>
<section class="people" id="sandbox-people" aria-labelledby="sandbox-user-count">
<p class="count" id="sandbox-user-count" data-testid="sandbox-user-count" data-total="${total}" data-listed="${shown.length}" data-matched="${matched}" aria-live="polite">${escapeHtml(head)}${hint}</p>
<ul class="users" id="sandbox-users" data-testid="sandbox-users" data-total="${total}" data-complete="${complete}" data-people-url="${escapeHtml(`${QR_PEOPLE_PATH}?goto=${encodeURIComponent(goto!)}`)}">
${buttons}
${more}
</ul>
</section>
<script>${SCAN_SCRIPT}</script>`,
      STYLE,
    ),
  );
}

/**
 * GET /_sandbox/qr/people?goto=…&q=… — the frame's filter when the list does not hold every active
 * user: `{total, matched, people: [{userId, name}]}`, the first MAX_LISTED_USERS matches in org
 * order (the same words as the frame's list: every word in the name or user_id). The goto is
 * checked as for the frame (a 400 `{code, error}` otherwise), so only a frame that could be shown
 * can list people.
 */
export function qrPeople(request: StandinRequest): Reply {
  try {
    checkGoto(request.state, request.query.get('goto'), sandboxOrigins(request));
  } catch (error) {
    if (error instanceof FeishuFailure) return json({ code: error.code, error: error.detail ?? error.error[1] }, 400);
    throw error;
  }
  const { total, matched, people } = matchPeople(request.state.org, request.query.get('q') ?? '');
  return json({ total, matched, people: people.map((u) => ({ userId: u.user_id, name: u.name })) });
}

const STYLE = [
  'html,body{height:100%}',
  'body{box-sizing:border-box;padding:6px;margin:0;overflow:hidden;text-align:left;font-size:12px;display:flex;gap:6px}',
  '.side{flex:none;display:flex;flex-direction:column;gap:4px;width:min(128px,calc(100vh - 12px))}',
  '.qr svg{display:block;width:100%;height:auto}',
  '.hint,.count{margin:0;color:#555;font-size:11px;line-height:1.3}',
  '.find{margin:0}',
  '#sandbox-user-filter{box-sizing:border-box;width:100%;font:inherit;padding:3px 4px;border:1px solid #bbb;border-radius:4px}',
  '[role=status]{margin:0;font-size:11px;overflow-wrap:anywhere}[role=status]:empty{display:none}',
  '.people{flex:1;min-width:0;min-height:0;display:flex;flex-direction:column;gap:2px;position:relative}',
  '.users{flex:1;min-height:0;margin:0;padding:0 2px 0 0;overflow-y:auto;overscroll-behavior:contain;scrollbar-gutter:stable;scrollbar-width:thin;scrollbar-color:#8a8f99 #eceef2;border-top:1px solid #e3e5e9;border-bottom:1px solid #e3e5e9}',
  '.users li{margin:3px 0}',
  '.users button{display:block;box-sizing:border-box;width:100%;text-align:left;padding:3px 5px;font-size:11px;line-height:1.3;background:#f5f6f8;border:1px solid #cfd3da;border-radius:4px;overflow-wrap:anywhere}',
  '.users button:hover{background:#e8f0ff;border-color:#3370ff}',
  '.users button:focus-visible{outline:2px solid #3370ff;outline-offset:-1px}',
  '.users .more{color:#555;font-size:11px;overflow-wrap:anywhere}',
  // The fade says "more below"; the script lifts it at the bottom (without script it simply stays).
  '.people::after{content:"";position:absolute;left:0;right:10px;bottom:1px;height:22px;pointer-events:none;background:linear-gradient(rgba(255,255,255,0),#fff)}',
  '.people[data-at-end]::after{display:none}',
  '@media (max-width:279px){body{flex-direction:column}.side{width:auto}.qr svg{width:min(250px,calc(100vh - 130px));margin:0 auto}}',
].join('');

/**
 * Runs in the frame: mint a tmp_code (same origin, POST /_sandbox/tmp_codes), post it to the parent.
 * The filter, keyboard moves and the fade only run where the DOM has them (getElementById). The
 * filter hides non-matching buttons in place when the list holds every active user
 * (data-complete), and otherwise replaces the list with what GET /_sandbox/qr/people answers.
 */
const SCAN_SCRIPT = `
(function () {
  'use strict';
  var status = document.querySelector('[data-testid="sandbox-qr-status"]');
  var buttons = Array.prototype.slice.call(document.querySelectorAll('[data-testid="simulate-scan"]'));
  function scan(button) {
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
  }
  function wire(button) {
    button.addEventListener('click', function () {
      scan(button);
    });
  }
  buttons.forEach(wire);
  if (typeof document.getElementById !== 'function') return;
  var form = document.getElementById('sandbox-find');
  var filter = document.getElementById('sandbox-user-filter');
  var list = document.getElementById('sandbox-users');
  var people = document.getElementById('sandbox-people');
  var count = document.getElementById('sandbox-user-count');
  if (!filter || !list || !people || !count) return;
  var total = Number(list.getAttribute('data-total'));
  var complete = list.getAttribute('data-complete') === 'true';
  var peopleUrl = list.getAttribute('data-people-url');
  // What the header counts: matches of the current filter, and whether it filters at all.
  var matched = Number(count.getAttribute('data-matched'));
  var filtered = filter.value.trim() !== '';
  var noun = function (n) { return n === 1 ? 'person' : 'people'; };
  function allButtons() {
    return Array.prototype.slice.call(list.querySelectorAll('[data-testid="simulate-scan"]'));
  }
  function shownButtons() {
    return allButtons().filter(function (b) { return !b.parentNode.hidden; });
  }
  function headline(listed) {
    if (filtered && matched === 0) return 'No one matches';
    if (!filtered) return listed === total ? total + ' ' + noun(total) : 'First ' + listed + ' of ' + total + ' ' + noun(total);
    return matched > listed ? 'First ' + listed + ' of ' + matched + ' matches of ' + total + ' ' + noun(total) : matched + ' of ' + total + ' ' + noun(total);
  }
  function updateFade() {
    if (list.scrollTop + list.clientHeight >= list.scrollHeight - 2) people.setAttribute('data-at-end', '');
    else people.removeAttribute('data-at-end');
  }
  function updateCount() {
    var listed = shownButtons().length;
    var scrolls = list.scrollHeight > list.clientHeight + 2;
    var hint = scrolls ? (complete ? ' — scroll ↕' : ' — scroll ↕ or filter') : complete || (filtered && matched === listed) ? '' : ' — or filter';
    count.textContent = headline(listed) + hint;
    updateFade();
  }
  function localFilter(value) {
    var words = value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    filtered = words.length > 0;
    matched = 0;
    buttons.forEach(function (b) {
      var hay = (b.getAttribute('data-user-name') + ' ' + b.getAttribute('data-user-id')).toLowerCase();
      var hit = words.every(function (w) { return hay.indexOf(w) >= 0; });
      b.parentNode.hidden = !hit;
      if (hit) matched++;
    });
    list.scrollTop = 0;
    updateCount();
  }
  function item(person) {
    var li = document.createElement('li');
    var button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('data-testid', 'simulate-scan');
    button.setAttribute('data-user-id', person.userId);
    button.setAttribute('data-user-name', person.name);
    button.textContent = 'Simulate scan as ' + person.name;
    wire(button);
    li.appendChild(button);
    return li;
  }
  function render(answer, value) {
    total = answer.total;
    matched = answer.matched;
    filtered = value.trim() !== '';
    while (list.firstChild) list.removeChild(list.firstChild);
    answer.people.forEach(function (person) { list.appendChild(item(person)); });
    var left = answer.matched - answer.people.length;
    if (left > 0) {
      var more = document.createElement('li');
      more.className = 'more';
      more.setAttribute('data-testid', 'sandbox-more-users');
      more.textContent = filtered ? '…and ' + left + ' more matches: narrow the filter to list them.' : '…and ' + left + ' more active users: type a name or user_id in the filter to find them.';
      list.appendChild(more);
    }
    list.scrollTop = 0;
    updateCount();
  }
  // Remote filtering: the latest input wins; Enter waits for it (pending).
  var asked = 0;
  var timer = null;
  var pending = null;
  function remoteFilter(value) {
    var ticket = ++asked;
    if (timer) clearTimeout(timer);
    count.textContent = 'Searching…';
    pending = new Promise(function (resolve) {
      timer = setTimeout(function () {
        timer = null;
        fetch(peopleUrl + '&q=' + encodeURIComponent(value.trim()))
          .then(function (res) {
            return res.json().then(function (body) {
              if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
              return body;
            });
          })
          .then(function (answer) {
            if (ticket === asked) render(answer, value);
          })
          .catch(function (error) {
            if (ticket === asked) count.textContent = 'Search failed: ' + error.message;
          })
          .then(function () {
            if (ticket === asked) pending = null;
            resolve();
          });
      }, 120);
    });
  }
  filter.addEventListener('input', function () {
    if (complete) localFilter(filter.value);
    else remoteFilter(filter.value);
  });
  if (form) form.addEventListener('submit', function (event) { event.preventDefault(); });
  function pickFirst() {
    var first = shownButtons()[0];
    if (!first) return;
    first.focus();
    scan(first);
  }
  filter.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      if (pending) pending.then(pickFirst);
      else pickFirst();
    } else if (event.key === 'ArrowDown') {
      var first = shownButtons()[0];
      if (!first) return;
      event.preventDefault();
      first.focus();
    }
  });
  list.addEventListener('keydown', function (event) {
    var visible = shownButtons();
    var at = visible.indexOf(document.activeElement);
    if (at < 0) return;
    var next = event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? visible.length - 1 : null;
    if (next === null) return;
    event.preventDefault();
    if (next < 0) filter.focus();
    else if (visible[Math.min(next, visible.length - 1)]) visible[Math.min(next, visible.length - 1)].focus();
  });
  list.addEventListener('scroll', updateFade);
  window.addEventListener('resize', updateCount);
  updateCount();
})();
`;
