// The admin page: element tree with diagnostics, login methods with sync and live progress, the synced organization.
import { api } from '/jit/api.js';

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

function elementTree({ app, elements, diagnostics }) {
  const children = new Map();
  const known = new Set(elements.map((e) => e.fullName));
  const roots = [];
  for (const e of elements) {
    if (e.type === '' || !known.has(e.type)) roots.push(e);
    else children.set(e.type, [...(children.get(e.type) ?? []), e]);
  }
  const item = (e) => {
    const marks = [e.kind ?? 'unresolved', `layer ${e.layer}`];
    if (e.overrides.length) marks.push(`overrides ${e.overrides.join(', ')}`);
    const kids = children.get(e.fullName) ?? [];
    return el(
      'li',
      { className: e.quarantined ? 'broken' : '', dataset: { fullName: e.fullName, testid: 'tree-item' } },
      el('code', { textContent: e.fullName }),
      el('span', { className: 'marks', textContent: ` ${e.title} — ${marks.join(' · ')}${e.quarantined ? ' · BROKEN' : ''}` }),
      kids.length ? el('ul', {}, ...kids.map(item)) : null,
    );
  };
  const problems = diagnostics.length
    ? el('ul', { className: 'diagnostics', dataset: { testid: 'diagnostics' } }, ...diagnostics.map((d) => el('li', { textContent: `${d.severity} ${d.code} ${d.fullName ?? ''}: ${d.message} — ${d.hint}` })))
    : el('p', { textContent: 'No problems.', dataset: { testid: 'diagnostics' } });
  return el('div', {}, el('p', { textContent: `Layers: ${app.layers.join(' → ')}` }), el('ul', { className: 'tree' }, ...roots.map(item)), el('h3', { textContent: 'Diagnostics' }), problems);
}

function orgTree(departments) {
  const children = new Map();
  const ids = new Set(departments.map((d) => d.deptId));
  for (const d of departments) {
    const parent = ids.has(d.parentId) ? d.parentId : 'root';
    children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const item = (d) =>
    el(
      'li',
      { dataset: { testid: 'org-department', deptId: d.deptId } },
      el('span', { textContent: `${d.name} (${d.members} member${d.members === 1 ? '' : 's'})${d.status === 'deleted' ? ' — deleted' : ''}` }),
      children.has(d.deptId) ? el('ul', {}, ...children.get(d.deptId).map(item)) : null,
    );
  return departments.length ? el('ul', { className: 'tree' }, ...(children.get('root') ?? []).map(item)) : el('p', { textContent: 'Nothing synced yet.' });
}

async function showOrg(instance) {
  document.getElementById('org-tree').replaceChildren(orgTree(await api.get(`/api/admin/org?instance=${encodeURIComponent(instance)}`)));
}

function loginRow(login) {
  const progress = el('span', { className: 'progress', dataset: { testid: 'sync-progress' }, textContent: login.lastSync ? `last sync: ${login.lastSync.status}` : 'never synced' });
  const token = login.token ? (login.token.cached ? `token cached until ${new Date(login.token.expiresAt).toLocaleTimeString()}` : 'no token cached') : '';
  const button = el('button', {
    type: 'button',
    textContent: 'Sync departments',
    dataset: { testid: 'sync-button' },
    onclick: async () => {
      button.disabled = true;
      const { runId } = await api.post('/api/admin/sync', { instance: login.fullName });
      const events = new EventSource(`/api/admin/sync/${runId}/events`);
      events.addEventListener('progress', (event) => {
        const run = JSON.parse(event.data);
        const p = run.progress;
        progress.textContent = run.status === 'running' ? `${p.phase ?? 'starting'}: ${p.departmentsDone ?? 0}/${p.departmentsFound ?? 0} departments, ${p.usersFound ?? 0} users` : run.status === 'done' ? `sync done: ${p.departmentsFound} departments, ${p.usersWritten} users` : `sync failed: ${run.error?.message}`;
        progress.dataset.status = run.status;
      });
      events.addEventListener('end', async () => {
        events.close();
        button.disabled = false;
        await showOrg(login.fullName);
      });
    },
  });
  return el('li', { dataset: { fullName: login.fullName } }, el('strong', { textContent: login.title }), ` (${login.fullName}) ${token} `, login.canSync ? button : null, ' ', progress);
}

try {
  document.getElementById('element-tree').replaceChildren(elementTree(await api.get('/api/admin/tree')));
  const logins = await api.get('/api/admin/logins');
  document.getElementById('login-status').replaceChildren(el('ul', {}, ...logins.map(loginRow)));
  if (logins[0]) await showOrg(logins[0].fullName).catch(() => undefined);
} catch (error) {
  document.body.append(el('p', { className: 'error', textContent: `${error.message} (code ${error.code})` }));
}
