import { describe, expect, test } from '@jest/globals';
import type { LightMyRequestResponse } from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Diagnostic, DiagnosticCode } from '../../../runtime/index.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { sessionCookie, useHttpWorld, type HttpWorld } from './http-world.js';
import { until } from '../../helpers/reload.js';

/**
 * "Last good means last good everywhere": while the newest edit of a login
 * instance is broken, everything the HTTP layer serves about it — the login
 * page's methods, the element API, the OAuth callback — keeps answering from
 * the last good version; diagnostics say what is broken and that the last good
 * version is still served. Fixing the file puts the new version in service.
 */
const httpWorld = useHttpWorld();

const FS = 'auths.loginTypes.FSInnerExample';
const FS_TYPE = 'auths.loginTypes.FSInnerType';
const PANEL = `/jit/element/${FS_TYPE}/panel.js`;
const INSTANCE_DIR = 'apps/demo/auths/loginTypes/FSInnerExample';
const DEFAULT_STATE_TTL_SECONDS = 600; // config.schema.json's default, what the last good config serves
const FIXED_STATE_TTL_SECONDS = 240;

const HTTP_OK = 200;
const HTTP_REDIRECT = 302;

interface BrokenEdit {
  name: string;
  file: 'e.json' | 'FSInnerExample.json';
  /** The broken content, given the good one. */
  broken: (good: string) => string;
  /** A good content different from the original, given the original. */
  fixed: (good: string) => string;
  code: DiagnosticCode;
  /** What the fixed version serves differently. */
  fixedShows: { title?: string; expiresIn?: number };
}

const EJSON_FIXED = { title: 'Feishu login (fixed)', type: FS_TYPE };
const withTtl = (good: string) => JSON.stringify({ ...JSON.parse(good), stateTtlSeconds: FIXED_STATE_TTL_SECONDS }, null, 2);

const edits: BrokenEdit[] = [
  {
    name: 'config with a JSON syntax error',
    file: 'FSInnerExample.json',
    broken: (good) => good.replace(/\}\s*$/, ','),
    fixed: withTtl,
    code: 'JSON_SYNTAX',
    fixedShows: { expiresIn: FIXED_STATE_TTL_SECONDS },
  },
  {
    name: "config that fails the Type's schema",
    file: 'FSInnerExample.json',
    broken: (good) => JSON.stringify({ ...JSON.parse(good), appId: '' }),
    fixed: withTtl,
    code: 'CONFIG_INVALID',
    fixedShows: { expiresIn: FIXED_STATE_TTL_SECONDS },
  },
  {
    name: 'e.json with a JSON syntax error',
    file: 'e.json',
    broken: () => `{ "title": "Feishu login", "type": `,
    fixed: () => JSON.stringify(EJSON_FIXED),
    code: 'JSON_SYNTAX',
    fixedShows: { title: EJSON_FIXED.title },
  },
  {
    name: 'e.json naming an unknown type',
    file: 'e.json',
    broken: () => JSON.stringify({ title: 'Feishu login', type: 'auths.loginTypes.NoSuchType' }),
    fixed: () => JSON.stringify(EJSON_FIXED),
    code: 'UNKNOWN_TYPE',
    fixedShows: { title: EJSON_FIXED.title },
  },
];


/** "a=1; b=2" from a reply's Set-Cookie headers: what a browser would send back. */
function cookiesOf(reply: LightMyRequestResponse): string {
  return [reply.headers['set-cookie'] ?? []]
    .flat()
    .map((c) => String(c).split(';')[0]!)
    .join('; ');
}

/** getLoginConfig over the element API, with the cookies its reply set (a future browser binding would be among them). */
async function loginConfig(w: HttpWorld): Promise<{ reply: LightMyRequestResponse; state: string; expiresIn: number; cookies: string }> {
  const reply = await w.call(FS, 'getLoginConfig');
  const data = reply.statusCode === HTTP_OK ? reply.json().data : {};
  return { reply, state: data.state, expiresIn: data.expiresIn, cookies: cookiesOf(reply) };
}

/** Feishu sending the browser back with a fresh code for `userId` and `state`. */
function callback(w: HttpWorld, state: string, cookies: string, userId = 'zhangsan') {
  const { code } = w.sandbox.issueCode({ userId, redirectUri: REDIRECT_URI });
  return w.inject({ method: 'GET', url: `/login/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, headers: cookies ? { cookie: cookies } : {} });
}

const loginMethods = async (w: HttpWorld) => (await w.inject({ method: 'GET', url: '/api/login-methods' })).json().data as Array<{ fullName: string; title: string; type: string; panel: string | null }>;

async function adminTree(w: HttpWorld, admin: string) {
  const reply = await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: admin } });
  expect(reply.statusCode).toBe(HTTP_OK);
  return reply.json().data as { elements: Array<{ fullName: string; quarantined: boolean; keptLastGood: boolean; title: string }>; diagnostics: Diagnostic[] };
}

describe('a broken edit of a login instance keeps the last good version in service over HTTP', () => {
  test.each(edits)('$name', async (edit) => {
    const w = await httpWorld();
    await w.app.watch();
    const file = join(w.root, INSTANCE_DIR, edit.file);
    const good = readFileSync(file, 'utf8');
    const lastGood = w.app.getElement(FS);

    // A login started before the edit, as a browser would have it open.
    const before = await loginConfig(w);
    expect(before.reply.statusCode).toBe(HTTP_OK);

    writeFileSync(file, edit.broken(good));
    await until(w.app, () => w.app.diagnostics.some((d) => d.code === edit.code && d.fullName === FS));
    expect(w.app.getElement(FS)).toBe(lastGood);

    // The login page still offers the instance with its panel.
    expect(await loginMethods(w)).toEqual([{ fullName: FS, title: 'Feishu login', type: FS_TYPE, panel: PANEL }]);
    expect((await w.inject({ method: 'GET', url: PANEL })).statusCode).toBe(HTTP_OK);

    // The element API answers from the last good version, and its states are this app's.
    const during = await loginConfig(w);
    expect(during.reply.statusCode).toBe(HTTP_OK);
    expect(during.expiresIn).toBe(DEFAULT_STATE_TTL_SECONDS);
    const signedIn = await callback(w, during.state, during.cookies);
    expect([signedIn.statusCode, signedIn.headers.location]).toEqual([HTTP_REDIRECT, '/']);
    const admin = sessionCookie(signedIn);
    expect(admin).toBeDefined();

    // A state issued before the broken edit is accepted too.
    const earlier = await callback(w, before.state, before.cookies, 'lisi');
    expect([earlier.statusCode, earlier.headers.location]).toEqual([HTTP_REDIRECT, '/']);
    expect(sessionCookie(earlier)).toBeDefined();

    // The admin tree shows the element in service and the problem, with keptLastGood.
    const tree = await adminTree(w, admin!);
    expect(tree.elements.find((e) => e.fullName === FS)).toMatchObject({ quarantined: false, keptLastGood: true, title: 'Feishu login' });
    expect(tree.diagnostics).toContainEqual(expect.objectContaining({ code: edit.code, fullName: FS, file, keptLastGood: true }));
    expect(w.app.explain(FS)).toMatchObject({ quarantined: false, keptLastGood: true, diagnostics: [expect.objectContaining({ code: edit.code, keptLastGood: true })] });

    // Fixed: the new version serves and the problem is gone.
    writeFileSync(file, edit.fixed(good));
    await until(w.app, () => w.app.diagnostics.length === 0);
    expect(w.app.getElement(FS)).not.toBe(lastGood);
    const methods = await loginMethods(w);
    expect(methods).toEqual([{ fullName: FS, title: edit.fixedShows.title ?? 'Feishu login', type: FS_TYPE, panel: PANEL }]);
    const after = await loginConfig(w);
    expect(after.reply.statusCode).toBe(HTTP_OK);
    expect(after.expiresIn).toBe(edit.fixedShows.expiresIn ?? DEFAULT_STATE_TTL_SECONDS);
    const fresh = await callback(w, after.state, after.cookies);
    expect(fresh.statusCode).toBe(HTTP_REDIRECT);
    expect(sessionCookie(fresh)).toBeDefined();
    const fixedTree = await adminTree(w, admin!);
    expect(fixedTree.elements.find((e) => e.fullName === FS)).toMatchObject({ quarantined: false, keptLastGood: false, title: edit.fixedShows.title ?? 'Feishu login' });
    expect(fixedTree.diagnostics).toEqual([]);
  });
});
