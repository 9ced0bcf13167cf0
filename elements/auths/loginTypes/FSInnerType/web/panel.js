// Browser panel of auths.loginTypes.FSInnerType (served as this Type's frontendBundleEntry).
//
// The same code runs in production and against the sandbox: getLoginConfig names the scripts (Feishu's
// CDN, or the sandbox's stand-ins at the same paths on its own origin), and nothing here branches on
// which it is.
//
// Inside the Feishu client (shared notes §5): load Feishu's H5 JSSDK, wait for h5sdk.ready, and ask
// tt.requestAccess({ appID, scopeList: [] }) for a code (falling back to the legacy
// tt.requestAuthCode({ appId }) on clients without requestAccess, errno 103); the code goes straight
// to loginWithCode. Anything else — a plain browser, the SDK not loading, the user declining, the page
// not registered as a redirect URL — ends at the QR code, with a message when there is something to say.
//
// On a PC: the Feishu QR-code SDK (contract §5b): QRLogin({ id, goto }) draws the code; when the user
// scans, the SDK posts a tmp_code and the page navigates to goto + "&tmp_code=…"; Feishu then
// redirects to /login/callback?code&state.

// Feishu documents no user-agent format for its client (UNVERIFIED). Client user agents seen in the wild
// carry "Lark/<version>" (Feishu's also "ChannelName/Feishu"), so any "Lark" or "Feishu" word counts:
// a false positive only loads the SDK, which then does nothing (no window.h5sdk, or no ready) and the
// QR code follows; a false negative would show a QR code inside the client. A plain browser never loads it.
const CLIENT_USER_AGENT = /\b(?:Lark|Feishu)\b/i;
// How long to wait for the SDK script, then for h5sdk.ready, before showing the QR code. Inside the
// client both are quick; the limits only matter when the page merely looks like it is inside the client.
const SDK_LOAD_TIMEOUT_MS = 15_000;
const SDK_READY_TIMEOUT_MS = 5_000;
// errno / errCode values (shared notes §5.2).
const NOT_SUPPORTED = 103; // client too old for requestAccess: use requestAuthCode
const DECLINED = 2700002; // the user closed the consent sheet
const NO_REDIRECT_URL = 10235; // the app has no redirect URL at all
const PAGE_NOT_REGISTERED = 10236; // this page's URL is not among the app's redirect URLs

const loadedScripts = new Map();
function loadScript(src) {
  if (!loadedScripts.has(src)) {
    loadedScripts.set(
      src,
      new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = resolve;
        script.onerror = () => {
          loadedScripts.delete(src); // a later attempt may succeed
          script.remove();
          reject(new Error(`Could not load ${src}`));
        };
        document.head.append(script);
      }),
    );
  }
  return loadedScripts.get(src);
}

function timeout(ms, value) {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

let panels = 0;

export async function mount(container, { api, method, onError }) {
  const config = await api.getLoginConfig(method.fullName);
  let notice = null;
  if (CLIENT_USER_AGENT.test(navigator.userAgent) && config.h5SdkUrl) {
    const outcome = await clientLogin(container, { api, method, config });
    if (outcome.signedIn) return;
    notice = outcome.notice;
  }
  return qrLogin(container, { api, method, config, onError, notice });
}

/**
 * The panel's words in the page's language (`<html lang>`, chosen by the runtime per request): this
 * element's own, so the runtime's dictionaries never name an element. `{name}` placeholders.
 */
const TEXTS = {
  en: {
    signingIn: 'Signing you in with Feishu…',
    signedIn: 'Signed in. Opening the app…',
    signInFailed: 'Sign-in failed.',
    loginFailed: '{message} You can scan the QR code to sign in with another Feishu account.',
    clientError: 'The Feishu client reported an error ({details}), so password-free sign-in is not available. Scan the QR code instead.',
    declined: 'You declined to share your Feishu identity with this app, so you were not signed in. Scan the QR code to sign in instead.',
    notRegistered:
      'Password-free sign-in is not set up for this page: {page} is not a redirect URL of the Feishu app (error {code}). An administrator must add it in the Feishu developer console under Security Settings → Redirect URLs. Scan the QR code to sign in meanwhile.',
    refused: 'Feishu did not sign you in ({details}). Scan the QR code instead.',
    sdkUnavailable: "Could not load Feishu's QR-code SDK. Check the network connection and reload the page.",
    sdkBroken: "Feishu's QR-code SDK did not define QRLogin. Reload the page.",
    sdkUnsupported: "Feishu's QR-code SDK is not a version this page supports (no matchOrigin/matchData).",
    scanHint: 'Scan with the Feishu app to sign in.',
  },
  'zh-CN': {
    signingIn: '正在通过飞书登录…',
    signedIn: '已登录，正在打开应用…',
    signInFailed: '登录失败。',
    loginFailed: '{message} 你可以扫描二维码，用另一个飞书账号登录。',
    clientError: '飞书客户端报告了错误（{details}），无法免登。请改为扫描二维码。',
    declined: '你拒绝向此应用提供飞书身份，因此没有登录。请改为扫描二维码登录。',
    notRegistered:
      '此页面未配置免登：{page} 不是该飞书应用的重定向 URL（错误 {code}）。需要管理员在飞书开发者后台的“安全设置 → 重定向 URL”中添加。在此之前请扫描二维码登录。',
    refused: '飞书没有让你登录（{details}）。请改为扫描二维码。',
    sdkUnavailable: '无法加载飞书二维码 SDK。请检查网络连接后刷新页面。',
    sdkBroken: '飞书二维码 SDK 没有定义 QRLogin。请刷新页面。',
    sdkUnsupported: '此页面不支持该版本的飞书二维码 SDK（缺少 matchOrigin/matchData）。',
    scanHint: '请使用飞书 App 扫码登录。',
  },
};

function say(key, params = {}) {
  const texts = TEXTS[document.documentElement.lang] ?? TEXTS.en;
  return (texts[key] ?? TEXTS.en[key]).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Password-free sign-in inside the Feishu client: `{ signedIn: true }`, or `{ notice }` (null: say nothing) for the QR code. */
async function clientLogin(container, { api, method, config }) {
  const status = document.createElement('p');
  status.dataset.testid = 'workspace-login';
  status.textContent = say('signingIn');
  container.replaceChildren(status);

  const loaded = await Promise.race([loadScript(config.h5SdkUrl).then(() => true, () => false), timeout(SDK_LOAD_TIMEOUT_MS, false)]);
  const h5sdk = window.h5sdk;
  // The SDK's sample tells "not inside Feishu" by the absence of window.h5sdk.
  if (!loaded || !h5sdk || typeof h5sdk.ready !== 'function') return { notice: null };

  const ready = await new Promise((resolve) => {
    let settled = false;
    const settle = (value) => {
      if (!settled) resolve(value);
      settled = true;
    };
    setTimeout(() => settle({ ok: false }), SDK_READY_TIMEOUT_MS);
    // Registered before ready, as Feishu's sample does.
    if (typeof h5sdk.error === 'function') h5sdk.error((error) => settle({ ok: false, error }));
    h5sdk.ready(() => settle({ ok: true }));
  });
  if (!ready.ok) {
    if (!ready.error) return { notice: null }; // no ready: not really inside the client
    return { notice: { code: null, message: say('clientError', { details: describe(ready.error) }) } };
  }

  let code;
  try {
    code = await requestCode(window.tt, config.appId);
  } catch (error) {
    return { notice: refusalNotice(error) };
  }
  try {
    await api.loginWithCode(method.fullName, { authCode: code });
  } catch (error) {
    return { notice: { code: error?.code ?? null, message: say('loginFailed', { message: error?.message ?? say('signInFailed') }) } };
  }
  status.textContent = say('signedIn');
  window.location.assign('/');
  return { signedIn: true };
}

/**
 * tt.requestAccess({ appID, scopeList: [] }) (identity only), or the legacy tt.requestAuthCode({ appId })
 * when the client has no requestAccess or answers errno 103 — the fallback Feishu's guide gives.
 */
function requestCode(tt, appId) {
  return new Promise((resolve, reject) => {
    const legacy = () => {
      if (!tt || typeof tt.requestAuthCode !== 'function') return reject({ errString: 'this Feishu client offers neither requestAccess nor requestAuthCode' });
      tt.requestAuthCode({ appId, success: (result) => resolve(result?.code), fail: reject });
    };
    if (!tt || typeof tt.requestAccess !== 'function') return legacy();
    tt.requestAccess({
      appID: appId, // capital "ID" for requestAccess
      scopeList: [],
      success: (result) => resolve(result?.code),
      fail: (error) => (errorCode(error) === NOT_SUPPORTED ? legacy() : reject(error)),
    });
  }).then((code) => {
    if (typeof code !== 'string' || !code) throw { errString: 'the Feishu client returned no code' };
    return code;
  });
}

function errorCode(error) {
  const code = error?.errno ?? error?.errCode;
  return typeof code === 'number' ? code : null;
}

function describe(error) {
  const code = errorCode(error);
  const text = error?.errString || error?.errMsg || (typeof error === 'string' ? error : '');
  return [code !== null ? `code ${code}` : null, text || null].filter(Boolean).join(': ') || 'no details';
}

function refusalNotice(error) {
  const pageUrl = window.location.href.split('?')[0].split('#')[0];
  // 10235/10236 are documented for requestAuthCode; requestAccess may report either field.
  const codes = [error?.errno, error?.errCode];
  if (codes.includes(DECLINED)) {
    return { code: DECLINED, message: say('declined') };
  }
  if (codes.includes(PAGE_NOT_REGISTERED) || codes.includes(NO_REDIRECT_URL)) {
    const which = codes.includes(PAGE_NOT_REGISTERED) ? PAGE_NOT_REGISTERED : NO_REDIRECT_URL;
    return {
      code: which,
      message: say('notRegistered', { page: pageUrl, code: which }),
    };
  }
  return { code: errorCode(error), message: say('refused', { details: describe(error) }) };
}

function noticeElement(notice) {
  const p = document.createElement('p');
  p.className = 'error';
  p.dataset.testid = 'feishu-client-notice';
  if (notice.code !== null && notice.code !== undefined) p.dataset.errorCode = String(notice.code);
  p.textContent = notice.message;
  return p;
}

async function qrLogin(container, { api, method, config, onError, notice }) {
  try {
    await loadScript(config.qrSdkUrl);
  } catch {
    throw new Error(say('sdkUnavailable'));
  }
  if (typeof window.QRLogin !== 'function') throw new Error(say('sdkBroken'));
  const id = `feishu-qr-${++panels}`;
  let current = config;
  let sdk;
  const draw = (cfg) => {
    const box = document.createElement('div');
    box.id = id;
    box.className = 'qr-box';
    box.dataset.testid = 'feishu-qr';
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = say('scanHint');
    container.replaceChildren(...(notice ? [noticeElement(notice)] : []), box, hint);
    sdk = window.QRLogin({ id, goto: cfg.qrAuthorizeUrl, width: '300', height: '300' });
    if (typeof sdk?.matchOrigin !== 'function' || typeof sdk?.matchData !== 'function') {
      // Without them a message cannot be told to come from Feishu's QR frame: accept none.
      sdk = null;
      onError(new Error(say('sdkUnsupported')));
    }
  };
  window.addEventListener('message', (event) => {
    if (!sdk || !sdk.matchOrigin(event.origin) || !sdk.matchData(event.data)) return;
    // Several QR panels (login instances) on one page: only this panel's own QR frame speaks for it.
    const frame = document.getElementById(id)?.querySelector('iframe');
    if (frame && event.source !== frame.contentWindow) return;
    const tmpCode = typeof event.data === 'string' ? event.data : event.data.tmp_code; // SDK 1.0.1/1.0.2 posted a bare string
    window.location.assign(`${current.qrAuthorizeUrl}&tmp_code=${encodeURIComponent(tmpCode)}`);
  });
  draw(current);
  if (!sdk) return;
  // A QR code carries a single-use state that expires: draw a fresh one shortly before it does.
  const refreshMs = Math.max(10, current.expiresIn - 30) * 1000;
  setInterval(async () => {
    try {
      current = await api.getLoginConfig(method.fullName);
      draw(current);
    } catch (error) {
      onError(error);
    }
  }, refreshMs);
}
