import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CallingBrowser } from '../element.js';
import { AuthErrors } from './auth-errors.js';
import { LoginStateModel } from './models.js';

export interface IssuedState {
  state: string;
  expiresAt: number;
}

export interface ConsumedState {
  codeVerifier: string | null;
  redirectUri: string | null;
  subject: string | null;
}

const hash = (state: string) => createHash('sha256').update(state).digest('hex');
const PURGE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Login states in the database, so whichever process receives the callback
 * can check it. Consumption is one conditional UPDATE: of two racing requests
 * (in one process or two) exactly one sees a changed row.
 *
 * A state issued to a browser carries that browser's binding (hash of its
 * binding cookie). Who may spend it:
 *
 *   issued to   │ spent by a browser with   │ spent in-process
 *   ────────────┼───────────────────────────┼─────────────────
 *   browser B   │ B's cookie: yes; other or │ yes
 *               │ none: no (other_browser)  │
 *   in-process  │ no (other_browser)        │ yes
 */
export class LoginStateStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number,
  ) {}

  async issue(provider: string, options: { ttlSeconds: number; codeVerifier?: string; redirectUri?: string; subject?: string; browser?: CallingBrowser | undefined }): Promise<IssuedState> {
    const state = randomBytes(24).toString('base64url'); // 192 bits
    const now = this.now();
    const expiresAt = now + options.ttlSeconds * 1000;
    const repo = this.dataSource.getRepository(LoginStateModel);
    await repo.insert({ stateHash: hash(state), provider, codeVerifier: options.codeVerifier ?? null, redirectUri: options.redirectUri ?? null, subject: options.subject ?? null, browserBinding: options.browser ? hash(options.browser.binding()) : null, expiresAt, usedAt: null, createdAt: now });
    if (Math.random() < 0.01) await this.purge(now);
    return { state, expiresAt };
  }

  /** Spends a state; `browser` is the browser presenting it (undefined: the server's own code). */
  async consume(provider: string, state: string, browser?: CallingBrowser): Promise<ConsumedState> {
    const now = this.now();
    const stateHash = typeof state === 'string' && state.length > 0 && state.length <= 256 ? hash(state) : '';
    // A browser without a binding cookie matches no row ('' is no SHA-256).
    const binding = browser ? (browser.presentedBinding ? hash(browser.presentedBinding) : '') : undefined;
    const query = this.dataSource
      .createQueryBuilder()
      .update(LoginStateModel)
      .set({ usedAt: now })
      .where('stateHash = :stateHash AND provider = :provider AND usedAt IS NULL AND expiresAt > :now', { stateHash, provider, now });
    if (binding !== undefined) query.andWhere('browserBinding = :binding', { binding });
    const result = await query.execute();
    const row = await this.dataSource.getRepository(LoginStateModel).findOneBy({ stateHash });
    if (result.affected === 1 && row) return { codeVerifier: row.codeVerifier, redirectUri: row.redirectUri, subject: row.subject };
    const why = reasonCode(row, provider, now, binding);
    throw AuthErrors.INVALID_STATE.create({ why: REASONS[why] }, { reason: why });
  }

  /** Which login instance issued a state (a shared callback URL serves every instance); undefined if unknown. */
  async providerOf(state: string): Promise<string | undefined> {
    if (typeof state !== 'string' || state.length === 0 || state.length > 256) return undefined;
    return (await this.dataSource.getRepository(LoginStateModel).findOneBy({ stateHash: hash(state) }))?.provider;
  }

  /** Drops states long past expiry; they can no longer be used, only looked at. */
  async purge(now = this.now()): Promise<void> {
    await this.dataSource.createQueryBuilder().delete().from(LoginStateModel).where('expiresAt < :cutoff', { cutoff: now - PURGE_AFTER_MS }).execute();
  }
}

type RejectReason = 'unknown' | 'other_instance' | 'used' | 'expired' | 'other_browser';

function reasonCode(row: LoginStateModel | null, provider: string, now: number, binding: string | undefined): RejectReason {
  if (!row) return 'unknown';
  if (row.provider !== provider) return 'other_instance';
  if (row.usedAt !== null) return 'used';
  if (row.expiresAt <= now) return 'expired';
  if (binding !== undefined && row.browserBinding !== binding) return 'other_browser';
  return 'used'; // lost the race to a concurrent consumer
}

const REASONS: Record<RejectReason, string> = {
  unknown: 'it was not issued by this app',
  other_instance: 'it was issued for another login method',
  used: 'it has already been used',
  expired: 'it has expired',
  other_browser: 'it was issued to another browser (or this browser did not send its sign-in cookie; allow cookies for this site)',
};
