import { expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a TypeScript entry point as a user would (tsx), collecting its output. */
function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out:\n${output}`));
    }, 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('npm run demo runs the seed usage example end to end, offline', async () => {
  const { code, output } = await run(['apps/demo/main.ts']);
  expect(code).toBe(0);
  expect(output).toContain('Application ID: cli_sandbox0000000001');
  expect(output).toContain('User login successful: 张三');
  expect(output).toMatch(/User department: \S+/);
  expect(output).toContain('leads a department: true');
});

test('jit sandbox prints {"baseUrl","appId","appSecret"} as one JSON line and serves the contract', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'sandbox', '--port', '0', '--rate', '0'], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\n')[0]!)));
    const printed = JSON.parse(line) as { baseUrl: string; appId: string; appSecret: string };
    expect(Object.keys(printed)).toEqual(['baseUrl', 'appId', 'appSecret']);
    const reply = await fetch(`${printed.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ app_id: printed.appId, app_secret: printed.appSecret }),
    });
    expect(await reply.json()).toMatchObject({ code: 0, expire: 7200, tenant_access_token: expect.any(String) });
  } finally {
    child.kill('SIGTERM');
  }
});
