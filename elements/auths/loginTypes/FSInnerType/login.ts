import { createHash, randomBytes } from 'node:crypto';
import { FSInnerErrors } from './feishu-errors.js';
import type { FSInnerConfig } from './config.js';
import type { FeishuHosts } from './feishu/hosts.js';

/**
 * Authorization codes: the docs give `[A-Za-z0-9-_]` with 64 chars reserved (contract §5a), but real codes also
 * carry `.` (issue #11; the sandbox's codes do too). Anything else never reaches Feishu.
 */
const AUTH_CODE = /^[A-Za-z0-9._-]{1,512}$/;

export function assertAuthCode(authCode: unknown): asserts authCode is string {
  if (typeof authCode !== 'string' || !AUTH_CODE.test(authCode)) {
    throw FSInnerErrors.INVALID_AUTH_CODE.create({}, { reason: 'malformed' });
  }
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url'); // 43 chars, within PKCE's 43–128
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The accounts authorize page of the v2 flow, with PKCE S256 and the configured `scope` (contract
 * §5a): space-separated, offline_access among them for a refresh token (events notes §6.3). Spaces
 * are sent as %20, not the form encoding's "+": whether Feishu decodes "+" in scope is UNVERIFIED,
 * and %20 reads the same to every decoder.
 */
export function authorizeUrl(hosts: FeishuHosts, config: FSInnerConfig, state: string, challenge: string): string {
  const url = new URL('/open-apis/authen/v1/authorize', hosts.accounts);
  url.searchParams.set('client_id', config.appId);
  if (config.redirectUri) url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  if (config.scope) url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.search = url.searchParams.toString().replace(/\+/g, '%20'); // a literal "+" is already %2B
  return url.href;
}

/**
 * The passport authorize page: the QR-code SDK's `goto`, which supports neither scope nor PKCE
 * (contract §5a/§5b), so `scope` is not sent. Whether its codes can carry offline_access (say,
 * from grants the user gave before) is UNVERIFIED: such a login is taken to have no refresh token
 * unless Feishu's token reply includes one, and its user signs in again when the token expires.
 */
export function qrAuthorizeUrl(hosts: FeishuHosts, config: FSInnerConfig, state: string): string {
  const url = new URL('/suite/passport/oauth/authorize', hosts.passport);
  url.searchParams.set('client_id', config.appId);
  if (config.redirectUri) url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', state);
  return url.href;
}
