/**
 * Work a Type runs for each of its instances while the app is served
 * (`jit serve`, or `loadApp(dir, { services: true })`), never in tools that
 * only read the app: a long connection, a schedule.
 *
 *   static services: ReadonlyArray<ServiceDeclaration> = [
 *     { name: 'eventTransport', method: 'startEventTransport' },
 *   ];
 *
 * The runtime calls `method()` once per live instance — at start, and for the
 * instance a reload puts in place of an older one — and awaits nothing beyond
 * its promise settling: the method starts its timers or sockets and returns.
 * The instance's `close()` (on reload or app close) stops them. A method that
 * throws is reported as a SERVICE_FAILED diagnostic; the others run on.
 */
export interface ServiceDeclaration {
  /** Shown in diagnostics: what runs. */
  name: string;
  /** The instance method that starts it: `method(): Promise<void> | void`. */
  method: string;
}

/** A class's services (its own or inherited `static services`). */
export function servicesOf(cls: unknown): ReadonlyArray<ServiceDeclaration> {
  const services = typeof cls === 'function' ? (cls as { services?: unknown }).services : undefined;
  return Array.isArray(services) ? (services as ServiceDeclaration[]) : [];
}
