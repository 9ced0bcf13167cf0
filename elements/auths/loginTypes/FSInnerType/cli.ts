import type { CommandDeclaration, DevServerDeclaration } from '../../../../runtime/declarations/commands.js';
import type { Sandbox } from './sandbox/index.js';

/**
 * FSInnerType's part of the `jit` command line: `jit sandbox` (the Feishu
 * sandbox standalone) and `jit serve <app> --sandbox [port]` (the sandbox in
 * the server's process, the app's FEISHU_DOMAIN and FEISHU_REDIRECT_URI
 * pointing at it unless the environment sets them). The sandbox is imported
 * only when one of them runs, so loading the Type does not load it.
 */
export const sandboxCommand: CommandDeclaration = {
  name: 'sandbox',
  description: 'run the Feishu sandbox standalone; prints {"baseUrl","appId","appSecret"} as one JSON line',
  options: [
    { flags: '-p, --port <port>', description: 'port (0 = any free port)', default: '4100' },
    { flags: '--departments <n>', description: 'generate an organization with this many departments' },
    { flags: '--users <n>', description: 'and this many users' },
    { flags: '--rate <n>', description: 'requests per second per endpoint (0 = unlimited; default 50 as Feishu)' },
  ],
  async run(options, context) {
    const sandbox = await startSandboxFor({
      port: whole(options['port'], '--port'),
      ...(options['departments'] !== undefined ? { departments: whole(options['departments'], '--departments') } : {}),
      ...(options['users'] !== undefined ? { users: whole(options['users'], '--users') } : {}),
      ...(options['rate'] !== undefined ? { rate: Number(options['rate']) } : {}),
    });
    context.out(JSON.stringify({ baseUrl: sandbox.baseUrl, appId: sandbox.appId, appSecret: sandbox.appSecret }));
    await context.stopped();
    await sandbox.close();
  },
};

/** The demo app's default config points at 127.0.0.1:4100. */
const DEFAULT_DEV_PORT = 4100;

export const sandboxDevServer: DevServerDeclaration = {
  option: '--sandbox [port]',
  description: `also start the Feishu sandbox in this process (default port ${DEFAULT_DEV_PORT})`,
  async start(value, { port, publicUrl }) {
    const local = `http://127.0.0.1:${port}`;
    const sandbox = await startSandboxFor({
      port: value === true ? DEFAULT_DEV_PORT : whole(value, '--sandbox'),
      // The OAuth callback, and the pages that run inside the Feishu client (requestAccess checks the page URL).
      redirectUris: [`${publicUrl}/login/callback`, `${local}/login/callback`, `${publicUrl}/login`, `${publicUrl}/`, `${local}/login`, `${local}/`],
    });
    return {
      env: { FEISHU_DOMAIN: sandbox.baseUrl, FEISHU_REDIRECT_URI: `${publicUrl}/login/callback` },
      message: `Feishu sandbox at ${sandbox.baseUrl} (app ${sandbox.appId})`,
      close: () => sandbox.close(),
    };
  },
};

interface SandboxStart {
  port: number;
  departments?: number;
  users?: number;
  rate?: number;
  /** Redirect URLs to register on the sandbox app besides its defaults (the app server's /login/callback). */
  redirectUris?: string[];
}

async function startSandboxFor(options: SandboxStart): Promise<Sandbox> {
  const { defaultApp, DEFAULT_REDIRECT_URIS, startSandbox } = await import('./sandbox/index.js');
  const org = { ...(options.departments !== undefined ? { departments: options.departments } : {}), ...(options.users !== undefined ? { users: options.users } : {}) };
  return startSandbox({
    port: options.port,
    ...(Object.keys(org).length > 0 ? { org } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    apps: [{ ...defaultApp(), redirectUris: [...DEFAULT_REDIRECT_URIS, ...(options.redirectUris ?? [])] }],
  });
}

function whole(value: unknown, option: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`${option} takes a whole number, not "${String(value)}".`);
  return n;
}
