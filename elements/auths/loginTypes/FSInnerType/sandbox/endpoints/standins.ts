import type { Standin } from './standin-request.js';
import { H5_SDK_STANDIN_PATH, h5sdkScript } from './h5sdk-script.js';
import { qrLoginScript } from './qr-sdk-script.js';
import { qrPage } from './qr-page.js';
import { scanConfirm, scanPage } from './scan-page.js';

export type { Standin, StandinRequest } from './standin-request.js';

/**
 * Stand-ins for what a login page loads from Feishu in a browser: the QR SDK script and its iframe
 * page (§5b), a phone "scanning" the QR code, and the H5 JSSDK of the Feishu client (§5). They are
 * not Open API endpoints, so they are never rate-limited, faulted or counted in stats.
 */
const STANDINS = new Map<string, Standin>([
  ['GET /_sandbox/qrlogin.js', qrLoginScript],
  ['GET /suite/passport/sso/qr', qrPage],
  ['GET /_sandbox/scan', scanPage],
  ['GET /_sandbox/scan/confirm', scanConfirm],
  [`GET ${H5_SDK_STANDIN_PATH}`, h5sdkScript], // Feishu's script path, on the sandbox origin
]);

export function findStandin(method: string, path: string): Standin | undefined {
  return STANDINS.get(`${method} ${path}`);
}
