import type { HookReply, HookRequest } from '../../../../../runtime/declarations/endpoints.js';
import type { ElementHost } from '../../../../../runtime/element.js';
import type { FSInnerConfig } from '../config.js';
import { DEFAULT_TIMING, EventApplier, type ApplierTiming, type ApplyOutcome } from './applier.js';
import { FSInnerEventErrors } from './errors.js';
import { applyEvent, type EventContext } from './handlers.js';
import { EventInbox, type EventInboxState } from './inbox.js';
import { LongConnection, type LongConnectionStatus } from './long-connection.js';
import type { FSInnerEventModel } from './models.js';
import { receivePush } from './webhook.js';

export interface ContactEventsState extends EventInboxState {
  /** With eventTransport "websocket": this process's side of the long connection. */
  connection?: LongConnectionStatus;
}

/**
 * One instance's contact events, however they arrive:
 *
 *   webhook     POST /hooks/<instance>/events → receivePush (webhook.ts) ─┐
 *   websocket   the long connection, one process per app (long-connection.ts) ─┤→ inbox (durable, deduped)
 *                                                                             └→ applier (one process at a time) → handlers
 *
 * Both transports feed the same inbox; what is recorded is acknowledged, and
 * applied once, oldest first, whichever process received it.
 */
export class ContactEvents {
  readonly inbox: EventInbox;
  private readonly applier: EventApplier;
  private connection: LongConnection | undefined;

  constructor(
    private readonly fullName: string,
    private readonly config: FSInnerConfig,
    private readonly host: ElementHost,
    /** Where the handlers reach the directory and Feishu (built on demand: the instance's collaborators). */
    private readonly context: () => EventContext,
    /** Open API origin for the long connection. */
    private readonly openOrigin: string,
    /** The applier's timing, where a test needs it other than DEFAULT_TIMING (no config field: these are not for deployments to tune). */
    timing: Partial<ApplierTiming> = {},
  ) {
    const now = () => host.now();
    this.inbox = new EventInbox(host.dataSource, fullName, now, () => this.applier.kick());
    this.applier = new EventApplier(this.inbox, (row) => this.apply(row), { dataSource: host.dataSource, name: `${fullName}.eventInbox` }, now, { ...DEFAULT_TIMING, ...timing });
  }

  receivePush(request: HookRequest): Promise<HookReply> {
    return receivePush(request, this.config, this.inbox);
  }

  /** While served: the applier, and with "websocket" the competition for the app's one long connection. */
  async start(): Promise<void> {
    if (this.config.eventTransport === 'none') return;
    this.applier.start();
    if (this.config.eventTransport !== 'websocket' || this.connection) return;
    this.connection = new LongConnection({
      appId: this.config.appId,
      appSecret: this.config.appSecret,
      domain: this.openOrigin,
      dataSource: this.host.dataSource,
      // One per app, not per instance: Feishu hands each event to one connection of the app.
      leaseName: `feishu.longConnection.${this.config.appId}`,
      // Leases run on wall time: they guard real processes, whatever clock the app was given.
      now: Date.now,
      record: (envelope, via) => this.inbox.record(envelope, via),
      log: (line) => this.host.log(`[${this.fullName}] ${line}`),
    });
    await this.connection.start();
  }

  async applyNow(): Promise<void> {
    await this.applier.drainNow();
  }

  async status(): Promise<ContactEventsState> {
    return {
      transport: this.config.eventTransport,
      applying: this.applier.running,
      problem: this.applier.lastProblem,
      ...(await this.inbox.status()),
      ...(this.connection ? { connection: this.connection.status() } : {}),
    };
  }

  async retry(id?: number): Promise<number> {
    const retried = await this.inbox.retry(id);
    if (retried > 0) this.applier.kick();
    return retried;
  }

  /** Lets go of the connection first (no new events), then finishes the event being applied. */
  async close(): Promise<void> {
    await this.connection?.close();
    await this.applier.stop();
  }

  private async apply(row: FSInnerEventModel): Promise<ApplyOutcome> {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(row.payload) as Record<string, unknown>;
    } catch {
      throw FSInnerEventErrors.EVENT_UNAPPLICABLE.create({ type: row.eventType, problem: 'the stored payload is not JSON' });
    }
    return applyEvent(this.context(), { type: row.eventType, createTime: row.createTime, payload });
  }
}
