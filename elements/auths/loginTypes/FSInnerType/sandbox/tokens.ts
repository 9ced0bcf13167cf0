import { randomToken } from './random.js';

/** Tokens are kept until close(); a test server never lives long enough for that to matter. */
export interface AccessToken {
  token: string;
  kind: 'tenant' | 'user';
  appId: string;
  expiresAt: number;
  revoked: boolean;
  /** User tokens only. */
  openId?: string;
  scopes?: string[];
}

export interface RefreshToken {
  token: string;
  appId: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
  revoked: boolean;
}

export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/** §1: while the current tenant token has at least this long left, the same token is handed out again. */
const REUSE_THRESHOLD_MS = 30 * 60 * 1000;
/** §2e: after a refresh the previous user access token keeps working for about a minute. */
const REFRESH_GRACE_MS = 60 * 1000;

export class TokenStore {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly currentTenantToken = new Map<string, AccessToken>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimes: TokenLifetimes,
  ) {}

  /** The tenant (= app, for self-built apps §1) token with `expire` = remaining whole seconds. */
  tenantToken(appId: string): { token: string; expire: number } {
    const now = this.now();
    let current = this.currentTenantToken.get(appId);
    if (!current || current.revoked || current.expiresAt - now < REUSE_THRESHOLD_MS) {
      current = {
        token: `t-g${randomToken(30).replace(/[-_]/g, 'x')}`,
        kind: 'tenant',
        appId,
        expiresAt: now + this.lifetimes.accessSeconds * 1000,
        revoked: false,
      };
      this.access.set(current.token, current);
      this.currentTenantToken.set(appId, current);
    }
    return { token: current.token, expire: Math.max(0, Math.floor((current.expiresAt - now) / 1000)) };
  }

  issueUserTokens(appId: string, openId: string, scopes: string[], withRefresh: boolean): { access: AccessToken; refresh?: RefreshToken } {
    const now = this.now();
    const access: AccessToken = {
      token: jwtLike({ typ: 'access', app: appId, sub: openId, exp: now + this.lifetimes.accessSeconds * 1000 }),
      kind: 'user',
      appId,
      expiresAt: now + this.lifetimes.accessSeconds * 1000,
      revoked: false,
      openId,
      scopes,
    };
    this.access.set(access.token, access);
    if (!withRefresh) return { access };
    const refresh: RefreshToken = {
      token: jwtLike({ typ: 'refresh', app: appId, sub: openId, exp: now + this.lifetimes.refreshSeconds * 1000 }),
      appId,
      openId,
      scopes,
      expiresAt: now + this.lifetimes.refreshSeconds * 1000,
      used: false,
      revoked: false,
    };
    this.refresh.set(refresh.token, refresh);
    return { access, refresh };
  }

  findAccess(token: string): AccessToken | undefined {
    return this.access.get(token);
  }

  findRefresh(token: string): RefreshToken | undefined {
    return this.refresh.get(token);
  }

  /** Marks a refresh token used and cuts the user's previous access tokens down to the grace period. */
  spendRefresh(refresh: RefreshToken): void {
    refresh.used = true;
    const graceEnd = this.now() + REFRESH_GRACE_MS;
    for (const token of this.access.values()) {
      if (token.kind === 'user' && token.appId === refresh.appId && token.openId === refresh.openId && token.expiresAt > graceEnd) {
        token.expiresAt = graceEnd;
      }
    }
  }

  isLive(token: AccessToken): boolean {
    return !token.revoked && token.expiresAt > this.now();
  }

  /** Every access token issued so far expires now; refresh tokens stay usable so refresh flows can be tested. */
  expireAll(): void {
    const now = this.now();
    for (const token of this.access.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }

  /** Every access and refresh token issued so far becomes invalid (as after an admin revocation). */
  revokeAll(): void {
    for (const token of this.access.values()) token.revoked = true;
    for (const token of this.refresh.values()) token.revoked = true;
  }
}

/**
 * v2 user tokens are JWT-like and 1–2 KB (contract §2a), so a client that stores them in a short
 * column fails here as it would against Feishu. Nothing verifies the signature: the store is the truth.
 */
function jwtLike(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'sandbox', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomToken(16), ext: randomToken(700) })).toString('base64url');
  return `${header}.${payload}.${randomToken(64)}`;
}
