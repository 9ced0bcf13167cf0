// What a login instance's Type declares for the admin page (`static admin`), drawn without knowing the element:
// status lines, action buttons with live progress, and views drawn as trees or tables (a table row may carry
// buttons that start a declared action with that row's params). All text goes in through textContent.
import { api } from '/jit/api.js';
import { errorText, t } from '/jit/i18n.js';

export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

const path = (fullName, kind, method) => `/api/admin/elements/${encodeURIComponent(fullName)}/${kind}/${encodeURIComponent(method)}`;
const runLine = (run) => (run.status === 'failed' ? t('surface.failed', { text: run.text }) : run.text);

/** The declared status lines of a login instance, in order. */
export function statusLines(login) {
  return login.status.map((s) =>
    el('span', { className: 'status', dataset: { testid: 'admin-status', method: s.method }, textContent: t('surface.statusLine', { title: s.title, text: s.text }) }),
  );
}

/**
 * Starts a declared action and follows its run (server-sent events): `show(run)` on each update; resolves with the
 * last one. A refusal (bad params, not declared) rejects with the API's error.
 */
async function runAction(fullName, method, params, show) {
  const { runId } = await api.post(path(fullName, 'actions', method), params ? { params } : {});
  return new Promise((resolve) => {
    const events = new EventSource(`/api/admin/runs/${encodeURIComponent(runId)}/events`);
    let last;
    events.addEventListener('progress', (event) => {
      last = JSON.parse(event.data);
      show(last);
    });
    events.addEventListener('end', () => {
      events.close();
      resolve(last);
    });
  });
}

/** Redraws the views (by method) of one login instance. */
const redraw = (login, methods) => Promise.all([...new Set(methods)].map((m) => login.views.find((v) => v.method === m)).filter(Boolean).map((view) => showView(login, view)));

/** A declared action: a button that starts it and a line that follows its run. */
export function actionControl(login, action) {
  const last = action.lastRun;
  const progress = el('span', { className: 'progress', dataset: { testid: 'action-progress', action: action.method }, textContent: last ? t('surface.lastRun', { text: runLine(last) }) : t('surface.neverRun') });
  const show = (run) => {
    progress.textContent = runLine(run);
    progress.dataset.status = run.status;
  };
  const button = el('button', {
    type: 'button',
    textContent: action.title,
    dataset: { testid: 'action-button', action: action.method },
    onclick: async () => {
      button.disabled = true;
      try {
        await runAction(login.fullName, action.method, undefined, show);
        await redraw(login, action.refreshes);
      } catch (error) {
        show({ status: 'failed', text: errorText(error) });
      } finally {
        button.disabled = false;
      }
    },
  });
  return el('span', { className: 'action' }, button, ' ', progress);
}

/** A declared view's nodes ({ id, parentId, label }) as nested lists: a node whose parent is not listed is a root. */
function nodeTree(nodes, empty) {
  const children = new Map();
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    const parent = n.parentId !== undefined && n.parentId !== null && ids.has(n.parentId) ? n.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), n]);
  }
  const item = (n) =>
    el('li', { dataset: { testid: 'view-node', nodeId: n.id } }, el('span', { textContent: n.label }), children.has(n.id) ? el('ul', {}, ...children.get(n.id).map(item)) : null);
  return nodes.length ? el('ul', { className: 'tree' }, ...(children.get(null) ?? []).map(item)) : el('p', { textContent: empty ?? t('common.nothingToShow') });
}

/**
 * A declared table view: one row per answer row, its buttons starting the named action with the row's params.
 * The outcome line sits above the table, so it stays when the redraw the run ends with drops the row.
 */
function viewTable(login, view, { columns, rows }, outcome) {
  if (rows.length === 0) return el('p', { textContent: view.empty ?? t('common.nothingToShow') });
  const withActions = rows.some((r) => r.actions.length > 0);
  const button = (a) => {
    const declared = login.actions.find((d) => d.method === a.action);
    const b = el('button', {
      type: 'button',
      className: 'secondary',
      textContent: a.title,
      dataset: { testid: 'row-action', action: a.action },
      onclick: async () => {
        b.disabled = true;
        const show = (run) => {
          outcome.textContent = t('surface.outcome', { title: a.title, text: runLine(run) });
          outcome.dataset.status = run.status;
        };
        try {
          await runAction(login.fullName, a.action, a.params, show);
        } catch (error) {
          show({ status: 'failed', text: errorText(error) });
        }
        b.disabled = false;
        await redraw(login, [view.method, ...(declared?.refreshes ?? [])]);
      },
    });
    return b;
  };
  const table = el(
    'table',
    { className: 'view-table' },
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', textContent: c })), withActions ? el('th', { scope: 'col' }) : null)),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el('tr', { dataset: { testid: 'view-row' } }, ...r.cells.map((c) => el('td', { textContent: c })), withActions ? el('td', { className: 'row-actions' }, ...r.actions.map(button)) : null),
      ),
    ),
  );
  return el('div', { className: 'table-scroll' }, table);
}

const viewsBox = () => document.getElementById('admin-views');
const viewKey = (fullName, method) => `${fullName}#${method}`;

/** One section per declared view of each login instance (GET /api/admin/elements/:fullName/views/:view). */
export function drawViews(logins) {
  viewsBox().replaceChildren(
    ...logins.flatMap((login) =>
      login.views.map((view) =>
        el(
          'section',
          { dataset: { testid: 'admin-view', view: viewKey(login.fullName, view.method), kind: view.kind } },
          el('h2', { textContent: logins.length > 1 ? t('surface.viewOf', { view: view.title, login: login.title }) : view.title }),
          el('p', { className: 'progress view-outcome', dataset: { testid: 'view-outcome' } }),
          el('div', { className: 'view-body', textContent: view.empty ?? t('common.loading') }),
        ),
      ),
    ),
  );
  return Promise.all(logins.flatMap((login) => login.views.map((view) => showView(login, view))));
}

async function showView(login, view) {
  const section = [...viewsBox().querySelectorAll('[data-testid="admin-view"]')].find((s) => s.dataset.view === viewKey(login.fullName, view.method));
  const body = section?.querySelector('.view-body');
  if (!body) return;
  try {
    const drawn = await api.get(path(login.fullName, 'views', view.method));
    body.replaceChildren(drawn.kind === 'table' ? viewTable(login, view, drawn, section.querySelector('.view-outcome')) : nodeTree(drawn.nodes, view.empty));
  } catch (error) {
    body.replaceChildren(el('p', { className: 'error', textContent: errorText(error) }));
  }
}
