import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallingBrowser } from '../element.js';
import type { CookiePolicy } from './cookie-policy.js';

const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Outlives the longest login state (stateTtlSeconds ≤ 3600), so a fresh QR code never outlives its binding. */
const BINDING_MAX_AGE_SECONDS = 2 * 3600;

/**
 * The browser behind a request, for binding login states to it (login CSRF
 * defence, as Auth.js and better-auth do with a state cookie): a state issued
 * to this browser is accepted back only with the same cookie, so a callback
 * link carrying someone else's state cannot sign this browser in.
 */
export function callingBrowser(request: FastifyRequest, reply: FastifyReply, cookies: CookiePolicy): CallingBrowser {
  const sent = cookies.read(request, 'browserBinding');
  const presentedBinding = sent !== undefined && BINDING_SHAPE.test(sent) ? sent : undefined;
  let binding: string | undefined;
  return {
    presentedBinding,
    binding() {
      if (binding === undefined) {
        binding = presentedBinding ?? randomBytes(32).toString('base64url'); // 256 bits
        cookies.set(request, reply, 'browserBinding', binding, BINDING_MAX_AGE_SECONDS); // (re)set: refreshes its lifetime
      }
      return binding;
    },
  };
}
