import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SecretBox } from '../../../../../runtime/auth/secret-box.js';
import type { SharedValues } from '../../../../../runtime/shared/shared-values.js';
import type { FetchedToken } from './tenant-token.js';

/** How long a process waits for another that claimed the fetch before fetching itself (the claimant may have died). */
const WAIT_FOR_CLAIM_MS = 5000;
const POLL_MS = 100;
/** A claim outlives any sane token fetch (timeout 10 s and retries); a dead claimant's claim runs out. */
const CLAIM_TTL_MS = 30_000;

/**
 * The tenant token, fetched once for every process of the app: kept sealed (the app's SecretBox)
 * in the shared values (Redis, else the app's database), and fetched by whichever process claims
 * the fetch first while the others wait for it to appear.
 *
 *   stored and more than `marginMs` left → use it
 *   else claim the fetch  → won:  fetch from Feishu, store it, release the claim
 *                         → lost: wait for the winner's token (≤ 5 s), else fetch anyway
 *
 * Feishu returns the same token while it has ≥ 30 min left (contract §1), so a process that
 * fetches anyway gets the same token, only one request more.
 */
export class SharedTenantToken {
  private readonly key: string;

  constructor(
    private readonly values: SharedValues,
    private readonly secrets: SecretBox,
    /** Keys the token by app and Feishu app: each app seals with its own key. */
    scope: string,
    private readonly marginMs: number,
    /** The app's clock, as the in-process cache's (expiry is tested by stepping it). */
    private readonly now: () => number,
  ) {
    this.key = `feishu-tenant-token:${scope}`;
  }

  /** The shared token, or a fresh one; a failing store costs a fetch, never a failed login. */
  async get(fetchFromFeishu: () => Promise<FetchedToken>): Promise<FetchedToken> {
    try {
      return await this.getShared(fetchFromFeishu);
    } catch (err) {
      if (err instanceof StoreFailure) return fetchFromFeishu();
      throw err;
    }
  }

  private async getShared(fetchFromFeishu: () => Promise<FetchedToken>): Promise<FetchedToken> {
    const stored = await this.read();
    if (stored) return stored;
    const holder = randomUUID();
    if (await store(this.values.claim(`${this.key}:fetching`, holder, CLAIM_TTL_MS))) {
      try {
        const again = await this.read(); // stored between our read and our claim
        if (again) return again;
        const fresh = await fetchFromFeishu();
        const sealed = this.secrets.encrypt(JSON.stringify({ token: fresh.token, expiresAt: this.now() + fresh.expireSeconds * 1000 }));
        await this.values.set(this.key, sealed, fresh.expireSeconds * 1000).catch(() => undefined); // the others fetch their own

        return fresh;
      } finally {
        await this.values.delete(`${this.key}:fetching`, holder).catch(() => undefined);
      }
    }
    for (let waited = 0; waited < WAIT_FOR_CLAIM_MS; waited += POLL_MS) {
      await sleep(POLL_MS);
      const theirs = await this.read();
      if (theirs) return theirs;
    }
    return fetchFromFeishu();
  }

  /** Feishu rejected `token`: no process uses it again (unless a newer one already replaced it). */
  async invalidate(token: string): Promise<void> {
    const sealed = await this.values.get(this.key).catch(() => undefined);
    if (sealed !== undefined && this.open(sealed)?.token === token) await this.values.delete(this.key, sealed).catch(() => undefined);
  }

  private async read(): Promise<FetchedToken | undefined> {
    const sealed = await store(this.values.get(this.key));
    const stored = sealed === undefined ? undefined : this.open(sealed);
    if (!stored) return undefined;
    const left = stored.expiresAt - this.now();
    return left > this.marginMs ? { token: stored.token, expireSeconds: left / 1000 } : undefined;
  }

  /** undefined for a value this app cannot open (sealed under a key it no longer has): fetched afresh. */
  private open(sealed: string): { token: string; expiresAt: number } | undefined {
    const plain = this.secrets.decrypt(sealed);
    if (plain === undefined) return undefined;
    try {
      return JSON.parse(plain) as { token: string; expiresAt: number };
    } catch {
      return undefined;
    }
  }
}

/** The shared store failed (not Feishu): the token is fetched without it. */
class StoreFailure extends Error {}

async function store<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw new StoreFailure((err as Error).message);
  }
}
