import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { parseProxyList, serve } from '../../../runtime/cli/serve.js';
import { RuntimeCodes } from '../../../runtime/index.js';
import { defaultApp, startSandbox } from '../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { tempDir, writeTree } from '../../helpers/fixture.js';
import { freePort } from '../../helpers/ports.js';

describe('jit serve behind a proxy', () => {
  test('--trust-proxy takes addresses and CIDRs and refuses anything else by name', () => {
    expect(parseProxyList('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const bad of ['*', 'true', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/1', '::1/129']) {
      expect(() => parseProxyList(bad)).toThrow(expect.objectContaining({ code: RuntimeCodes.INVALID_PARAMS, message: expect.stringContaining(`"${bad.trim()}"`) }));
    }
  });

  test('with --public-url https and --trust-proxy, a request through the proxy gets Secure __Host- cookies', async () => {
    const temp = tempDir('jit-serve-');
    const sandbox = await startSandbox({ rate: 0, apps: [defaultApp()] });
    writeTree(temp.dir, {
      'apps/demo/app.json': { name: 'demo' },
      'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType' },
      'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': { appId: sandbox.appId, appSecret: sandbox.appSecret, domain: sandbox.baseUrl },
    });
    const port = await freePort();
    const lines: string[] = [];
    const running = await serve(
      join(temp.dir, 'apps/demo'),
      { port, host: '127.0.0.1', watch: false, trustProxy: ['127.0.0.1'], publicUrl: 'https://login.example.com/' },
      { out: (t) => lines.push(t), err: (t) => lines.push(t) },
    );
    try {
      expect(running.url).toBe('https://login.example.com');
      const reply = await fetch(`http://127.0.0.1:${port}/api/auths/loginTypes/FSInnerExample/getLoginConfig`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://login.example.com', 'x-forwarded-proto': 'https' },
        body: '{}',
      });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('set-cookie')).toMatch(/^__Host-jit_login=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    } finally {
      await running.close();
      await sandbox.close();
      temp.cleanup();
    }
  });
});
