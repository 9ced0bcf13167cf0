import { ENDPOINT_NAMES, type EndpointName } from './endpoint-names.js';

export interface EndpointStats {
  total: number;
  /** Keyed by HTTP status; dropped connections count under "dropped". */
  byStatus: Record<string, number>;
  /**
   * Requests refused with 99991400 (429, or 400 for an injected legacy-style fault): the sandbox's
   * own limiter's and injected rate_limit faults alike, so a benchmark can report "429s: N".
   */
  rateLimited: number;
  /** Requests that met an injected fault (of any kind). */
  faulted: number;
}

export interface SandboxStats {
  total: number;
  byEndpoint: Record<EndpointName, EndpointStats>;
}

export class StatsRecorder {
  private data = emptyStats();

  request(endpoint: EndpointName): void {
    this.data.total++;
    this.data.byEndpoint[endpoint].total++;
  }

  response(endpoint: EndpointName, status: number | 'dropped'): void {
    const byStatus = this.data.byEndpoint[endpoint].byStatus;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  rateLimited(endpoint: EndpointName): void {
    this.data.byEndpoint[endpoint].rateLimited++;
  }

  faulted(endpoint: EndpointName): void {
    this.data.byEndpoint[endpoint].faulted++;
  }

  snapshot(): SandboxStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = emptyStats();
  }
}

function emptyStats(): SandboxStats {
  const byEndpoint = {} as Record<EndpointName, EndpointStats>;
  for (const name of ENDPOINT_NAMES) byEndpoint[name] = { total: 0, byStatus: {}, rateLimited: 0, faulted: 0 };
  return { total: 0, byEndpoint };
}
