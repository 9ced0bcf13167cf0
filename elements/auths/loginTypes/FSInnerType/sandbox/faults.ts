import { isEndpointName, type EndpointName } from './endpoint-names.js';

export type FaultKind =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: 500 | 502 | 503 }
  | { kind: 'drop' }
  /**
   * 99991400. HTTP 429 with `x-ogw-ratelimit-*` headers by default; `status: 400` answers it the way
   * "some legacy APIs" do (§7), without those headers unless resetSeconds is given (whether such
   * replies carry them is UNVERIFIED; without them is the stricter case).
   */
  | { kind: 'rate_limit'; resetSeconds?: number; status?: 400 | 429 }
  | { kind: 'malformed' }
  | { kind: 'content_type' }
  | { kind: 'token_invalid' };

/** A fault for the next `times` (default 1) requests to `endpoint` ('*' = any Feishu endpoint). */
export type Fault = FaultKind & { endpoint?: EndpointName | '*'; times?: number };

interface Pending {
  fault: FaultKind;
  endpoint: EndpointName | '*';
  remaining: number;
}

export class FaultQueue {
  private pending: Pending[] = [];

  add(fault: Fault): void {
    const { endpoint = '*', times = 1, ...kind } = validateFault(fault);
    this.pending.push({ fault: kind as FaultKind, endpoint, remaining: times });
  }

  clear(): void {
    this.pending = [];
  }

  get size(): number {
    return this.pending.length;
  }

  /** The oldest fault matching this endpoint, consuming one of its `times`. */
  take(endpoint: EndpointName): FaultKind | undefined {
    if (!this.pending.length) return undefined;
    const index = this.pending.findIndex((p) => p.endpoint === endpoint || p.endpoint === '*');
    if (index < 0) return undefined;
    const entry = this.pending[index]!;
    if (--entry.remaining <= 0) this.pending.splice(index, 1);
    return entry.fault;
  }
}

/** Rejects a malformed fault up front (it may arrive as JSON on /_sandbox/faults). */
export function validateFault(input: unknown): Fault {
  const f = input as Record<string, unknown>;
  if (!f || typeof f !== 'object') throw new TypeError('a fault must be an object');
  if (f.endpoint !== undefined && f.endpoint !== '*' && !isEndpointName(f.endpoint)) throw new TypeError(`unknown endpoint "${String(f.endpoint)}"`);
  if (f.times !== undefined && !(Number.isInteger(f.times) && (f.times as number) > 0)) throw new TypeError('times must be a positive integer');
  switch (f.kind) {
    case 'latency':
      if (!(typeof f.ms === 'number' && f.ms >= 0)) throw new TypeError('latency needs ms >= 0');
      break;
    case 'status':
      if (![500, 502, 503].includes(f.status as number)) throw new TypeError('status must be 500, 502 or 503');
      break;
    case 'rate_limit':
      if (f.resetSeconds !== undefined && !(typeof f.resetSeconds === 'number' && f.resetSeconds >= 0)) throw new TypeError('resetSeconds must be >= 0');
      if (f.status !== undefined && f.status !== 400 && f.status !== 429) throw new TypeError('a rate_limit status must be 400 or 429');
      break;
    case 'drop':
    case 'malformed':
    case 'content_type':
    case 'token_invalid':
      break;
    default:
      throw new TypeError(`unknown fault kind "${String(f.kind)}"`);
  }
  return f as unknown as Fault;
}
