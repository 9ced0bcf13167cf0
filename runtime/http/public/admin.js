// The admin page: element tree with diagnostics and roles; the login methods (role "login"), each with what its Type
// declares for this page (`static admin`, drawn by admin-surface.js: status lines, actions with live progress, views
// drawn as trees or tables); and a form (drawn from the Type's config JSON Schema) that creates and edits login
// instances. It names no element.
import { api, INTERNAL_ERROR } from '/jit/api.js';
import { actionControl, drawViews, el, statusLines } from '/jit/admin-surface.js';
import { errorText, list, t } from '/jit/i18n.js';

function elementTree({ app, elements, diagnostics }) {
  const children = new Map();
  const known = new Set(elements.map((e) => e.fullName));
  const roots = [];
  for (const e of elements) {
    if (e.type === '' || !known.has(e.type)) roots.push(e);
    else children.set(e.type, [...(children.get(e.type) ?? []), e]);
  }
  const item = (e) => {
    const marks = [t(`admin.kind.${e.kind ?? 'unresolved'}`), t('admin.mark.layer', { layer: e.layer }), ...e.roles.map((r) => t('admin.mark.role', { role: r }))];
    if (e.overrides.length) marks.push(t('admin.mark.overrides', { layers: list(e.overrides) }));
    if (e.quarantined) marks.push(t('admin.mark.broken'));
    else if (e.keptLastGood) marks.push(t('admin.mark.keptLastGood'));
    const kids = children.get(e.fullName) ?? [];
    return el(
      'li',
      { className: e.quarantined ? 'broken' : '', dataset: { fullName: e.fullName, testid: 'tree-item' } },
      el('code', { textContent: e.fullName }),
      el('span', { className: 'marks', textContent: ` ${e.title} — ${marks.join(t('admin.mark.separator'))}` }),
      kids.length ? el('ul', {}, ...kids.map(item)) : null,
    );
  };
  const problems = diagnostics.length
    ? el('ul', { className: 'diagnostics', dataset: { testid: 'diagnostics' } }, ...diagnostics.map((d) => el('li', { textContent: t('admin.diagnostic', { severity: t(`admin.severity.${d.severity}`), code: d.code, fullName: d.fullName ?? '', message: d.message, hint: d.hint }) })))
    : el('p', { textContent: t('admin.noProblems'), dataset: { testid: 'diagnostics' } });
  return el('div', {}, el('p', { textContent: t('admin.layers', { layers: app.layers.join(' → ') }) }), el('div', { className: 'scroll-x' }, el('ul', { className: 'tree' }, ...roots.map(item))), el('h3', { textContent: t('admin.diagnostics') }), problems);
}

function loginRow(login) {
  const edit = el('button', { type: 'button', className: 'secondary', textContent: t('admin.edit'), dataset: { testid: 'edit-button', fullName: login.fullName }, onclick: () => editInstance(login.fullName) });
  const lines = statusLines(login);
  return el(
    'li',
    { dataset: { fullName: login.fullName } },
    el('strong', { textContent: login.title }),
    ` (${login.fullName}) `,
    lines.length ? el('span', { className: 'status-lines' }, ...lines.flatMap((line) => [line, ' '])) : null,
    ...login.actions.filter((a) => a.button).flatMap((a) => [actionControl(login, a), ' ']),
    edit,
  );
}


// ---- Creating and editing login instances ---------------------------------------------------------------
// The form is drawn from the Type's config JSON Schema (GET /api/admin/types); the server validates again with
// the same schema and the same code as `jit new` (runtime/scaffold) and names bad fields in `errors`.

/** The Metas whose class has the "login" role (from the element tree); a new login instance goes next to its Meta. */
let loginMetas = [];
const namespaceOf = (metaId) => metaId.slice(0, metaId.lastIndexOf('.') + 1);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Like api.get/post, but keeps the per-field `errors` of a refusal. */
async function send(method, path, body) {
  const response = await fetch(path, { method, credentials: 'same-origin', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const reply = await response.json().catch(() => ({ ok: false, code: INTERNAL_ERROR, message: t('error.unexpectedReply', { status: response.status }) }));
  return reply;
}

const isSecret = (name, prop) => prop.writeOnly === true || /secret|password|token/i.test(name);
const snake = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
/** Same rule as the server: the variable the description suggests, else <INSTANCE>_<FIELD>. */
const envVariable = (instance, name, prop) => /\$\{([A-Z_][A-Z0-9_]*)\}/.exec(prop.description ?? '')?.[1] ?? `${snake(instance || 'INSTANCE')}_${snake(name)}`;
const typeOf = (prop) => (Array.isArray(prop.type) ? prop.type[0] : prop.type) ?? (prop.enum ? typeof prop.enum[0] : 'string');

/** The schema rules the form checks before sending: required, type, enum, pattern, lengths, bounds, array items. */
function checkValue(prop, value, required) {
  if (value === undefined) return required ? t('check.required') : undefined;
  if (typeof value === 'string' && value.includes('${')) return undefined; // a placeholder: checked when the app loads it
  const type = typeOf(prop);
  if (prop.enum && !prop.enum.some((v) => v === value)) return t('check.oneOf', { values: list(prop.enum.map((v) => JSON.stringify(v))) });
  if (type === 'integer' && !Number.isInteger(value)) return t('check.integer');
  if (type === 'number' && !Number.isFinite(value)) return t('check.number');
  if (type === 'boolean' && typeof value !== 'boolean') return t('check.boolean');
  if (type === 'string') {
    if (typeof value !== 'string') return t('check.text');
    if (prop.minLength !== undefined && value.length < prop.minLength) return prop.minLength === 1 ? t('check.required') : t('check.minLength', { count: prop.minLength });
    if (prop.maxLength !== undefined && value.length > prop.maxLength) return t('check.maxLength', { count: prop.maxLength });
    if (prop.pattern && !new RegExp(prop.pattern, 'u').test(value)) return t('check.pattern', { pattern: prop.pattern });
  }
  if (typeof value === 'number') {
    if (prop.minimum !== undefined && value < prop.minimum) return t('check.minimum', { limit: prop.minimum });
    if (prop.maximum !== undefined && value > prop.maximum) return t('check.maximum', { limit: prop.maximum });
  }
  if (type === 'array') {
    if (!Array.isArray(value)) return t('check.list');
    if (prop.minItems !== undefined && value.length < prop.minItems) return t('check.minItems', { count: prop.minItems });
    if (prop.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) return t('check.duplicates');
    for (const item of value) {
      const problem = checkValue(prop.items ?? {}, item, false);
      if (problem) return t('check.item', { item: JSON.stringify(item), problem });
    }
  }
  return undefined;
}

/** One labelled input for a schema property: read() gives the value to send (undefined = leave out). */
function fieldInput(name, prop, { required, secret, initial, secretSet, instanceName }) {
  const type = typeOf(prop);
  const testid = `field-${name}`;
  let input;
  let read;
  if (secret) {
    input = el('input', { type: 'password', autocomplete: 'new-password', name, dataset: { testid } });
    read = () => (input.value === '' ? undefined : input.value);
    if (typeof initial === 'string') input.value = initial;
  } else if (prop.enum || type === 'boolean') {
    const options = prop.enum ?? [true, false];
    input = el('select', { name, dataset: { testid } }, el('option', { value: '', textContent: prop.default !== undefined ? t('form.default', { value: JSON.stringify(prop.default) }) : '—' }), ...options.map((v, i) => el('option', { value: String(i), textContent: String(v) })));
    read = () => (input.value === '' ? undefined : options[Number(input.value)]);
    if (initial !== undefined) input.value = String(options.findIndex((v) => v === initial));
  } else if (type === 'array') {
    input = el('textarea', { name, rows: 3, placeholder: t('form.onePerLine'), dataset: { testid } });
    const itemType = typeOf(prop.items ?? {});
    read = () => {
      const items = input.value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) return undefined;
      return itemType === 'integer' || itemType === 'number' ? items.map((s) => (Number.isFinite(Number(s)) ? Number(s) : s)) : items;
    };
    if (Array.isArray(initial)) input.value = initial.join('\n');
  } else if ((type === 'integer' || type === 'number') && typeof initial !== 'string') {
    input = el('input', { type: 'number', name, step: type === 'integer' ? '1' : 'any', dataset: { testid } });
    read = () => (input.value.trim() === '' ? undefined : Number(input.value));
    if (initial !== undefined) input.value = String(initial);
  } else if (type === 'object') {
    input = el('textarea', { name, rows: 3, placeholder: t('form.jsonPlaceholder'), dataset: { testid } });
    read = () => {
      if (input.value.trim() === '') return undefined;
      try {
        return JSON.parse(input.value);
      } catch {
        return input.value;
      }
    };
    if (initial !== undefined) input.value = JSON.stringify(initial, null, 2);
  } else {
    input = el('input', { type: 'text', name, dataset: { testid } });
    read = () => (input.value === '' ? undefined : input.value);
    if (initial !== undefined) input.value = String(initial);
  }
  if (prop.default !== undefined && 'placeholder' in input && !input.placeholder && !secret) input.placeholder = t('form.defaultPlaceholder', { value: JSON.stringify(prop.default) });
  input.id = `new-field-${name}`;
  const error = el('span', { className: 'field-error error', dataset: { testid: `error-${name}` } });
  const hint = secret
    ? el('span', { className: 'hint', textContent: ` ${secretSet ? t('form.secretKept') : t('form.secretPlaceholder', { placeholder: `\${${envVariable(instanceName(), name, prop)}}` })}` })
    : null;
  const row = el(
    'div',
    { className: 'field', dataset: { field: name } },
    el('label', { htmlFor: input.id }, el('strong', { textContent: prop.title ?? name }), required ? el('span', { className: 'required', title: t('form.requiredMark'), textContent: ' *' }) : null, el('code', { textContent: ` ${name}` })),
    input,
    prop.description ? el('p', { className: 'hint', textContent: prop.description }) : null,
    hint,
    error,
  );
  return { name, prop, required, secret, secretSet, row, input, error, read };
}

const formSection = el('section', { id: 'new-login', dataset: { testid: 'new-login' } });

async function newLoginForm(edit) {
  const perMeta = await Promise.all(loginMetas.map(async (meta) => (await api.get(`/api/admin/types?meta=${encodeURIComponent(meta)}`)).map((type) => ({ ...type, namespace: namespaceOf(meta) }))));
  const types = perMeta.flat().filter((type, i, all) => all.findIndex((other) => other.typeId === type.typeId) === i);
  const heading = el('h2', { textContent: edit ? t('form.editHeading', { fullName: edit.fullName }) : t('form.newHeading') });
  if (types.length === 0) return formSection.replaceChildren(heading, el('p', { textContent: t('form.noTypes') }));
  // The options show titles only (an id beside each would not fit a phone's width); the chosen Type's id is shown under the select.
  const typePicker = el('select', { id: 'new-type', dataset: { testid: 'new-type' }, disabled: Boolean(edit) }, ...types.map((type) => el('option', { value: type.typeId, textContent: type.title, title: type.typeId })));
  if (edit) typePicker.value = edit.type;
  const typeHint = el('code', { className: 'hint type-id', dataset: { testid: 'new-type-id' } });
  const name = el('input', { type: 'text', placeholder: t('form.namePlaceholder'), dataset: { testid: 'new-name' }, disabled: Boolean(edit) });
  const title = el('input', { type: 'text', placeholder: t('form.titlePlaceholder'), dataset: { testid: 'new-title' }, disabled: Boolean(edit) });
  if (edit) {
    const namespace = types.find((type) => type.typeId === edit.type)?.namespace ?? '';
    name.value = namespace && edit.fullName.startsWith(namespace) ? edit.fullName.slice(namespace.length) : edit.fullName;
    title.value = edit.title;
  }
  const nameError = el('span', { className: 'field-error error', dataset: { testid: 'error-fullName' } });
  const secretsAsValues = el('input', { type: 'checkbox', dataset: { testid: 'new-secrets-as-values' } });
  const fieldsBox = el('div', { className: 'fields' });
  const result = el('p', { dataset: { testid: 'new-result' }, className: 'hint' });
  let fields = [];
  const namespace = () => types.find((type) => type.typeId === typePicker.value)?.namespace ?? '';
  const prefix = el('code', { textContent: ` ${namespace()}…` });
  const fullName = () => (edit ? edit.fullName : name.value.includes('.') ? name.value.trim() : `${namespace()}${name.value.trim()}`);
  const instanceName = () => fullName().slice(fullName().lastIndexOf('.') + 1);

  const drawFields = () => {
    const type = types.find((candidate) => candidate.typeId === typePicker.value);
    typeHint.textContent = type.typeId;
    const schema = type.schema ?? { properties: {} };
    const required = new Set(schema.required ?? []);
    fields = Object.entries(schema.properties ?? {}).map(([key, prop]) =>
      fieldInput(key, prop, { required: required.has(key), secret: isSecret(key, prop), initial: edit?.config[key], secretSet: edit?.secretsSet.includes(key), instanceName }),
    );
    fieldsBox.replaceChildren(type.description ? el('p', { className: 'hint', textContent: type.description }) : '', ...fields.map((f) => f.row));
    prefix.textContent = ` ${namespace()}…`;
  };
  typePicker.addEventListener('change', drawFields);
  drawFields();

  const showErrors = (errors) => {
    for (const f of fields) f.error.textContent = '';
    nameError.textContent = '';
    const other = [];
    for (const e of errors) {
      const target = e.field === 'fullName' ? nameError : fields.find((f) => f.name === e.field)?.error;
      if (target) target.textContent = target.textContent ? `${target.textContent}${t('check.separator')}${e.message}` : e.message;
      else other.push(e.message);
    }
    return other;
  };

  const submit = el('button', { type: 'submit', textContent: edit ? t('form.save') : t('form.create'), dataset: { testid: 'new-submit' } });
  const form = el(
    'form',
    {
      className: 'card new-login',
      noValidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        result.textContent = '';
        result.className = 'hint';
        const config = {};
        const errors = [];
        if (!edit && !fullName().split('.').every((part) => IDENTIFIER.test(part))) errors.push({ field: 'fullName', message: t('check.nameRule') });
        for (const f of fields) {
          let value = f.read();
          if (value === undefined && f.secret && !edit?.secretsSet.includes(f.name) && f.required) value = `\${${envVariable(instanceName(), f.name, f.prop)}}`;
          const keptSecret = value === undefined && f.secret && edit?.secretsSet.includes(f.name);
          const problem = keptSecret ? undefined : checkValue(f.prop, value, f.required);
          if (problem) errors.push({ field: f.name, message: problem });
          if (value !== undefined) config[f.name] = value;
        }
        if (showErrors(errors).length > 0 || errors.length > 0) {
          result.textContent = t('form.correctFields');
          result.className = 'error';
          return;
        }
        submit.disabled = true;
        const reply = edit
          ? await send('PUT', `/api/admin/elements/${encodeURIComponent(edit.fullName)}/config`, { config, secretsAsValues: secretsAsValues.checked })
          : await send('POST', '/api/admin/elements', { fullName: fullName(), type: typePicker.value, config, secretsAsValues: secretsAsValues.checked, ...(title.value.trim() ? { title: title.value.trim() } : {}) });
        submit.disabled = false;
        if (!reply.ok) {
          const other = showErrors(reply.errors ?? []);
          result.textContent = other.length || !reply.errors?.length ? errorText(reply) : t('form.serverRefusedFields');
          result.className = 'error';
          result.dataset.status = 'error';
          return;
        }
        const env = list(reply.data.env.map((e) => t('form.envVariable', { variable: e.variable, field: e.field })));
        const done = t(edit ? 'form.saved' : 'form.created', { fullName: reply.data.fullName, files: list(reply.data.files) });
        result.textContent = `${done}${env ? t('form.envNote', { env }) : ''}`;
        result.dataset.status = 'done';
        await refresh(reply.data.fullName);
      },
    },
    el('div', { className: 'field' }, el('label', { htmlFor: 'new-type' }, el('strong', { textContent: t('form.type') })), typePicker, typeHint),
    el('div', { className: 'field' }, el('label', {}, el('strong', { textContent: t('form.name') }), el('span', { className: 'required', textContent: ' *' }), prefix), name, nameError),
    el('div', { className: 'field' }, el('label', {}, el('strong', { textContent: t('form.title') })), title),
    fieldsBox,
    el('div', { className: 'field' }, el('label', { className: 'checkbox' }, secretsAsValues, ` ${t('form.secretsAsValues')}`)),
    el('p', { className: 'buttons' }, submit, ' ', edit ? el('button', { type: 'button', className: 'secondary', textContent: t('form.cancel'), dataset: { testid: 'new-cancel' }, onclick: () => newLoginForm() }) : null),
    result,
  );
  formSection.replaceChildren(heading, form);
  if (edit) formSection.scrollIntoView?.();
}

async function editInstance(fullName) {
  const reply = await send('GET', `/api/admin/elements/${encodeURIComponent(fullName)}/config`);
  if (!reply.ok) return formSection.replaceChildren(el('p', { className: 'error', textContent: errorText(reply) }));
  await newLoginForm(reply.data);
}

async function showTreeAndLogins() {
  const tree = await api.get('/api/admin/tree');
  loginMetas = tree.elements.filter((e) => e.kind === 'meta' && e.roles.includes('login')).map((e) => e.fullName);
  document.getElementById('element-tree').replaceChildren(elementTree(tree));
  const logins = await api.get('/api/admin/logins');
  document.getElementById('login-status').replaceChildren(el('ul', {}, ...logins.map(loginRow)));
  return { tree, logins };
}

/** After a write the server reloads on its own (hot reload); redraw once the element shows, or after a few tries. */
async function refresh(fullName) {
  for (let i = 0; i < 25; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { tree, logins } = await showTreeAndLogins();
    if (tree.elements.some((e) => e.fullName === fullName) && i >= 1) return drawViews(logins);
  }
}

try {
  const { logins } = await showTreeAndLogins();
  document.getElementById('login-status').closest('section').after(formSection);
  await newLoginForm();
  await drawViews(logins);
} catch (error) {
  document.body.append(el('p', { className: 'error', textContent: errorText(error) }));
}
