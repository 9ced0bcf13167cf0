import { diagnostic, thrownMessage, type Diagnostic } from './diagnostics/diagnostic.js';
import { servicesOf } from './declarations/services.js';
import type { ElementInfo } from './element-queries.js';

/** What the runner needs of an App. */
export interface ServiceHost {
  listElements(filter: { kind: 'instance' }): ElementInfo[];
  getElementDefine(id: string): ElementInfo | undefined;
  getElement<T = unknown>(id: string): T;
  on(event: 'reload', listener: (event: { added: string[]; changed: string[] }) => void): unknown;
  off(event: 'reload', listener: (event: { added: string[]; changed: string[] }) => void): unknown;
  emit(event: 'diagnostic', d: Diagnostic): boolean;
}

/**
 * Starts what Types declare in `static services` (declarations/services.ts)
 * for every live instance: at start, then after each reload for instances
 * that are new (an edited config makes a new instance; the old one's close()
 * has stopped its services). An instance is started once, whatever the
 * number of reloads; a quarantined one is skipped (its diagnostics say why).
 */
export class ServiceRunner {
  private readonly started = new WeakSet<object>();
  /** After a reload only what it added or changed can need starting: a reload costs what it changed. */
  private readonly onReload = (event: { added: string[]; changed: string[] }) => {
    const infos = [...event.added, ...event.changed].map((id) => this.host.getElementDefine(id)).filter((info): info is ElementInfo => info?.kind === 'instance');
    void this.startAll(infos);
  };
  private running = false;

  constructor(private readonly host: ServiceHost) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.host.on('reload', this.onReload);
    await this.startAll();
  }

  stop(): void {
    this.running = false;
    this.host.off('reload', this.onReload);
  }

  private async startAll(infos: readonly ElementInfo[] = this.host.listElements({ kind: 'instance' })): Promise<void> {
    const starting: Array<Promise<void>> = [];
    for (const info of infos) {
      if (!this.running || info.quarantined) continue;
      let services;
      try {
        services = servicesOf(this.host.getElement(info.type));
      } catch {
        continue; // its Type does not serve: reported with the Type
      }
      if (services.length === 0) continue;
      let instance: Record<string, unknown>;
      try {
        instance = this.host.getElement<Record<string, unknown>>(info.fullName);
      } catch {
        continue; // creation failed: already an INSTANCE_CREATE_FAILED diagnostic
      }
      if (this.started.has(instance)) continue;
      this.started.add(instance);
      for (const service of services) {
        starting.push(
          (async () => {
            try {
              await (instance[service.method] as () => unknown).call(instance);
            } catch (err) {
              this.host.emit('diagnostic', diagnostic('SERVICE_FAILED', `${service.name} did not start: ${thrownMessage(err)}`, { fullName: info.fullName }));
            }
          })(),
        );
      }
    }
    await Promise.all(starting);
  }
}
