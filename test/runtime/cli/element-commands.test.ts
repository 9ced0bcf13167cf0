import { afterEach, describe, expect, test } from '@jest/globals';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elementCli } from '../../../runtime/cli/element-commands.js';
import { runCli } from '../../../runtime/cli/program.js';
import { serve } from '../../../runtime/cli/serve.js';
import { tempDir, writeTree } from '../../helpers/fixture.js';
import { freePort } from '../../helpers/ports.js';
import { probeTree } from '../../helpers/probe-type.js';

/** Commands and `jit serve` companions come from what Types declare (`static cli`, `static devServers`). */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function jit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function probeApp(): string {
  const temp = tempDir('jit-cli-');
  cleanups.push(temp.cleanup);
  writeTree(temp.dir, { 'apps/probe/app.json': { name: 'probe' }, ...probeTree('apps/probe') });
  return join(temp.dir, 'apps/probe');
}

const quiet = { out: () => undefined, err: () => undefined };

describe('commands declared by the platform', () => {
  test('jit sandbox comes from FSInnerType; jit serve offers its --sandbox companion', async () => {
    const help = await jit('--help');
    expect(help.out).toMatch(/^ {2}sandbox \[options\] +run the Feishu sandbox standalone/m);
    const serveHelp = await jit('serve', '--help');
    expect(serveHelp.out).toMatch(/^ {2}--sandbox \[port\] +also start the Feishu sandbox in this process\s+\(default port 4100\)$/m);
    const declared = await elementCli(['sandbox']);
    expect(declared.commands.map((c) => [c.declaration.name, c.owner])).toEqual([['sandbox', 'auths.loginTypes.FSInnerType']]);
    expect(declared.devServers.map((d) => [d.declaration.option, d.owner])).toEqual([['--sandbox [port]', 'auths.loginTypes.FSInnerType']]);
  });

  test('jit serve <demo> --sandbox <port>: the sandbox starts first and the app points at it unless the environment says otherwise', async () => {
    const temp = tempDir('jit-serve-sandbox-');
    cleanups.push(temp.cleanup);
    cpSync(join(repo, 'apps/demo'), join(temp.dir, 'demo'), { recursive: true, filter: (from) => !from.includes(`${join('apps', 'demo', 'data')}`) });
    const appDir = join(temp.dir, 'demo');
    const { devServers } = await elementCli(['serve', appDir]);
    const sandbox = devServers.find((d) => d.declaration.option.startsWith('--sandbox'))!.declaration;
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const lines: string[] = [];
    const running = await serve(appDir, { port, host: '127.0.0.1', watch: false, env: {}, devServers: [{ declaration: sandbox, value: String(sandboxPort) }] }, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    cleanups.push(() => running.close());
    expect(lines[0]).toBe(`jit: Feishu sandbox at http://127.0.0.1:${sandboxPort} (app cli_sandbox0000000001)`);
    const reply = await fetch(`http://127.0.0.1:${port}/api/auths/loginTypes/FSInnerExample/getLoginConfig`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const config = (await reply.json()) as { data: { qrAuthorizeUrl: string } };
    expect(config.data.qrAuthorizeUrl.startsWith(`http://127.0.0.1:${sandboxPort}/`)).toBe(true);
    expect(new URL(config.data.qrAuthorizeUrl).searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/login/callback`);
    await expect(sandbox.start('many', { port, host: '127.0.0.1', publicUrl: 'http://localhost' })).rejects.toThrow('--sandbox takes a whole number, not "many".');
  });
});

describe('commands declared by the app named on the command line', () => {
  test('an app Type adds a command with its arguments and options; its exit code is the process exit code', async () => {
    const app = probeApp();
    expect(await jit('probe-echo', app)).toEqual({ code: 0, out: JSON.stringify({ args: [app], options: { word: 'hi' } }), err: '' });
    expect((await jit('probe-echo', app, '--word', 'fail')).code).toBe(3);
    // Without the app on the command line, only the platform's commands exist.
    expect(await jit('probe-echo')).toMatchObject({ code: 1, err: expect.stringContaining("unknown command 'probe-echo'") });
  });

  test('a companion of jit serve: started before the app, its env fills what the environment leaves unset, closed with the server', async () => {
    const app = probeApp();
    const help = await jit('serve', app, '--help');
    expect(help.out).toMatch(/--probe-companion \[value\] +a companion for tests/);
    const { devServers } = await elementCli(['serve', app]);
    const companion = devServers.find((d) => d.owner === 'probes.EchoType')!.declaration;
    const record = () => (globalThis as { __probeCompanion?: { started: Array<{ value: unknown; context: unknown }>; closed: number } }).__probeCompanion!;
    const greeting = async (env: Record<string, string>) => {
      const port = await freePort();
      const lines: string[] = [];
      const running = await serve(app, { port, host: '127.0.0.1', watch: false, env, devServers: [{ declaration: companion, value: true }] }, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
      try {
        expect(lines[0]).toBe('jit: probe companion up');
        expect(record().started.at(-1)).toEqual({ value: true, context: { port, host: '127.0.0.1', publicUrl: `http://localhost:${port}` } });
        const reply = await fetch(`http://127.0.0.1:${port}/api/probes/Echo/greeting`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return ((await reply.json()) as { data: string }).data;
      } finally {
        const closed = record().closed;
        await running.close();
        expect(record().closed).toBe(closed + 1);
      }
    };
    expect(await greeting({})).toBe('from the companion');
    expect(await greeting({ PROBE_GREETING: 'from the environment' })).toBe('from the environment');
  });

  test('a companion whose app fails to load is closed again', async () => {
    const app = probeApp();
    const { devServers } = await elementCli(['serve', app]);
    const companion = devServers.find((d) => d.owner === 'probes.EchoType')!.declaration;
    const record = () => (globalThis as { __probeCompanion?: { closed: number } }).__probeCompanion!;
    const before = record()?.closed ?? 0;
    await expect(serve(app, { port: await freePort(), host: '127.0.0.1', watch: false, env: { JIT_LOGIN_RATE_LIMIT: 'lots' }, devServers: [{ declaration: companion, value: 'x' }] }, quiet)).rejects.toThrow('JIT_LOGIN_RATE_LIMIT');
    expect(record().closed).toBe(before + 1);
  });
});
