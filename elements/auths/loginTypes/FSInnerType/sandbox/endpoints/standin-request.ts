import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxState } from '../context.js';
import type { Reply } from '../http.js';

/** What a stand-in page or script is given (see standins.ts for the list). */
export interface StandinRequest {
  /** The request path (without the query). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The sandbox's origin as this browser addresses it (see browser.ts). */
  origin: string;
  /** `sandbox.baseUrl`; a goto may use it or `origin`. */
  baseUrl: string;
  state: SandboxState;
}

export type Standin = (request: StandinRequest) => Reply | Promise<Reply>;

/** The origins a goto may name: both spellings of this sandbox. */
export function sandboxOrigins(request: StandinRequest): string[] {
  return [request.origin, new URL(request.baseUrl).origin];
}
