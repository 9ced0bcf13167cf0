import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './http.js';
import type { Org } from './org.js';
import type { FeishuAvatar, FeishuUser } from './org-types.js';
import { stableHex } from './random.js';

/**
 * Sandbox avatars, served by the sandbox itself: Feishu's avatar URLs point at its CDN
 * (s1-imfile.feishucdn.com), which an offline machine cannot reach, so a sandbox user's
 * avatar_72/240/640/origin point at `<sandbox>/_sandbox/avatars/<key>?size=…` instead, and that
 * route draws an SVG: the person's initial(s) in white on a colour derived from the key.
 *
 * - The key is opaque (hex derived from the tenant and the user id when the user was made), as
 *   Feishu's image keys are; it is found again in the user's own avatar URLs, so a user whose
 *   user_id changes keeps their picture.
 * - The image tells nothing but what it shows (no name, id or e-mail in the markup).
 * - `size` (pixels, 16–1024) sets the SVG's width and height; without it, 640 (avatar_origin).
 * - A real tenant's avatars never pass through here: the element keeps whatever URL Feishu sends.
 */
export const AVATAR_PATH = '/_sandbox/avatars/';
export const AVATAR_MIN_SIZE = 16;
export const AVATAR_MAX_SIZE = 1024;
export const AVATAR_ORIGIN_SIZE = 640;
/** Where an org made outside a running sandbox points its avatars (the `jit sandbox` port); startSandbox rebases them onto itself. */
export const UNBOUND_AVATAR_BASE = 'http://127.0.0.1:4100';

/** A sandbox avatar URL (of any sandbox origin): group 1 is the path and query, group 2 the key. */
const SANDBOX_AVATAR_URL = /^https?:\/\/[^/?#]+(\/_sandbox\/avatars\/([0-9a-f]{1,64})(?:\?[^#]*)?)$/;
const KEY = /^[0-9a-f]{1,64}$/;

export function avatarKey(tenantKey: string, userId: string): string {
  return stableHex(`${tenantKey}:avatar:${userId}`, 24);
}

/** The four avatar fields of a user, on the sandbox at `baseUrl`. */
export function sandboxAvatar(baseUrl: string, key: string): FeishuAvatar {
  const url = `${baseUrl.replace(/\/+$/, '')}${AVATAR_PATH}${key}`;
  return { avatar_72: `${url}?size=72`, avatar_240: `${url}?size=240`, avatar_640: `${url}?size=640`, avatar_origin: url };
}

/** The key a sandbox avatar URL names, or undefined for any other URL (a real Feishu one, say). */
export function avatarKeyOf(url: unknown): string | undefined {
  return typeof url === 'string' ? SANDBOX_AVATAR_URL.exec(url)?.[2] : undefined;
}

/**
 * Points every sandbox avatar URL in the org at `baseUrl` (an org is generated before the sandbox
 * knows its port, or passed in prebuilt); other URLs — e.g. real Feishu ones a test put there — are left alone.
 */
export function rebaseAvatars(org: Org, baseUrl: string): void {
  const base = baseUrl.replace(/\/+$/, '');
  for (const user of org.users) {
    const avatar = user.avatar as unknown as Record<string, unknown> | undefined;
    if (!avatar) continue;
    for (const field of ['avatar_72', 'avatar_240', 'avatar_640', 'avatar_origin']) {
      const value = avatar[field];
      const found = typeof value === 'string' ? SANDBOX_AVATAR_URL.exec(value) : null;
      if (found) avatar[field] = `${base}${found[1]}`;
    }
  }
}

/** key → user, rebuilt when the org changes structurally or a key is not found (a plain field edit does not bump the version). */
class AvatarIndex {
  private version = -1;
  private count = -1;
  private byKey = new Map<string, FeishuUser>();

  constructor(private readonly org: Org) {}

  find(key: string): FeishuUser | undefined {
    if (this.version !== this.org.version || this.count !== this.org.users.length) this.rebuild();
    const hit = this.byKey.get(key);
    if (hit && ownsKey(hit, key)) return hit;
    this.rebuild();
    return this.byKey.get(key);
  }

  private rebuild(): void {
    this.byKey = new Map();
    for (const user of this.org.users) {
      const key = avatarKeyOf(user.avatar?.avatar_origin) ?? avatarKeyOf(user.avatar?.avatar_240) ?? avatarKeyOf(user.avatar?.avatar_72);
      if (key && !this.byKey.has(key)) this.byKey.set(key, user);
    }
    this.version = this.org.version;
    this.count = this.org.users.length;
  }
}

function ownsKey(user: FeishuUser, key: string): boolean {
  const a = user.avatar;
  return !!a && [a.avatar_origin, a.avatar_240, a.avatar_72, a.avatar_640].some((url) => avatarKeyOf(url) === key);
}

const indexes = new WeakMap<Org, AvatarIndex>();

/** The user whose avatar has this key, if any. */
export function findAvatarUser(org: Org, key: string): FeishuUser | undefined {
  if (!KEY.test(key)) return undefined;
  let index = indexes.get(org);
  if (!index) indexes.set(org, (index = new AvatarIndex(org)));
  return index.find(key);
}

// Mid-tone colours that all carry white text (contrast ≥ 4.5:1).
const PALETTE = ['#3370ff', '#1f7a4d', '#b0392b', '#7a4fd6', '#0e7c86', '#a4570e', '#b3366a', '#4e5a70', '#2b6cb0', '#6b7f0f'];

/** The text an avatar shows: the first character of a CJK name (张 for 张三), else up to two initials (ZS for Zhang San). */
export function avatarText(user: Pick<FeishuUser, 'name' | 'en_name'>): string {
  const name = (user.name ?? '').trim() || (user.en_name ?? '').trim();
  if (!name) return '?';
  const first = graphemes(name)[0]!;
  if (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(first)) return first;
  const words = name.split(/[\s._-]+/).filter(Boolean);
  const initials = words.slice(0, 2).map((w) => graphemes(w)[0]!.toLocaleUpperCase());
  return initials.join('') || first;
}

function graphemes(text: string): string[] {
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  return Segmenter ? Array.from(new Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment) : Array.from(text);
}

export function avatarColour(key: string): string {
  return PALETTE[parseInt(createHash('sha256').update(key).digest('hex').slice(0, 8), 16) % PALETTE.length]!;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function avatarSvg(text: string, colour: string, size: number): string {
  const fontSize = graphemes(text).length > 1 ? 40 : 48;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" fill="${colour}"/>` +
    `<text x="50" y="50" dy="0.36em" text-anchor="middle" fill="#fff" font-size="${fontSize}" ` +
    `font-family="system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif">${escapeXml(text)}</text></svg>`
  );
}

const IMAGE_HEADERS = {
  // The picture of a key changes only when the person's name does: cache briefly, revalidate by ETag.
  'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
  'x-content-type-options': 'nosniff',
  // Opened on its own, the SVG is a document of the sandbox's origin: it may run nothing.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  // Pages of any origin (the app) may embed it, even ones that require CORP.
  'cross-origin-resource-policy': 'cross-origin',
};

function plain(status: number, text: string): Reply {
  return { status, body: text, contentType: 'text/plain; charset=utf-8', headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } };
}

/** GET /_sandbox/avatars/<key>?size=<16–1024>: the SVG, 304 for a matching If-None-Match, 400 for a bad size, 404 for an unknown key. */
export function avatarReply(org: Org, key: string, query: URLSearchParams, headers: IncomingHttpHeaders = {}): Reply {
  const sizes = query.getAll('size');
  let size = AVATAR_ORIGIN_SIZE;
  if (sizes.length > 0) {
    const raw = sizes.length === 1 ? sizes[0]! : '';
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < AVATAR_MIN_SIZE || Number(raw) > AVATAR_MAX_SIZE) {
      return plain(400, `size must be one whole number of pixels from ${AVATAR_MIN_SIZE} to ${AVATAR_MAX_SIZE}`);
    }
    size = Number(raw);
  }
  const user = findAvatarUser(org, key);
  if (!user) return plain(404, 'no such avatar');
  const svg = avatarSvg(avatarText(user), avatarColour(key), size);
  const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 22)}"`;
  const ifNoneMatch = headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { status: 304, body: '', contentType: 'image/svg+xml', headers: { ...IMAGE_HEADERS, etag } };
  }
  return { status: 200, body: svg, contentType: 'image/svg+xml', headers: { ...IMAGE_HEADERS, etag } };
}
