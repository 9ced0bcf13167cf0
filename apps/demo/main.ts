/**
 * The seed's usage example, runnable offline: `npm run demo`.
 * Starts the Feishu sandbox, points the demo app at it, and walks through
 * getLoginConfig → (a simulated QR scan) → getLoginCode → getUserInfo.
 */
import { fileURLToPath } from 'node:url';
import type { FSInnerType } from '../../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp } from '../../runtime/index.js';

const sandbox = await startSandbox({ rate: 0 });
const app = await loadApp(fileURLToPath(new URL('.', import.meta.url)), {
  env: { ...process.env, FEISHU_DOMAIN: sandbox.baseUrl },
  databaseUrl: 'sqlite::memory:',
});
try {
  // Get login instance
  const feishuAuth = app.getElement<FSInnerType>('auths.loginTypes.FSInnerExample');

  // Get login configuration (what the login page needs to show the QR code)
  const loginConfig = await feishuAuth.getLoginConfig();
  console.log(`Application ID: ${loginConfig.appId}`);
  console.log(`QR-code SDK goto: ${loginConfig.qrAuthorizeUrl}`);

  // A person scans the QR code; Feishu sends the browser back with ?code&state
  const { code: authCode } = sandbox.issueCode({ userId: 'zhangsan', redirectUri: loginConfig.redirectUri ?? undefined });

  // Get user information based on the authorization code
  const userInfo = await feishuAuth.getLoginCode({ authCode, state: loginConfig.state });
  console.log(`User login successful: ${userInfo.name}`);
  console.log(`User department: ${userInfo.department}`);

  // Detailed user information, straight from Feishu's contact directory
  const detail = await feishuAuth.getUserInfo({ userId: 'zhangsan' });
  console.log(`Position: ${detail.position}, leads a department: ${detail.isLeader}`);
} finally {
  await app.close();
  await sandbox.close();
}
