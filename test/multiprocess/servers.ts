import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultApp, startSandbox, type Sandbox, type SandboxApp, type SandboxOptions } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { tempDir, writeTree } from '../helpers/fixture.js';
import { freePort } from '../helpers/ports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  base: string;
  output: string[];
  /** Whether the process is still running (not exited, not killed). */
  readonly running: boolean;
  /** Sends `signal` (SIGTERM by default; SIGKILL to play a crash) and resolves once the process has exited, at once if it already had. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** kill('SIGTERM'): a graceful shutdown. */
  stop(): Promise<void>;
}

/** `jit serve` in a child process of its own, as a deployment would run it; resolves once it listens. */
export function startServer(appDir: string, port: number, env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'serve', appDir, '--port', String(port), '--host', '127.0.0.1', '--no-watch', '--migrate'], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // Listened for from the start, so an exit is never missed, however early or however caused.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (running()) child.kill(signal);
    await exited;
  };
  const server: ServerProcess = {
    base: `http://127.0.0.1:${port}`,
    output,
    get running() {
      return running();
    },
    kill,
    stop: () => kill('SIGTERM'),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running behind a failed test
      reject(new Error(`server on ${port} did not start:\n${output.join('')}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('jit: serving app')) {
        clearTimeout(timer);
        resolve(server);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server on ${port} exited with ${code}:\n${output.join('')}`));
    });
  });
}

export interface Reply {
  status: number;
  body: { ok: boolean; data?: any; code?: number; message?: string };
  cookie?: string;
}

export async function post(base: string, path: string, body: unknown, cookie?: string): Promise<Reply> {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  return reply(response);
}

export async function get(base: string, path: string, cookie?: string): Promise<Reply> {
  return reply(await fetch(base + path, { headers: cookie ? { cookie } : {} }));
}

async function reply(response: Response): Promise<Reply> {
  const setCookie = response.headers.get('set-cookie');
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), ...(setCookie ? { cookie: setCookie.split(';')[0]! } : {}) };
}

/** Starts FSInnerExample's declared admin action "syncDepartmentInfo" (POST /api/admin/elements/:fullName/actions/:action). */
export const startSync = (base: string, cookie: string, instance = 'auths.loginTypes.FSInnerExample'): Promise<Reply> => post(base, `/api/admin/elements/${instance}/actions/syncDepartmentInfo`, {}, cookie);

/** Reads an admin action run's server-sent events to the end; returns the last update. */
export async function syncOutcome(base: string, runId: string, cookie: string): Promise<{ status: string; error?: { code: number } }> {
  const response = await fetch(`${base}/api/admin/runs/${runId}/events`, { headers: { cookie } });
  const text = await response.text();
  const updates = text
    .split('\n\n')
    .filter((c) => c.startsWith('event: progress'))
    .map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6)));
  return updates.at(-1);
}

/** What a login instance needs to take contact events by webhook, its secrets as placeholders (values: eventSecrets). */
export const WEBHOOK_EVENTS = { eventTransport: 'webhook', verificationToken: '${FEISHU_VERIFICATION_TOKEN}', encryptKey: '${FEISHU_ENCRYPT_KEY}' } as const;

/**
 * The demo app, with its one login instance on `sandbox`, written below `root`; returns the app folder.
 * `config` is merged into the instance's config (WEBHOOK_EVENTS for events by webhook).
 */
export function writeDemoApp(root: string, sandbox: Sandbox, config: Record<string, unknown> = {}, appName = 'demo'): string {
  writeTree(root, {
    'apps/demo/app.json': { name: appName },
    'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType' },
    'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': { appId: sandbox.appId, appSecret: '${FEISHU_APP_SECRET}', domain: sandbox.baseUrl, ...config },
  });
  return join(root, 'apps/demo');
}

/** The values of the placeholders writeDemoApp and WEBHOOK_EVENTS leave in the config. */
export const eventSecrets = (sandbox: Sandbox, token: string, key: string): Record<string, string> => ({ FEISHU_APP_SECRET: sandbox.appSecret, FEISHU_VERIFICATION_TOKEN: token, FEISHU_ENCRYPT_KEY: key });

export interface ServerPair {
  sandbox: Sandbox;
  a: ServerProcess;
  b: ServerProcess;
  /** Stops both servers and the sandbox, drops the database and removes the app folder. */
  stop(): Promise<void>;
}

/** What startServerPair's sandbox may be given: its options (rate limiting off unless `rate` is set) and changes to its one app (e.g. an appId of its own). */
export type PairSandboxOptions = Omit<SandboxOptions, 'apps'> & { app?: Partial<Omit<SandboxApp, 'redirectUris'>> };

/**
 * Two `jit serve` processes of one demo app on one database (SQLite file, or a fresh database on the
 * suite's server engine) and one Feishu sandbox: a team running several servers behind a load balancer.
 * `config` is merged into the login instance's config, `env` into both servers' environment,
 * `sandbox` into the sandbox's options (default: rate limiting off, the default app).
 */
export async function startServerPair(options: { appName?: string; config?: Record<string, unknown>; env?: Record<string, string>; sandbox?: PairSandboxOptions } = {}): Promise<ServerPair> {
  const temp = tempDir('jit-mp-');
  const [portA, portB] = [await freePort(), await freePort()];
  const { app, ...sandboxOptions } = options.sandbox ?? {};
  const sandbox = await startSandbox({ rate: 0, ...sandboxOptions, apps: [{ ...defaultApp(), ...app, redirectUris: [portA, portB].map((p) => `http://127.0.0.1:${p}/login/callback`) }] });
  const appDir = writeDemoApp(temp.dir, sandbox, options.config, options.appName);
  const database = await createTestDatabase();
  const env = { JIT_DATABASE_URL: database.url ?? `sqlite:${join(temp.dir, 'shared.sqlite')}`, FEISHU_APP_SECRET: sandbox.appSecret, ...options.env };
  const a = await startServer(appDir, portA, env); // migrates first; B then finds the schema ready
  const b = await startServer(appDir, portB, env);
  return {
    sandbox,
    a,
    b,
    async stop() {
      await a.stop();
      await b.stop();
      await sandbox.close();
      await database.drop();
      temp.cleanup();
    },
  };
}
