import { describe, expect, test } from '@jest/globals';
import { createHttpServer } from '../../../../runtime/http/server.js';
import { AuthCodes } from '../../../../runtime/auth/auth-errors.js';
import { RuntimeCodes } from '../../../../runtime/errcode.js';
import { HttpCodes } from '../../../../runtime/http/http-errors.js';
import { routeTable } from '../../../../runtime/http/route-policy.js';
import { useHttpWorld } from '../http-world.js';

/**
 * The pages and errors in the request's language (issue #15): Accept-Language, else the choice the
 * switch remembered (GET /jit/lang/<locale>); the Codes never change with it.
 */
const httpWorld = useHttpWorld();
const FS = 'auths/loginTypes/FSInnerExample';
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };

const cookieOf = (setCookie: string | string[] | undefined, name: string) => [setCookie ?? []].flat().find((c) => c.startsWith(`${name}=`));

describe('pages in the language the browser asks for', () => {
  test('/login: <html lang>, Chinese words, the switch with the current language marked, the icon and the client dictionary', async () => {
    const w = await httpWorld();
    const zh = await w.inject({ method: 'GET', url: '/login?next=/admin', headers: ZH });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('<h1>登录 ');
    expect(zh.body).toContain('正在加载登录方式…');
    expect(zh.body).toMatch(/<a href="\/jit\/lang\/zh-CN\?next=%2Flogin%3Fnext%3D%2Fadmin"[^>]*aria-current="true"[^>]*>中文<\/a>/);
    expect(zh.body).toMatch(/<a href="\/jit\/lang\/en\?next=%2Flogin%3Fnext%3D%2Fadmin"(?![^>]*aria-current)[^>]*>English<\/a>/);
    expect(zh.body).toContain('<link rel="icon" href="/favicon.ico"');
    expect(zh.body).toMatch(/<script type="application\/json" id="jit-i18n">\{[^<]*\}<\/script>/);
    const en = await w.inject({ method: 'GET', url: '/login' });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Loading sign-in methods…');
    expect(en.body).toMatch(/aria-current="true"[^>]*>English</);
  });

  test('/ (signed in) and /admin speak Chinese', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const home = await w.inject({ method: 'GET', url: '/', headers: { ...ZH, cookie: admin } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<html lang="zh-CN">');
    for (const word of ['已登录', '部门', '职位', '登录方式', '管理', '退出登录']) expect([word, home.body.includes(word)]).toEqual([word, true]);
    expect(home.body).toContain(`data-testid="user-name">${w.sandbox.org.user('zhangsan').name}<`);
    const page = await w.inject({ method: 'GET', url: '/admin', headers: { ...ZH, cookie: admin } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="zh-CN">');
    for (const word of ['管理', '元素', '登录方式', '首页']) expect([word, page.body.includes(word)]).toEqual([word, true]);
  });

  test('the callback failure page: Chinese heading, message and retry, the same Code; its switch never links the used callback URL', async () => {
    const w = await httpWorld();
    const { state } = (await w.call('auths.loginTypes.FSInnerExample', 'getLoginConfig')).json().data;
    const reply = await w.inject({ method: 'GET', url: `/login/callback?error=access_denied&state=${state}`, headers: ZH });
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toContain('<html lang="zh-CN">');
    expect(reply.body).toContain('<h1>登录失败</h1>');
    expect(reply.body).toContain('data-testid="error-message">不允许登录：你拒绝了授权。<');
    expect(reply.body).toContain(`错误码 <span data-testid="error-code">${AuthCodes.LOGIN_NOT_ALLOWED}</span>`);
    expect(reply.body).toContain('href="/login" data-testid="retry">重试<');
    expect(reply.body).toContain('/jit/lang/en?next=%2Flogin"');
    expect(reply.body).not.toContain(state);
    const replayed = await w.inject({ method: 'GET', url: '/login/callback?code=x&state=unknown', headers: ZH });
    expect([replayed.statusCode, replayed.body.includes(`>${AuthCodes.INVALID_STATE}<`), replayed.body.includes('登录状态无效：它不是本应用签发的。请重新登录。')]).toEqual([400, true, true]);
  });

  test('the sign-in limit on the callback: a Chinese sign-in failure page that does not repeat the code or state', async () => {
    const w = await httpWorld();
    const server = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 1 });
    await server.inject({ method: 'GET', url: '/login/callback?code=first&state=first' });
    const limited = await server.inject({ method: 'GET', url: '/login/callback?code=c0de-one-time&state=st4te-one-time', headers: ZH });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('<h1>登录失败</h1>');
    expect(limited.body).toMatch(/登录尝试过于频繁，请 \d+ 秒后再试。/);
    expect(limited.body).toContain(`>${HttpCodes.TOO_MANY_REQUESTS}<`);
    expect(limited.body).not.toMatch(/c0de-one-time|st4te-one-time/);
    await server.close();
  });

  test("a page this browser may not see (a user on /admin) is refused in the browser's language", async () => {
    const w = await httpWorld();
    const reply = await w.inject({ method: 'GET', url: '/admin', headers: { ...ZH, cookie: await w.signIn('lisi') } });
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toContain('此操作需要管理员权限。');
    expect(reply.body).toContain(`>${HttpCodes.FORBIDDEN}<`);
  });
});

describe('the switch: GET /jit/lang/<locale>?next=<path>', () => {
  test('remembers the choice for a year and goes back; the choice then wins over Accept-Language', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const chosen = await browser.inject({ method: 'GET', url: '/jit/lang/zh-CN?next=%2Flogin%3Fnext%3D%2Fadmin', headers: { 'accept-language': 'en' } });
    expect([chosen.statusCode, chosen.headers.location]).toEqual([302, '/login?next=/admin']);
    const cookie = cookieOf(chosen.headers['set-cookie'], 'jit_lang')!;
    expect(cookie).toMatch(/^jit_lang=zh-CN;/);
    expect(cookie).toMatch(/Max-Age=31536000/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/SameSite=Lax/);
    const login = await browser.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'en-US,en' } });
    expect(login.body).toContain('<html lang="zh-CN">');
    // And back: English wins over a Chinese browser.
    await browser.inject({ method: 'GET', url: '/jit/lang/en?next=/login' });
    const again = await browser.inject({ method: 'GET', url: '/login', headers: ZH });
    expect(again.body).toContain('<html lang="en">');
    // JSON errors follow the choice too.
    await browser.get('/jit/lang/zh-CN');
    const refused = await browser.inject({ method: 'POST', url: `/api/${FS}/getUserInfo`, payload: { userId: 'lisi' }, headers: { 'accept-language': 'en' } });
    expect(refused.json()).toEqual({ ok: false, code: HttpCodes.NOT_SIGNED_IN, message: '请先登录。' });
  });

  test.each(['//evil.example', '/\\evil.example', 'https://evil.example/', '/.//evil.example', 'javascript:alert(1)', ''])('next=%p is not followed off the site: it goes to /', async (next) => {
    const w = await httpWorld();
    const reply = await w.inject({ method: 'GET', url: `/jit/lang/zh-CN?next=${encodeURIComponent(next)}` });
    expect([reply.statusCode, reply.headers.location]).toEqual([302, '/']);
  });

  test('an unknown locale is a 400 page with INVALID_PARAMS, in the language of the request, and sets nothing', async () => {
    const w = await httpWorld();
    for (const [locale, headers, words] of [
      ['fr', ZH, '没有“fr”这种语言'],
      ['%3Cscript%3E', {}, 'There is no language &quot;&lt;script&gt;&quot; here'],
    ] as const) {
      const reply = await w.inject({ method: 'GET', url: `/jit/lang/${locale}?next=/login`, headers });
      expect(reply.statusCode).toBe(400);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      expect(reply.body).toContain(`data-testid="error-code">${RuntimeCodes.INVALID_PARAMS}<`);
      expect(reply.body).toContain(words);
      expect(reply.body).not.toContain('<script>');
      expect(reply.headers['set-cookie']).toBeUndefined();
      expect(reply.body).toContain('/jit/lang/en?next=%2Flogin"'); // the switch goes where the browser was going, not back here
    }
  });

  test('behind an https public URL the choice is a __Host- cookie, Secure, and only that name counts', async () => {
    const w = await httpWorld();
    const server = await createHttpServer(w.app, { logLevel: false, publicUrl: 'https://login.example.com' });
    const chosen = await server.inject({ method: 'GET', url: '/jit/lang/zh-CN' });
    const cookie = cookieOf(chosen.headers['set-cookie'], '__Host-jit_lang')!;
    expect(cookie).toMatch(/^__Host-jit_lang=zh-CN;/);
    for (const flag of [/; Path=\/(;|$)/, /; Secure(;|$)/, /; SameSite=Lax(;|$)/, /; Max-Age=31536000(;|$)/]) expect(cookie).toMatch(flag);
    expect(cookie).not.toMatch(/Domain=/i);
    expect((await server.inject({ method: 'GET', url: '/login', headers: { cookie: '__Host-jit_lang=zh-CN' } })).body).toContain('<html lang="zh-CN">');
    expect((await server.inject({ method: 'GET', url: '/login', headers: { cookie: 'jit_lang=zh-CN' } })).body).toContain('<html lang="en">');
    await server.close();
  });

  test('is one public page route, GET and HEAD, in the route table the security tests enumerate', async () => {
    const w = await httpWorld();
    const routes = routeTable(w.server).filter((r) => r.url === '/jit/lang/:locale');
    expect(routes.map((r) => [r.method, r.policy])).toEqual([
      ['GET', { access: 'public', page: true }],
      ['HEAD', { access: 'public', page: true }],
    ]);
  });
});

describe('the icon', () => {
  test.each(['/favicon.ico', '/jit/favicon.svg'])('%s answers 200 with an image', async (url) => {
    const w = await httpWorld();
    const reply = await w.inject({ method: 'GET', url });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^image\//);
    expect(reply.body).toContain('<svg');
  });
});

describe('JSON errors in the request language, the same Code', () => {
  test('a refused call, an unknown method, an unknown route, a malformed URL and a malformed body', async () => {
    const w = await httpWorld();
    const post = (url: string, payload: string | object, headers: Record<string, string> = {}) => w.inject({ method: 'POST', url, payload, headers: { ...ZH, ...headers } });
    const refused = await post(`/api/${FS}/getUserInfo`, { userId: 'lisi' });
    expect([refused.statusCode, refused.json()]).toEqual([401, { ok: false, code: HttpCodes.NOT_SIGNED_IN, message: '请先登录。' }]);
    const english = await w.inject({ method: 'POST', url: `/api/${FS}/getUserInfo`, payload: { userId: 'lisi' } });
    expect(english.json()).toEqual({ ok: false, code: HttpCodes.NOT_SIGNED_IN, message: 'Sign in first.' });

    const unknownMethod = await post(`/api/${FS}/nope`, {});
    expect([unknownMethod.statusCode, unknownMethod.json().code]).toEqual([404, HttpCodes.METHOD_NOT_FOUND]);
    expect(unknownMethod.json().message).toMatch(/^未找到：/);
    const unknownRoute = await w.inject({ method: 'GET', url: '/nope', headers: ZH });
    expect(unknownRoute.json()).toEqual({ ok: false, code: HttpCodes.METHOD_NOT_FOUND, message: '未找到：没有这个地址。' });
    const malformedUrl = await w.inject({ method: 'GET', url: '/api/%ZZ', headers: { cookie: 'jit_lang=zh-CN' } });
    expect(malformedUrl.json()).toEqual({ ok: false, code: RuntimeCodes.INVALID_PARAMS, message: '参数无效：请求格式错误。' });
    const malformedBody = await post(`/api/${FS}/getLoginConfig`, '{', { 'content-type': 'application/json' });
    expect(malformedBody.json()).toEqual({ ok: false, code: RuntimeCodes.INVALID_PARAMS, message: '参数无效：请求格式错误。' });
    const crossSite = await post('/api/logout', {}, { origin: 'http://evil.example' });
    expect(crossSite.json()).toEqual({ ok: false, code: HttpCodes.BAD_ORIGIN, message: '已拒绝跨站请求。' });
  });

  test('a forged sign-in: the Feishu login refusal in Chinese, its Code unchanged, no secret in it', async () => {
    const w = await httpWorld();
    const { state } = (await w.call('auths.loginTypes.FSInnerExample', 'getLoginConfig')).json().data;
    const reply = await w.inject({ method: 'POST', url: `/api/${FS}/loginWithCode`, payload: { authCode: 'forged', state }, headers: ZH });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().message).toMatch(/[\u4e00-\u9fff]/);
    expect(reply.body).not.toContain(w.sandbox.appSecret);
  });

  test('an admin form refusal (a scaffold error) comes in Chinese with its field errors', async () => {
    const w = await httpWorld();
    const reply = await w.inject({ method: 'POST', url: '/api/admin/elements', payload: { type: 'auths.loginTypes.FSInnerType' }, headers: { ...ZH, cookie: await w.signIn('zhangsan') } });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ ok: false, code: RuntimeCodes.INVALID_PARAMS, message: '参数无效：fullName must be a string.', errors: [{ field: 'fullName' }] });
  });
});
