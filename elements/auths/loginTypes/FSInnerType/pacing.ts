import pThrottle from 'p-throttle';

/**
 * Client-side pace per Feishu endpoint: Feishu limits each API per app
 * (contract §7, 50/s for contact and OAuth); staying under it means a bulk
 * sync never collects 429s. Sliding window (strict), so bursts at a window
 * edge cannot double the rate.
 */
export class EndpointPacer {
  private readonly gates = new Map<string, () => Promise<void>>();

  constructor(private readonly perSecond: number) {}

  wait(endpoint: string): Promise<void> {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      gate = pThrottle({ limit: this.perSecond, interval: 1000, strict: true })(async () => undefined);
      this.gates.set(endpoint, gate);
    }
    return gate();
  }
}
