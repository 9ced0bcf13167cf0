/** Where each part of Feishu lives (contract, header and §5a). */
export interface FeishuHosts {
  /** Open API: tokens, authen, contact. */
  open: string;
  /** OAuth authorize page of the current (v2) flow. */
  accounts: string;
  /** Legacy passport authorize page, which the QR-code SDK requires as its `goto`. */
  passport: string;
  /** The QR-code SDK script (§5b). */
  qrSdk: string;
  /** The H5 JSSDK (window.h5sdk, window.tt) that a page inside the Feishu client loads for password-free login (§5). */
  h5Sdk: string;
  /** True for a base URL (the sandbox), which also serves browser stand-ins under /_sandbox/. */
  sandbox: boolean;
}

// The documented SDK (contract §5b). Lark's own CDN URL is UNVERIFIED, so Lark uses the same script.
const QR_SDK = 'https://lf-package-cn.feishucdn.com/obj/feishu-static/lark/passport/qrcode/LarkSSOSDKWebQRCode-1.0.3.js';

// Feishu's current documented H5 JSSDK (shared notes §5.1, D-H5INTRO). Older builds and the legacy CDN
// hosts (sunset 2024-01-25) are not used. The sandbox serves its stand-in under the same path (H5_SDK_PATH).
const H5_SDK = 'https://lf-scm-cn.feishucdn.com/lark/op/h5-js-sdk-1.5.44.js';
export const H5_SDK_PATH = new URL(H5_SDK).pathname;

const KNOWN: Record<string, FeishuHosts> = {
  feishu: { open: 'https://open.feishu.cn', accounts: 'https://accounts.feishu.cn', passport: 'https://passport.feishu.cn', qrSdk: QR_SDK, h5Sdk: H5_SDK, sandbox: false },
  // The Lark passport host is seen only in third-party code (contract: UNVERIFIED); it is the documented pattern.
  // Lark's own H5 JSSDK host is UNVERIFIED too: no Lark page in the notes names one. The script is a bridge to
  // the client, so Lark uses Feishu's documented build rather than a guessed host (a wrong host would only
  // fall back to the QR code, but a guessed one could be an unrelated or hostile script).
  lark: { open: 'https://open.larksuite.com', accounts: 'https://accounts.larksuite.com', passport: 'https://passport.larksuite.com', qrSdk: QR_SDK, h5Sdk: H5_SDK, sandbox: false },
};

/** "feishu", "lark", or a base URL (the sandbox) that serves every path on one host. */
export function hostsFor(domain: string): FeishuHosts {
  const known = KNOWN[domain];
  if (known) return known;
  const base = domain.replace(/\/+$/, '');
  // The sandbox's H5 JSSDK stand-in sits at Feishu's script path on the sandbox origin: only the origin differs.
  return { open: base, accounts: base, passport: base, qrSdk: `${base}/_sandbox/qrlogin.js`, h5Sdk: `${base}${H5_SDK_PATH}`, sandbox: true };
}
