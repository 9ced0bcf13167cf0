import { loadApp } from '../app.js';
import { AccountService } from '../auth/accounts.js';
import { LoginStateStore } from '../auth/login-states.js';
import { ADMIN_LINK_PROVIDER } from '../http/pages.js';
import type { CliIo } from './io.js';

const LINK_TTL_SECONDS = 15 * 60;

/** `jit admin create`: a local administrator and a one-time sign-in link for them. */
export async function createAdmin(appDir: string, name: string, options: { email?: string; publicUrl: string; dataDir?: string }, io: CliIo): Promise<void> {
  const app = await loadApp(appDir, { env: io.env ?? process.env, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  try {
    const now = () => app.now();
    const user = await new AccountService(app.dataSource, now).createUser({ name, email: options.email ?? null, isAdmin: true });
    const { state } = await new LoginStateStore(app.dataSource, now).issue(ADMIN_LINK_PROVIDER, { ttlSeconds: LINK_TTL_SECONDS, subject: user.id });
    io.out(`Administrator "${name}" created (local user ${user.id}).`);
    io.out(`Sign in within ${LINK_TTL_SECONDS / 60} minutes, once: ${options.publicUrl.replace(/\/$/, '')}/login/admin?token=${state}`);
  } finally {
    await app.close();
  }
}
