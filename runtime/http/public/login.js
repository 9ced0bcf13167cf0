// The login page: one panel per login instance, each drawn by its Type's own browser module.
import { api } from '/jit/api.js';
import { errorText, t } from '/jit/i18n.js';

const root = document.getElementById('login-methods');

function showError(container, error) {
  const p = document.createElement('p');
  p.className = 'error';
  p.dataset.testid = 'panel-error';
  p.textContent = errorText(error);
  container.replaceChildren(p);
}

try {
  const methods = await api.loginMethods();
  root.replaceChildren();
  if (methods.length === 0) root.textContent = t('login.noMethods');
  for (const method of methods) {
    const section = document.createElement('section');
    section.className = 'card login-method';
    section.dataset.fullName = method.fullName;
    const title = document.createElement('h2');
    title.textContent = method.title;
    const body = document.createElement('div');
    section.append(title, body);
    root.append(section);
    if (!method.panel) {
      body.textContent = t('login.noPanel');
      continue;
    }
    import(method.panel)
      .then((panel) => panel.mount(body, { api, method, onError: (error) => showError(body, error) }))
      .catch((error) => showError(body, error));
  }
} catch (error) {
  showError(root, error);
}
