import { api } from '/jit/api.js';

document.getElementById('logout')?.addEventListener('click', async () => {
  await api.logout();
  window.location.assign('/login');
});
