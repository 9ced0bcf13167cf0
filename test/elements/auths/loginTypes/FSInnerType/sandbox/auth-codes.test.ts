import { afterEach, describe, expect, test } from '@jest/globals';
import { FEISHU, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode } from './helpers.js';

const CALLBACK = 'http://127.0.0.1/callback';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

describe('authorization codes have the real shape', () => {
  test('every code carries "." and "_", and is exchanged as it is', async () => {
    sandbox = await startSandbox();
    for (let i = 0; i < 20; i++) {
      const { code } = sandbox.issueCode({ userId: 'zhangsan' });
      expect(code).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(code).toContain('.');
      expect(code).toContain('_');
      expect((await exchangeCode(sandbox, code)).body.code).toBe(FEISHU.ok[0]);
    }
  });

  test('the authorize page hands one to the callback, URL-safe in the query', async () => {
    sandbox = await startSandbox();
    const page = await fetch(sandbox.authorizeUrl({ redirectUri: CALLBACK, state: 'st' }), { redirect: 'manual' });
    const link = /data-user-id="zhangsan" href="([^"]+)"/.exec(await page.text())![1]!.replace(/&amp;/g, '&');
    const done = await fetch(sandbox.baseUrl + link, { redirect: 'manual' });
    const code = new URL(done.headers.get('location')!).searchParams.get('code')!;
    expect(code).toContain('.');
    expect(code).toContain('_');
    expect((await exchangeCode(sandbox, code, { redirect_uri: CALLBACK })).body.code).toBe(FEISHU.ok[0]);
  });
});
