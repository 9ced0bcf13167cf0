import { AVATAR_PATH, avatarReply } from '../avatars.js';
import type { Standin } from './standin-request.js';
import { H5_SDK_STANDIN_PATH, h5sdkScript } from './h5sdk-script.js';
import { qrLoginScript } from './qr-sdk-script.js';
import { QR_PEOPLE_PATH, qrPage, qrPeople } from './qr-page.js';
import { scanConfirm, scanPage } from './scan-page.js';

export type { Standin, StandinRequest } from './standin-request.js';

/**
 * Stand-ins for what a login page loads from Feishu in a browser: the QR SDK script and its iframe
 * page (§5b), a phone "scanning" the QR code, and the H5 JSSDK of the Feishu client (§5). They are
 * not Open API endpoints, so they are never rate-limited, faulted or counted in stats. Also the
 * sandbox users' avatars (avatars.ts), which Feishu serves from its CDN.
 */
const STANDINS = new Map<string, Standin>([
  ['GET /_sandbox/qrlogin.js', qrLoginScript],
  ['GET /suite/passport/sso/qr', qrPage],
  [`GET ${QR_PEOPLE_PATH}`, qrPeople], // the frame's filter beyond the people it lists
  ['GET /_sandbox/scan', scanPage],
  ['GET /_sandbox/scan/confirm', scanConfirm],
  [`GET ${H5_SDK_STANDIN_PATH}`, h5sdkScript], // Feishu's script path, on the sandbox origin
]);

/** GET /_sandbox/avatars/<key>: the key is one path segment, checked by avatarReply (anything else is 404 there). */
const avatarStandin: Standin = (request) => avatarReply(request.state.org, request.path.slice(AVATAR_PATH.length), request.query, request.headers);

export function findStandin(method: string, path: string): Standin | undefined {
  if (method === 'GET' && path.startsWith(AVATAR_PATH)) return avatarStandin;
  return STANDINS.get(`${method} ${path}`);
}
