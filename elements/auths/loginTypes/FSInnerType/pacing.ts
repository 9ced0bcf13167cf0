import pThrottle from 'p-throttle';

/**
 * Contact reads a bulk sync makes, which Feishu also caps at 1000 a minute per app
 * (contract §7, "1000/min & 50/s"); paced at 95% of it, as the per-second default is.
 * (oauth_token has the same cap but is left unpaced per minute: a login should
 * fail fast with 45009 rather than queue for up to a minute.)
 */
const PER_MINUTE: Readonly<Record<string, number>> = {
  user_get: 950,
  users_batch: 950,
  find_by_department: 950,
  department_children: 950,
  departments_batch: 950,
};

/**
 * Client-side pace per Feishu endpoint: Feishu limits each API per app
 * (contract §7, 50/s for contact and OAuth, 1000/min for the contact reads);
 * staying under both means a bulk sync never collects 429s. Sliding windows
 * (strict), so bursts at a window edge cannot double the rate.
 */
export class EndpointPacer {
  private readonly gates = new Map<string, () => Promise<void>>();

  constructor(private readonly perSecond: number) {}

  wait(endpoint: string): Promise<void> {
    let gate = this.gates.get(endpoint);
    if (!gate) {
      const second = pThrottle({ limit: this.perSecond, interval: 1000, strict: true })(async () => undefined);
      const perMinute = PER_MINUTE[endpoint];
      const minute = perMinute ? pThrottle({ limit: Math.min(perMinute, this.perSecond * 60), interval: 60_000, strict: true })(async () => undefined) : undefined;
      gate = minute ? () => minute().then(second) : second;
      this.gates.set(endpoint, gate);
    }
    return gate();
  }
}
