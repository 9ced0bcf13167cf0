import { forgetExpired } from './auth-code-store.js';
import { randomToken } from './random.js';

/** An access token, tenant or user, as the store keeps it. */
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
  /** The whole grant. Narrowing at refresh time shapes only the access token it returns (§6.3: narrowing does not accumulate). */
  scopes: string[];
  expiresAt: number;
  used: boolean;
  revoked: boolean;
  /** When the user authorised: every refresh token of the chain ends 365 days after it (§6.3). */
  grantedAt: number;
  /** One authorisation's chain of rotated refresh tokens. */
  family: string;
  /** The access token issued with this refresh token: the one that keeps a 1-minute grace when it is spent. */
  accessToken: string;
}

/** How a refresh token comes about: a fresh authorisation, or the rotation of a spent one. */
export interface RefreshGrant {
  scopes: string[];
  grantedAt: number;
  family?: string;
}

export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/** §1: while the current tenant token has at least this long left, the same token is handed out again. */
const REUSE_THRESHOLD_MS = 30 * 60 * 1000;
/** §6.3: after a refresh the previous user access token keeps working for 1 minute. */
const REFRESH_GRACE_MS = 60 * 1000;
/** §6.3: 365 days after the user's authorisation no refresh token works any more (20037); they must authorise again. */
export const GRANT_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Tokens issued. An access token is remembered for one access-token lifetime more after it expires
 * (a late one still reads "expired"), then forgotten, so a long-running sandbox does not keep every
 * token it ever issued; refresh tokens are kept until close().
 */
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
      this.forgetExpiredAccess(now);
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

  /**
   * A user access token, and a refresh token when `refresh` says how it comes about (the caller
   * decides whether offline_access allows one, oauth-token.ts). A rotated refresh token keeps the
   * chain's authorisation time, so its lifetime shrinks towards the 365-day cap.
   */
  issueUserTokens(appId: string, openId: string, scopes: string[], refresh?: RefreshGrant): { access: AccessToken; refresh?: RefreshToken } {
    const now = this.now();
    this.forgetExpiredAccess(now);
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
    if (!refresh) return { access };
    const expiresAt = Math.min(now + this.lifetimes.refreshSeconds * 1000, refresh.grantedAt + GRANT_LIFETIME_MS);
    const token: RefreshToken = {
      token: jwtLike({ typ: 'refresh', app: appId, sub: openId, exp: expiresAt }),
      appId,
      openId,
      scopes: refresh.scopes,
      expiresAt,
      used: false,
      revoked: false,
      grantedAt: refresh.grantedAt,
      family: refresh.family ?? randomToken(16),
      accessToken: access.token,
    };
    this.refresh.set(token.token, token);
    return { access, refresh: token };
  }

  /** Access tokens (tenant and user) that expired over one lifetime ago are forgotten (a 1–2 KB string each). */
  private forgetExpiredAccess(now: number): void {
    forgetExpired(this.access, now - this.lifetimes.accessSeconds * 1000);
  }

  findAccess(token: string): AccessToken | undefined {
    return this.access.get(token);
  }

  findRefresh(token: string): RefreshToken | undefined {
    return this.refresh.get(token);
  }

  /**
   * Marks a refresh token used ("立即失效", §6.3) and cuts the access token issued with it down to
   * the 1-minute grace. Access tokens of the user's other authorisations are left alone: the notes
   * tie the grace to the rotated token only (UNVERIFIED whether Feishu touches the others).
   */
  spendRefresh(refresh: RefreshToken): void {
    refresh.used = true;
    const paired = this.access.get(refresh.accessToken);
    if (paired) paired.expiresAt = Math.min(paired.expiresAt, this.now() + REFRESH_GRACE_MS);
  }

  /**
   * A used refresh token presented again: the unused refresh tokens of its chain are revoked, so a
   * client that spent one twice (two processes racing) loses the chain. The notes only say the
   * reuse is refused; revoking the successors (the OAuth security BCP's reuse detection) is
   * UNVERIFIED for Feishu and chosen because it is the stricter of the two.
   */
  revokeFamily(refresh: RefreshToken): void {
    for (const token of this.refresh.values()) if (token.family === refresh.family && !token.used) token.revoked = true;
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
