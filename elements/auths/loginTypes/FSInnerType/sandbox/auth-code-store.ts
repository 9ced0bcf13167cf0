import { createHash } from 'node:crypto';
import { FEISHU, fail } from './errors.js';
import { randomToken } from './random.js';

export type CodeChallengeMethod = 'S256' | 'plain';

export interface AuthCode {
  code: string;
  appId: string;
  openId: string;
  /** Absent for codes minted by tests through issueCode without one: then any redirect_uri is accepted. */
  redirectUri?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface NewCode {
  appId: string;
  openId: string;
  redirectUri?: string;
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  scopes?: string[];
  /** A shorter lifetime than the store's (the Feishu client's requestAccess codes live 3 min, §5.2). */
  maxTtlSeconds?: number;
}

export interface Redemption {
  code: string;
  appId: string;
  redirectUri?: string;
  codeVerifier?: string;
}

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Authorization codes: single use, short-lived (§2: 5 min for browser/QR codes). A code is
 * remembered for one lifetime more after it expires, so a late or replayed one still reads
 * "expired" or "used" rather than unknown, then forgotten: a sandbox that runs for long (`jit
 * sandbox`, `jit serve --sandbox`, a load benchmark) does not keep every code it ever issued.
 */
export class CodeStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly tmpCodes = new Map<string, { openId: string; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: number,
  ) {}

  issue(spec: NewCode): AuthCode {
    const now = this.now();
    forgetExpired(this.codes, now - this.ttlSeconds * 1000);
    // Field by field, one shape for every code: a spread of a rest object gave each code a hidden class of its own.
    const code: AuthCode = {
      code: authorizationCode(),
      appId: spec.appId,
      openId: spec.openId,
      redirectUri: spec.redirectUri,
      codeChallenge: spec.codeChallenge,
      codeChallengeMethod: spec.codeChallenge ? (spec.codeChallengeMethod ?? 'plain') : undefined,
      scopes: spec.scopes ?? [],
      expiresAt: now + Math.min(this.ttlSeconds, spec.maxTtlSeconds ?? Infinity) * 1000,
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  /**
   * Checks in the order a client can act on: unknown (20003) → another app's (20024) → used (20065)
   * → expired (20004) → redirect_uri (20071) → PKCE (20049). Only a successful redemption spends
   * the code; whether Feishu also burns it on a failed PKCE check is not documented.
   */
  redeem(request: Redemption): AuthCode {
    const code = this.codes.get(request.code);
    if (!code) fail(FEISHU.codeInvalid, 'the code is invalid');
    if (code.appId !== request.appId) fail(FEISHU.wrongApp, 'the code was issued to another app');
    if (code.used) fail(FEISHU.codeUsed, 'the code has already been used');
    if (code.expiresAt <= this.now()) fail(FEISHU.codeExpired, 'the code has expired');
    if (request.redirectUri !== undefined && code.redirectUri !== undefined && request.redirectUri !== code.redirectUri) {
      fail(FEISHU.redirectMismatch, 'redirect_uri does not match the one used to authorize');
    }
    if (code.codeChallenge !== undefined && !pkceMatches(code, request.codeVerifier)) {
      fail(FEISHU.pkceFailed, 'code_verifier does not match code_challenge');
    }
    code.used = true;
    return code;
  }

  /** The QR SDK's temporary code (§5b) that the passport authorize URL trades for a real code. */
  issueTmpCode(openId: string): string {
    const tmpCode = randomToken(24);
    const now = this.now();
    forgetExpired(this.tmpCodes, now - this.ttlSeconds * 1000);
    this.tmpCodes.set(tmpCode, { openId, expiresAt: now + this.ttlSeconds * 1000 });
    return tmpCode;
  }

  takeTmpCode(tmpCode: string): string | undefined {
    const entry = this.tmpCodes.get(tmpCode);
    this.tmpCodes.delete(tmpCode);
    return entry && entry.expiresAt > this.now() ? entry.openId : undefined;
  }
}

/**
 * Drops entries that expired before `cutoff`, oldest first (a Map iterates in the order of issue),
 * stopping at the first one still kept: amortised one look per issue. An entry issued with a
 * shorter lifetime behind a longer-lived one waits for it, which bounds it all the same.
 */
export function forgetExpired(entries: Map<string, { expiresAt: number }>, cutoff: number): void {
  for (const [key, entry] of entries) {
    if (entry.expiresAt >= cutoff) return;
    entries.delete(key);
  }
}

/**
 * An authorization code in the shape real ones take: besides `[A-Za-z0-9-]` they may contain `_`
 * and `.` (D-AUTHZ documents `[A-Za-z0-9-_]`; real codes with dots are reported in issue #11), so
 * every sandbox code contains both, and a client that accepts less fails here first.
 */
export function authorizationCode(): string {
  return `${randomToken(18)}_${randomToken(18)}.${randomToken(9)}`;
}

function pkceMatches(code: AuthCode, verifier: string | undefined): boolean {
  if (!verifier || !VERIFIER.test(verifier)) return false;
  if (code.codeChallengeMethod === 'S256') return createHash('sha256').update(verifier).digest('base64url') === code.codeChallenge;
  return verifier === code.codeChallenge;
}
