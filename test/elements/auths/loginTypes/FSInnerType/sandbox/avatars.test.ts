import { afterEach, describe, expect, test } from '@jest/globals';
import { AVATAR_PATH, avatarKeyOf, avatarText, UNBOUND_AVATAR_BASE } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/avatars.js';
import { generateOrg, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, tenantToken, userToken } from './helpers.js';

let sandbox: Sandbox;
afterEach(async () => {
  const open = sandbox;
  sandbox = undefined as unknown as Sandbox;
  await open?.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const keyOf = (userId: string) => avatarKeyOf(sandbox.org.user(userId).avatar.avatar_72)!;

describe('sandbox avatars: GET /_sandbox/avatars/<key>?size=…, on the sandbox itself (Feishu\'s CDN is out of reach offline)', () => {
  test("every user's avatar fields point at this sandbox's avatar route, one key per user", async () => {
    sandbox = await startSandbox();
    const keys = new Set<string>();
    for (const user of sandbox.org.users) {
      const key = avatarKeyOf(user.avatar.avatar_origin)!;
      expect(key).toMatch(/^[0-9a-f]{24}$/);
      keys.add(key);
      expect(user.avatar).toEqual({
        avatar_72: `${sandbox.baseUrl}${AVATAR_PATH}${key}?size=72`,
        avatar_240: `${sandbox.baseUrl}${AVATAR_PATH}${key}?size=240`,
        avatar_640: `${sandbox.baseUrl}${AVATAR_PATH}${key}?size=640`,
        avatar_origin: `${sandbox.baseUrl}${AVATAR_PATH}${key}`,
      });
      expect(JSON.stringify(user.avatar)).not.toContain('feishucdn');
    }
    expect(keys.size).toBe(sandbox.org.users.length);
  });

  test('the APIs hand out those URLs (user_info and the contact record)', async () => {
    sandbox = await startSandbox();
    const zhangsan = sandbox.org.user('zhangsan');
    const info = (await getJson(sandbox, '/open-apis/authen/v1/user_info', (await userToken(sandbox, 'zhangsan')).access)).body.data;
    expect(info).toMatchObject({ avatar_thumb: zhangsan.avatar.avatar_72, avatar_middle: zhangsan.avatar.avatar_240, avatar_big: zhangsan.avatar.avatar_640, avatar_url: zhangsan.avatar.avatar_origin });
    const contact = (await getJson(sandbox, `/open-apis/contact/v3/users/${zhangsan.open_id}`, await tenantToken(sandbox))).body.data.user;
    expect(contact.avatar).toEqual(zhangsan.avatar);
    for (const url of Object.values(zhangsan.avatar)) expect((await get(url)).status).toBe(200);
  });

  test('an SVG with the initial on a colour of its own, and image headers', async () => {
    sandbox = await startSandbox();
    const res = await get(sandbox.org.user('zhangsan').avatar.avatar_72);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="72" height="72" viewBox="0 0 100 100">/);
    expect(res.text).toMatch(/<rect width="100" height="100" fill="#[0-9a-f]{6}"\/>/);
    expect(res.text).toMatch(/>张<\/text><\/svg>$/);
    expect(res.text).not.toMatch(/<script|on\w+=|href/i);
  });

  test('deterministic per user: the same bytes every time and across sandboxes; other users get other colours', async () => {
    sandbox = await startSandbox();
    const first = await get(sandbox.org.user('zhangsan').avatar.avatar_240);
    const again = await get(sandbox.org.user('zhangsan').avatar.avatar_240);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    const colours = new Set<string>();
    for (const user of sandbox.org.activeUsers().slice(0, 12)) colours.add(/fill="(#[0-9a-f]{6})"/.exec((await get(user.avatar.avatar_72)).text)![1]!);
    expect(colours.size).toBeGreaterThan(3);
    const key = keyOf('zhangsan');
    await sandbox.close();
    sandbox = await startSandbox();
    expect(keyOf('zhangsan')).toBe(key);
    expect((await get(sandbox.org.user('zhangsan').avatar.avatar_240)).text).toBe(first.text);
  });

  test('If-None-Match with the ETag: 304', async () => {
    sandbox = await startSandbox();
    const url = sandbox.org.user('lisi').avatar.avatar_72;
    const etag = (await get(url)).headers.get('etag')!;
    expect((await get(url, { 'if-none-match': etag })).status).toBe(304);
    expect((await get(url, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await get(url, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  test.each([
    ['72', 72],
    ['16', 16],
    ['1024', 1024],
    [null, 640],
  ])('size=%s draws a %i px image', async (size, px) => {
    sandbox = await startSandbox();
    const url = `${sandbox.baseUrl}${AVATAR_PATH}${keyOf('zhangsan')}${size === null ? '' : `?size=${size}`}`;
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`width="${px}" height="${px}"`);
  });

  test.each(['0', '15', '1025', '99999', '-72', '72.5', '72x72', 'abc', '', ' 72'])('size=%j is refused with 400', async (size) => {
    sandbox = await startSandbox();
    const res = await get(`${sandbox.baseUrl}${AVATAR_PATH}${keyOf('zhangsan')}?size=${encodeURIComponent(size)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('16 to 1024');
  });

  test('two sizes at once are refused', async () => {
    sandbox = await startSandbox();
    expect((await get(`${sandbox.baseUrl}${AVATAR_PATH}${keyOf('zhangsan')}?size=72&size=240`)).status).toBe(400);
  });

  test.each(['0123456789abcdef01234567', 'zhangsan', 'ZZZ', '..%2F..%2Fetc', `${'a'.repeat(65)}`, ''])('unknown key %j: 404', async (key) => {
    sandbox = await startSandbox();
    const res = await get(`${sandbox.baseUrl}${AVATAR_PATH}${key}?size=72`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe('no such avatar');
  });

  test('a key with a trailing path segment is no avatar', async () => {
    sandbox = await startSandbox();
    expect((await get(`${sandbox.baseUrl}${AVATAR_PATH}${keyOf('zhangsan')}/x`)).status).toBe(404);
  });

  test('nothing of the user but the initial: no name, ids, e-mail or mobile', async () => {
    sandbox = await startSandbox();
    for (const id of ['zhangsan', 'lisi', 'zhengshi']) {
      const user = sandbox.org.user(id);
      const res = await get(user.avatar.avatar_640);
      expect(res.status).toBe(200); // a resigned user's avatar stays reachable, as Feishu's CDN keeps it
      const everything = `${res.text}\n${[...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n')}`;
      for (const secret of [user.name, user.en_name, user.user_id, user.open_id, user.union_id, user.email, user.mobile, user.employee_no]) expect(everything).not.toContain(secret);
      expect(res.text).toContain(`>${[...user.name][0]}</text>`);
    }
  });

  test('follows the current name, escaped; a user made by an org change gets an avatar on this sandbox', async () => {
    sandbox = await startSandbox();
    sandbox.org.updateUser('zhangsan', { name: '<b>&"' });
    const res = await get(sandbox.org.user('zhangsan').avatar.avatar_72);
    expect(res.text).toContain('>&lt;</text>');
    expect(res.text).not.toContain('<b>');
    sandbox.changes.addUser({ user_id: 'newbie', name: 'Ada Lovelace', mobile: '+8613800000001' });
    const newbie = sandbox.org.user('newbie');
    expect(newbie.avatar.avatar_72.startsWith(`${sandbox.baseUrl}${AVATAR_PATH}`)).toBe(true);
    expect((await get(newbie.avatar.avatar_72)).text).toContain('>AL</text>');
  });

  test('a prebuilt org is pointed at the sandbox it is given to; real Feishu URLs in it are left alone', async () => {
    const org = generateOrg({ users: 12 });
    expect(org.user('zhangsan').avatar.avatar_72.startsWith(`${UNBOUND_AVATAR_BASE}${AVATAR_PATH}`)).toBe(true);
    const real = 'https://s1-imfile.feishucdn.com/static-resource/v1/v3_00abc~?image_size=72x72&cut_type=&quality=&format=png&sticker_format=.webp';
    org.user('lisi').avatar = { avatar_72: real, avatar_240: real, avatar_640: real, avatar_origin: real };
    sandbox = await startSandbox({ org });
    expect(org.user('zhangsan').avatar.avatar_72).toBe(`${sandbox.baseUrl}${AVATAR_PATH}${keyOf('zhangsan')}?size=72`);
    expect(org.user('lisi').avatar.avatar_72).toBe(real);
    expect((await get(org.user('zhangsan').avatar.avatar_72)).status).toBe(200);
  });
});

describe('avatarText', () => {
  test.each([
    [{ name: '张三', en_name: 'Zhang San' }, '张'],
    [{ name: '欧阳秀英', en_name: '' }, '欧'],
    [{ name: 'Zhang San', en_name: '' }, 'ZS'],
    [{ name: 'ada', en_name: '' }, 'A'],
    [{ name: '  ', en_name: 'Li Si' }, 'LS'],
    [{ name: '', en_name: '' }, '?'],
    [{ name: '👩🏽‍💻 Dev', en_name: '' }, '👩🏽‍💻D'],
  ])('%j → %s', (user, text) => {
    expect(avatarText(user)).toBe(text);
  });
});
