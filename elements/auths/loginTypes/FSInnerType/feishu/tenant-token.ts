/** Refetched this long before expiry (the SDKs use 3 min, contract §1; Feishu returns the same token while ≥ 30 min are left). */
export const TENANT_TOKEN_MARGIN_MS = 180_000;

export interface FetchedToken {
  token: string;
  /** Remaining lifetime in seconds, as Feishu's `expire`. */
  expireSeconds: number;
}

/**
 * The app's tenant_access_token, cached until shortly before expiry.
 * Concurrent callers share one fetch (single flight): 200 cold callers cost
 * one request. Feishu returns the same token while it has ≥ 30 min left, so
 * any margin under that is safe; the SDKs use 3 min (contract §1).
 */
export class TenantTokenCache {
  private cached: { token: string; refreshAt: number; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number,
    private readonly marginMs = TENANT_TOKEN_MARGIN_MS,
  ) {}

  get(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.token);
    this.inflight ??= this.fetchToken()
      .then(({ token, expireSeconds }) => {
        const now = this.now();
        const expiresAt = now + expireSeconds * 1000;
        this.cached = { token, expiresAt, refreshAt: Math.max(now, expiresAt - this.marginMs) };
        return token;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** Drops the token Feishu rejected (unless a newer one already replaced it). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  /** Expiry of the cached token, for status pages; never the token itself. */
  status(): { cached: boolean; expiresAt?: number } {
    return this.cached && this.now() < this.cached.expiresAt ? { cached: true, expiresAt: this.cached.expiresAt } : { cached: false };
  }
}
