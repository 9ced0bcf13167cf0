import { seededRandom } from '../random.js';
import { retryDelayMs } from './retry-schedule.js';
import type { AttemptOutcome, DeliveryState, DeliveryView, EventEnvelope } from './types.js';

/**
 * Every push of every event, and when it is tried again.
 *
 *   enqueue ─▶ queued ─▶ sending ─┬─ ok ─────────────────────────▶ delivered
 *      │  ▲                       └─ fail ─▶ retrying ─(schedule)─▶ queued …  (after the 5th: failed)
 *      ▼  │ resume (fifo | reversed | shuffled)
 *     held  ◀── while paused, nothing is sent; due retries wait here too
 *
 * - One app's pushes go out one at a time, in queue order (each waits for the previous HTTP answer
 *   or ack), so the order a test arranges with pause/resume is the order the receiver sees. Feishu
 *   does not promise contact events in order (§1.7, UNVERIFIED): that is what `reversed` and
 *   `shuffled` are for.
 * - A duplicate is a new delivery of the same envelope (same event_id): Feishu is at-least-once and
 *   re-sends even after a success (§1.7).
 */

export interface SendResult extends AttemptOutcome {
  transport?: 'webhook' | 'websocket';
}

export type ReleaseOrder = 'fifo' | 'reversed' | 'shuffled';

interface Delivery extends Omit<DeliveryView, 'eventId' | 'eventType' | 'appId'> {
  envelope: EventEnvelope;
  appId: string;
  timer?: NodeJS.Timeout;
}

/** Old finished deliveries are forgotten past this many, so a long-running sandbox stays small. */
const MAX_RECORDS = 10_000;

export class DeliveryQueue {
  private records: Delivery[] = [];
  private readonly queues = new Map<string, Delivery[]>();
  private readonly busy = new Set<string>();
  private paused = false;
  private closed = false;
  private nextId = 1;

  constructor(
    private readonly send: (appId: string, envelope: EventEnvelope) => Promise<SendResult>,
    private readonly timeScale: () => number,
  ) {}

  enqueue(appId: string, envelope: EventEnvelope, copy = 1): DeliveryView {
    const delivery: Delivery = { deliveryId: `d${this.nextId++}`, envelope, appId, copy, state: 'queued', attempts: 0, history: [] };
    this.records.push(delivery);
    this.forgetOld();
    this.ready(delivery);
    return view(delivery);
  }

  /** Pushes an event once more, as a copy with the same event_id. */
  duplicate(eventId: string): DeliveryView {
    const original = this.records.find((d) => d.envelope.header.event_id === eventId);
    if (!original) throw new Error(`no event "${eventId}"`);
    const copies = this.records.filter((d) => d.envelope.header.event_id === eventId).length;
    return this.enqueue(original.appId, original.envelope, copies + 1);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
    for (const list of this.queues.values()) for (const d of list) d.state = 'held';
  }

  /** Sends what was held, each app's batch in the order asked for; `seed` makes `shuffled` repeatable. */
  resume(order: ReleaseOrder = 'fifo', seed?: number): void {
    const random = seed === undefined ? Math.random : seededRandom(seed);
    for (const [appId, list] of this.queues) {
      this.queues.set(appId, arrange(list, order, random));
      for (const d of list) d.state = 'queued';
    }
    this.paused = false;
    for (const appId of this.queues.keys()) this.pump(appId);
  }

  list(filter: { appId?: string; eventId?: string; eventType?: string } = {}): DeliveryView[] {
    return this.records
      .filter((d) => (!filter.appId || d.appId === filter.appId) && (!filter.eventId || d.envelope.header.event_id === filter.eventId) && (!filter.eventType || d.envelope.header.event_type === filter.eventType))
      .map(view);
  }

  close(): void {
    this.closed = true;
    for (const d of this.records) clearTimeout(d.timer);
    this.queues.clear();
  }

  private ready(delivery: Delivery): void {
    delivery.nextAttemptAt = undefined;
    delivery.state = this.paused ? 'held' : 'queued';
    const list = this.queues.get(delivery.appId) ?? [];
    list.push(delivery);
    this.queues.set(delivery.appId, list);
    this.pump(delivery.appId);
  }

  private pump(appId: string): void {
    if (this.paused || this.closed || this.busy.has(appId)) return;
    const next = this.queues.get(appId)?.shift();
    if (!next) return;
    this.busy.add(appId);
    void this.attempt(next).finally(() => {
      this.busy.delete(appId);
      this.pump(appId);
    });
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.state = 'sending';
    delivery.attempts++;
    const at = Date.now();
    const outcome = await this.send(delivery.appId, delivery.envelope).catch((): SendResult => ({ ok: false, status: 'network_error' }));
    if (this.closed) return;
    delivery.history.push({ at, status: outcome.status });
    delivery.lastStatus = outcome.status;
    if (outcome.transport) delivery.transport = outcome.transport;
    if (outcome.ok) {
      delivery.state = 'delivered';
      return;
    }
    const delay = retryDelayMs(delivery.attempts, this.timeScale());
    if (delay === undefined) {
      delivery.state = 'failed';
      return;
    }
    delivery.state = 'retrying';
    delivery.nextAttemptAt = Date.now() + delay;
    // A 6-hour retry must not keep a test process (or `jit sandbox`) alive on its own.
    delivery.timer = setTimeout(() => this.ready(delivery), delay);
    delivery.timer.unref();
  }

  private forgetOld(): void {
    if (this.records.length <= MAX_RECORDS) return;
    const settled = new Set<DeliveryState>(['delivered', 'failed']);
    this.records = this.records.filter((d, i) => i >= this.records.length - MAX_RECORDS || !settled.has(d.state));
  }
}

function arrange<T>(list: T[], order: ReleaseOrder, random: () => number): T[] {
  if (order === 'fifo' || list.length < 2) return list;
  if (order === 'reversed') return [...list].reverse();
  // A "shuffled" batch is never left as it was: a test asking for disorder gets disorder.
  let shuffled = list;
  while (shuffled.every((item, i) => item === list[i])) {
    shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
  }
  return shuffled;
}

function view(d: Delivery): DeliveryView {
  return {
    deliveryId: d.deliveryId,
    eventId: d.envelope.header.event_id,
    eventType: d.envelope.header.event_type,
    appId: d.appId,
    copy: d.copy,
    state: d.state,
    attempts: d.attempts,
    ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}),
    ...(d.transport ? { transport: d.transport } : {}),
    history: d.history.map((h) => ({ ...h })),
    ...(d.nextAttemptAt !== undefined ? { nextAttemptAt: d.nextAttemptAt } : {}),
  };
}
