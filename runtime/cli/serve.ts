import { isIP } from 'node:net';
import { loadApp, type App } from '../app.js';
import type { DevServerDeclaration, RunningDevServer } from '../declarations/commands.js';
import { RuntimeErrors } from '../errcode.js';
import { createHttpServer } from '../http/server.js';
import type { CliIo } from './io.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** Companions declared by elements (`static devServers`) to start first, each with its option's value (`--x 4100` → '4100', a bare `--x` → true). */
  devServers?: ReadonlyArray<{ declaration: DevServerDeclaration; value: string | true }>;
  watch: boolean;
  /** Apply pending migrations at start (SQLite always does). */
  migrate?: boolean;
  /** Addresses/CIDRs of trusted reverse proxies (--trust-proxy, JIT_TRUST_PROXY). */
  trustProxy?: string[];
  /** The URL browsers use (--public-url, JIT_PUBLIC_URL); default http://localhost:<port>. */
  publicUrl?: string;
  /** The environment the app reads (placeholders, JIT_*); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** "127.0.0.1, 10.0.0.0/8" → ['127.0.0.1', '10.0.0.0/8']; a malformed entry is refused by name. */
export function parseProxyList(value: string): string[] {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || extra !== undefined) {
      throw RuntimeErrors.INVALID_PARAMS.create({ problem: `--trust-proxy / JIT_TRUST_PROXY: "${entry}" is not an IP address or CIDR; list proxy addresses such as 127.0.0.1,10.0.0.0/8.` });
    }
  }
  return entries;
}

/** `jit serve`: the app over HTTP, with the dev servers asked for (started first: their env feeds the app's placeholders), until SIGINT/SIGTERM. */
export async function serve(appDir: string, options: ServeOptions, io: CliIo): Promise<{ close(): Promise<void>; url: string }> {
  const publicUrl = (options.publicUrl ?? `http://${options.host === '0.0.0.0' || options.host === '127.0.0.1' ? 'localhost' : options.host}:${options.port}`).replace(/\/+$/, '');
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const companions: RunningDevServer[] = [];
  const closeCompanions = async () => {
    for (const companion of companions.splice(0).reverse()) await companion.close();
  };
  try {
    for (const { declaration, value } of options.devServers ?? []) {
      const companion = await declaration.start(value, { port: options.port, host: options.host, publicUrl });
      companions.push(companion);
      // Defaults only: what the process environment sets wins.
      for (const [name, fallback] of Object.entries(companion.env ?? {})) env[name] ??= fallback;
      if (companion.message) io.out(`jit: ${companion.message}`);
    }
  } catch (err) {
    await closeCompanions();
    throw err;
  }
  let app: App | undefined;
  try {
    app = await loadApp(appDir, { watch: options.watch, services: true, env, ...(options.migrate ? { migrate: true } : {}) });
    for (const d of app.diagnostics) io.err(`jit: ${d.severity} ${d.code} ${d.fullName ?? ''}: ${d.message}`);
    app.on('log', (line: string) => io.err(`jit: ${line}`));
    app.on('diagnostic', (d: { severity: string; code: string; fullName?: string; message: string }) => io.err(`jit: ${d.severity} ${d.code} ${d.fullName ?? ''}: ${d.message}`));
    const limit = env['JIT_LOGIN_RATE_LIMIT'];
    if (limit !== undefined && !/^\d+$/.test(limit)) throw RuntimeErrors.INVALID_PARAMS.create({ problem: `JIT_LOGIN_RATE_LIMIT must be a whole number of sign-in requests per client and minute (0 = unlimited), not "${limit}".` });
    const server = await createHttpServer(app, {
      ...(limit !== undefined ? { loginRateLimit: Number(limit) } : {}),
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      // Only a URL the operator gave decides cookie prefixes and the expected Origin; the guessed one may not be what browsers use.
      ...(options.publicUrl ? { publicUrl } : {}),
    });
    await server.listen({ port: options.port, host: options.host });
    io.out(`jit: serving app "${app.name}" at ${publicUrl} — sign in at ${publicUrl}/login`);
    const loaded = app; // narrowed: `app` is still `App | undefined` inside the closure
    return {
      url: publicUrl,
      async close() {
        await server.close();
        await loaded.close();
        await closeCompanions();
      },
    };
  } catch (err) {
    await app?.close();
    await closeCompanions();
    throw err;
  }
}
