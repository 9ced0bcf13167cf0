// The Feishu sandbox as a command-line service. The CLI sits on top of the
// stack, so it may reach into the official element that owns the sandbox.
import { defaultApp, DEFAULT_REDIRECT_URIS, startSandbox, type Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';

export interface SandboxCliOptions {
  port?: number;
  departments?: number;
  users?: number;
  rate?: number;
  /** Extra redirect URLs to register on the sandbox app (the app server's /login/callback). */
  redirectUris?: string[];
}

export function startCliSandbox(options: SandboxCliOptions): Promise<Sandbox> {
  const app = defaultApp();
  return startSandbox({
    port: options.port ?? 0,
    ...(options.departments !== undefined || options.users !== undefined
      ? { org: { ...(options.departments !== undefined ? { departments: options.departments } : {}), ...(options.users !== undefined ? { users: options.users } : {}) } }
      : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    apps: [{ ...app, redirectUris: [...DEFAULT_REDIRECT_URIS, ...(options.redirectUris ?? [])] }],
  });
}
