import { isIP } from 'node:net';
import { loadApp, type App } from '../app.js';
import { Code, RuntimeCodes } from '../errcode.js';
import { createHttpServer } from '../http/server.js';
import type { CliIo } from './io.js';
import { startCliSandbox } from './sandbox.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** Start the Feishu sandbox in this process on this port (the demo's default config points at 4100). */
  sandboxPort?: number;
  watch: boolean;
  /** Apply pending migrations at start (SQLite always does). */
  migrate?: boolean;
  /** Addresses/CIDRs of trusted reverse proxies (--trust-proxy, JIT_TRUST_PROXY). */
  trustProxy?: string[];
  /** The URL browsers use (--public-url, JIT_PUBLIC_URL); default http://localhost:<port>. */
  publicUrl?: string;
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
      throw new Code(RuntimeCodes.INVALID_PARAMS, `--trust-proxy / JIT_TRUST_PROXY: "${entry}" is not an IP address or CIDR; list proxy addresses such as 127.0.0.1,10.0.0.0/8.`);
    }
  }
  return entries;
}

/** `jit serve`: the app over HTTP, optionally with the sandbox, until SIGINT/SIGTERM. */
export async function serve(appDir: string, options: ServeOptions, io: CliIo): Promise<{ close(): Promise<void>; url: string }> {
  const publicUrl = (options.publicUrl ?? `http://${options.host === '0.0.0.0' || options.host === '127.0.0.1' ? 'localhost' : options.host}:${options.port}`).replace(/\/+$/, '');
  const env: Record<string, string | undefined> = { ...process.env };
  const sandbox =
    options.sandboxPort !== undefined
      ? await startCliSandbox({
          port: options.sandboxPort,
          // The OAuth callback, and the pages that run inside the Feishu client (requestAccess checks the page URL).
          redirectUris: [`${publicUrl}/login/callback`, `http://127.0.0.1:${options.port}/login/callback`, `${publicUrl}/login`, `${publicUrl}/`, `http://127.0.0.1:${options.port}/login`, `http://127.0.0.1:${options.port}/`],
        })
      : undefined;
  if (sandbox) {
    env['FEISHU_DOMAIN'] ??= sandbox.baseUrl;
    env['FEISHU_REDIRECT_URI'] ??= `${publicUrl}/login/callback`;
    io.out(`jit: Feishu sandbox at ${sandbox.baseUrl} (app ${sandbox.appId})`);
  }
  let app: App | undefined;
  try {
    app = await loadApp(appDir, { watch: options.watch, env, ...(options.migrate ? { migrate: true } : {}) });
    for (const d of app.diagnostics) io.err(`jit: ${d.severity} ${d.code} ${d.fullName ?? ''}: ${d.message}`);
    app.on('diagnostic', (d: { severity: string; code: string; fullName?: string; message: string }) => io.err(`jit: ${d.severity} ${d.code} ${d.fullName ?? ''}: ${d.message}`));
    const limit = env['JIT_LOGIN_RATE_LIMIT'];
    if (limit !== undefined && !/^\d+$/.test(limit)) throw new Code(RuntimeCodes.INVALID_PARAMS, `JIT_LOGIN_RATE_LIMIT must be a whole number of sign-in requests per client and minute (0 = unlimited), not "${limit}".`);
    const server = await createHttpServer(app, {
      ...(limit !== undefined ? { loginRateLimit: Number(limit) } : {}),
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      // Only a URL the operator gave decides cookie prefixes and the expected Origin; the guessed one may not be what browsers use.
      ...(options.publicUrl ? { publicUrl } : {}),
      ...(env['JIT_REDIS_URL'] ? { redisUrl: env['JIT_REDIS_URL'] } : {}),
    });
    await server.listen({ port: options.port, host: options.host });
    io.out(`jit: serving app "${app.name}" at ${publicUrl} — sign in at ${publicUrl}/login`);
    const loaded = app; // narrowed: `app` is still `App | undefined` inside the closure
    return {
      url: publicUrl,
      async close() {
        await server.close();
        await loaded.close();
        await sandbox?.close();
      },
    };
  } catch (err) {
    await app?.close();
    await sandbox?.close();
    throw err;
  }
}
