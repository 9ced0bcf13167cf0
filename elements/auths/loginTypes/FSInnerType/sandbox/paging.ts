import { FEISHU, fail } from './errors.js';

/** §4.1: contact listings take page_size 1–50 (default 10); GET /contact/v3/scopes takes 1–100 (default 50). */
export interface PageLimits {
  default: number;
  max: number;
}

export const CONTACT_PAGE: PageLimits = { default: 10, max: 50 };

export interface Page<T> {
  has_more: boolean;
  page_token?: string;
  items?: T[];
}

export function pageSize(query: URLSearchParams, limits: PageLimits = CONTACT_PAGE): number {
  const raw = query.get('page_size');
  if (raw === null || raw === '') return limits.default;
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < 1 || size > limits.max) fail(FEISHU.badPageSize, `page_size must be 1..${limits.max}`);
  return size;
}

/**
 * Page tokens are opaque to clients; here they name the listing they belong to, so a token from
 * another department or listing is rejected with 40012 like a garbled one.
 */
export function pageOffset(query: URLSearchParams, listing: string): number {
  const token = query.get('page_token');
  if (token === null || token === '') return 0;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    fail(FEISHU.badPageToken);
  }
  if (!Array.isArray(decoded) || decoded[0] !== listing || !Number.isInteger(decoded[1]) || decoded[1] < 1) fail(FEISHU.badPageToken);
  return decoded[1] as number;
}

/**
 * `page_token` only accompanies has_more (§4). An empty page omits `items` — Feishu drops empty
 * fields from replies (UNVERIFIED for these endpoints; the stricter choice, so clients must cope).
 */
export function pageOf<T, R>(all: readonly T[], offset: number, size: number, listing: string, view: (item: T) => R): Page<R> {
  const slice = all.slice(offset, offset + size);
  const hasMore = offset + size < all.length;
  const page: Page<R> = { has_more: hasMore };
  if (hasMore) page.page_token = pageToken(listing, offset + size);
  if (slice.length) page.items = slice.map(view);
  return page;
}

/** The token of the page of `listing` that starts at `offset` (what pageOffset reads back). */
export function pageToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify([listing, offset])).toString('base64url');
}
