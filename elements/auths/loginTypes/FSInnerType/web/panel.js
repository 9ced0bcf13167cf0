// Browser panel of auths.loginTypes.FSInnerType (served as this Type's frontendBundleEntry).
//
// On a PC: the Feishu QR-code SDK (or, in sandbox mode, the sandbox's stand-in
// speaking the same handshake, contract §5b): QRLogin({ id, goto }) draws the
// code; when the user scans, the SDK posts a tmp_code and the page navigates
// to goto + "&tmp_code=…"; Feishu then redirects to /login/callback?code&state.
// Inside the Feishu client (window.h5sdk / window.tt, §5c): no QR code;
// tt.requestAuthCode gives a code that goes straight to loginWithCode.

const loadedScripts = new Map();
function loadScript(src) {
  if (!loadedScripts.has(src)) {
    loadedScripts.set(
      src,
      new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`Could not load ${src}`));
        document.head.append(script);
      }),
    );
  }
  return loadedScripts.get(src);
}

let panels = 0;

export async function mount(container, { api, method, onError }) {
  const config = await api.getLoginConfig(method.fullName);
  // Demo and tests: ?feishuClient=<sandbox user id> pretends the page runs inside the Feishu client.
  const simulatedUser = new URLSearchParams(window.location.search).get('feishuClient');
  if (simulatedUser && config.jsapiEmulatorUrl) await loadScript(`${config.jsapiEmulatorUrl}?user=${encodeURIComponent(simulatedUser)}`);
  if (window.h5sdk && window.tt) return workspaceLogin(container, { api, method, config, onError });
  return qrLogin(container, { api, method, config, onError });
}

function workspaceLogin(container, { api, method, config, onError }) {
  container.textContent = 'Signing you in with Feishu…';
  container.dataset.testid = 'workspace-login';
  window.h5sdk.error((error) => onError(new Error(`Feishu client error: ${JSON.stringify(error)}`)));
  window.h5sdk.ready(() => {
    window.tt.requestAuthCode({
      appId: config.appId,
      success: async ({ code }) => {
        try {
          await api.loginWithCode(method.fullName, { authCode: code });
          window.location.assign('/');
        } catch (error) {
          onError(error);
        }
      },
      fail: (error) => onError(new Error(`Feishu refused the sign-in (${error?.errCode ?? error?.errno ?? 'unknown'}).`)),
    });
  });
}

async function qrLogin(container, { api, method, config, onError }) {
  await loadScript(config.qrSdkUrl);
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
    hint.textContent = 'Scan with the Feishu app to sign in.';
    container.replaceChildren(box, hint);
    sdk = window.QRLogin({ id, goto: cfg.qrAuthorizeUrl, width: '300', height: '300' });
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
