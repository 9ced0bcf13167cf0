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
  /** True for a base URL (the sandbox), which also serves browser stand-ins under /_sandbox/. */
  sandbox: boolean;
}

// The documented SDK (contract §5b). Lark's own CDN URL is UNVERIFIED, so Lark uses the same script.
const QR_SDK = 'https://lf-package-cn.feishucdn.com/obj/feishu-static/lark/passport/qrcode/LarkSSOSDKWebQRCode-1.0.3.js';

const KNOWN: Record<string, FeishuHosts> = {
  feishu: { open: 'https://open.feishu.cn', accounts: 'https://accounts.feishu.cn', passport: 'https://passport.feishu.cn', qrSdk: QR_SDK, sandbox: false },
  // The Lark passport host is seen only in third-party code (contract: UNVERIFIED); it is the documented pattern.
  lark: { open: 'https://open.larksuite.com', accounts: 'https://accounts.larksuite.com', passport: 'https://passport.larksuite.com', qrSdk: QR_SDK, sandbox: false },
};

/** "feishu", "lark", or a base URL (the sandbox) that serves every path on one host. */
export function hostsFor(domain: string): FeishuHosts {
  const known = KNOWN[domain];
  if (known) return known;
  const base = domain.replace(/\/+$/, '');
  return { open: base, accounts: base, passport: base, qrSdk: `${base}/_sandbox/qrlogin.js`, sandbox: true };
}
