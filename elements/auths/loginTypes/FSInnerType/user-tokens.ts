import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { withLease } from '../../../../runtime/db/lease.js';
import { Code, RuntimeCodes, RuntimeErrors } from '../../../../runtime/errcode.js';
import { FSInnerCodes, FSInnerErrors } from './feishu-errors.js';
import type { Directory, StoredUserTokens, UserTokens } from './directory.js';
import type { FeishuApi } from './feishu/api.js';

/** What getUserTokens hands out: a user access token that is valid now, and what it can do. */
export interface FSInnerUserTokens {
  accessToken: string;
  /** When the access token expires (ms). With a refresh token it has at least REFRESH_MARGIN_MS left. */
  expiresAt: number;
  /** When the refresh token expires; null when there is none (no offline_access): the user signs in again after expiresAt. */
  refreshExpiresAt: number | null;
  /** Space-separated scopes Feishu granted, when it said. */
  scope: string | null;
  /**
   * The stored refresh token, for inspection. Do not spend it: refresh tokens are single use, so a
   * refresh made elsewhere leaves the stored one dead and the user has to sign in again.
   */
  refreshToken: string | null;
}

/** An access token with less than this left is refreshed (when a refresh token allows). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** The per-user refresh lease; renewed while the refresh runs, so it only bounds how long a crashed holder blocks others. */
const LEASE_MS = 30_000;
/** How long a caller waits for another process's refresh: longer than a lease, so a crashed holder's lease runs out first. */
const WAIT_MS = 45_000;
const POLL_MS = 50;

type Decision = { use: StoredUserTokens } | { refresh: StoredUserTokens };

/**
 * Keeps users' Feishu tokens usable (events-and-scopes notes §6): a token near expiry is refreshed,
 * and the rotated refresh token is stored with the new access token in one UPDATE.
 *
 * Refresh tokens are single use, so two processes must never both spend one. Within a process
 * concurrent callers share one refresh (single flight); across processes a database lease per user
 * lets one refresh while the others wait and then read its result. The write is also conditional on
 * the row still holding the spent refresh token, so a login that stored newer tokens meanwhile wins.
 *
 * Outcomes: a dead refresh token (Feishu 20026/20037/20064/20073, Code 42007) clears the stored
 * tokens and throws 42007 "sign in again"; an expired token without a usable refresh token throws
 * 42007 too (tokens kept: nothing was spent). Any other failure (network, 5xx, 20074 switch off)
 * keeps the tokens: the current access token is returned while it is still valid, else the failure
 * is thrown. Token expiry runs on the app's clock; the lease and waiting on wall time, since they
 * guard real processes.
 */
export class UserTokenKeeper {
  private readonly inFlight = new Map<string, Promise<FSInnerUserTokens>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: Directory,
    private readonly api: FeishuApi,
    private readonly now: () => number,
  ) {}

  /** Valid tokens for the user, refreshed if need be; undefined when none are stored (never signed in, or cleared after a failed refresh). */
  async get(userId: string): Promise<FSInnerUserTokens | undefined> {
    const stored = await this.directory.userTokens(userId);
    // None stored while a refresh is in flight: that refresh just cleared them, and says why.
    if (!stored) return this.inFlight.get(userId);
    const decision = this.decide(userId, stored);
    if ('use' in decision) return view(decision.use);
    let pending = this.inFlight.get(userId);
    if (!pending) {
      pending = this.refreshAcrossProcesses(userId).finally(() => this.inFlight.delete(userId));
      this.inFlight.set(userId, pending);
    }
    return pending;
  }

  /** Use the stored tokens as they are, refresh them, or (throws) tell the user to sign in again. */
  private decide(userId: string, stored: StoredUserTokens): Decision {
    const left = stored.expiresAt - this.now();
    if (left > REFRESH_MARGIN_MS) return { use: stored };
    const refreshable = stored.refreshToken !== null && (stored.refreshExpiresAt === null || stored.refreshExpiresAt > this.now());
    if (refreshable) return { refresh: stored };
    if (left > 0) return { use: stored };
    throw stored.refreshToken === null
      ? signInAgain(userId, 'no_refresh_token', 'the access token has expired and Feishu issued no refresh token (scope needs offline_access, enabled in the console)')
      : signInAgain(userId, 'refresh_expired', 'the access token and the refresh token have expired');
  }

  /** Takes the user's lease and refreshes; while another process holds it, waits for its result. */
  private async refreshAcrossProcesses(userId: string): Promise<FSInnerUserTokens> {
    const lease = leaseName(this.directory.instance, userId);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      try {
        return await withLease(this.dataSource, lease, Date.now, () => this.refreshHoldingLease(userId), LEASE_MS);
      } catch (err) {
        if (!(Code.is(err) && err.code === RuntimeCodes.BUSY && err.details?.['lease'] === lease)) throw err;
      }
      await sleep(POLL_MS + Math.random() * POLL_MS);
      const stored = await this.directory.userTokens(userId);
      if (!stored) throw signInAgain(userId, 'signed_out', 'another process found the refresh token dead and cleared the tokens');
      const decision = this.decide(userId, stored);
      if ('use' in decision) return view(decision.use);
      if (Date.now() > deadline) {
        if (stored.expiresAt > this.now()) return view(stored);
        throw RuntimeErrors.BUSY.create({ problem: `Another process is still refreshing the Feishu token of user "${userId}"; try again shortly.` }, { lease, userId });
      }
    }
  }

  /** Under the lease: read again (another process may just have refreshed), spend the refresh token, store the result. */
  private async refreshHoldingLease(userId: string): Promise<FSInnerUserTokens> {
    const stored = await this.directory.userTokens(userId);
    if (!stored) throw signInAgain(userId, 'signed_out', 'another process found the refresh token dead and cleared the tokens');
    const decision = this.decide(userId, stored);
    if ('use' in decision) return view(decision.use);
    const sealed = stored.sealedRefreshToken!;
    let reply;
    try {
      reply = await this.api.refreshUserToken(stored.refreshToken!);
    } catch (err) {
      if (Code.is(err) && err.code === FSInnerCodes.SIGN_IN_AGAIN) {
        await this.directory.clearTokens(userId, sealed);
        if (err.details) Object.assign(err.details, { reason: 'refresh_rejected', userId });
        throw err;
      }
      if (stored.expiresAt > this.now()) return view(stored);
      throw err;
    }
    const now = this.now();
    // Feishu may answer without a refresh token (offline_access no longer granted): the chain ends here.
    const tokens: UserTokens = {
      accessToken: reply.access_token,
      refreshToken: reply.refresh_token ?? null,
      expiresAt: now + reply.expires_in * 1000,
      refreshExpiresAt: reply.refresh_token && reply.refresh_token_expires_in ? now + reply.refresh_token_expires_in * 1000 : null,
      scope: reply.scope ?? stored.scope,
    };
    if (await this.directory.replaceTokens(userId, sealed, tokens)) return view(tokens);
    // A login stored newer tokens while this refresh ran: they stand. The ones just issued are valid too.
    const newer = await this.directory.userTokens(userId);
    return view(newer && newer.expiresAt > now ? newer : tokens);
  }
}

function view(tokens: UserTokens): FSInnerUserTokens {
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, refreshExpiresAt: tokens.refreshExpiresAt, scope: tokens.scope, refreshToken: tokens.refreshToken };
}

function signInAgain(userId: string, reason: 'no_refresh_token' | 'refresh_expired' | 'signed_out', why: string): Code {
  return FSInnerErrors.SIGN_IN_AGAIN.create({ why }, { reason, userId });
}

/** Lease names are at most 200 characters; the user's part is hashed to fit whatever the ids. */
function leaseName(instance: string, userId: string): string {
  const hash = createHash('sha256').update(`${instance}\n${userId}`).digest('hex').slice(0, 24);
  return `${instance.slice(0, 150)}.userTokens:${hash}`;
}
