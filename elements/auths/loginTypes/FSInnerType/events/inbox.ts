import type { DataSource } from 'typeorm';
import type { Code } from '../../../../../runtime/errcode.js';
import type { FSInnerConfig } from '../config.js';
import { readEnvelope, withoutToken } from './envelope.js';
import { FSInnerEventErrors } from './errors.js';
import { FSInnerEventModel, type EventStatus, type EventVia } from './models.js';

/** What `text` holds on MariaDB, the smallest of the three engines: the same limit everywhere. */
export const MAX_PAYLOAD_BYTES = 65_535;

/** Failed events eventStatus lists, newest first. */
const FAILED_LISTED = 20;

export interface EventInboxStatus {
  counts: Record<EventStatus, number>;
  /** Re-deliveries recorded once (Feishu delivers at least once; several processes may receive the same push). */
  duplicates: number;
  /** When the newest event was received; null before the first. */
  lastEventAt: number | null;
  /** How long the oldest pending event has waited (0 when none is pending). */
  lagMs: number;
  /** Failed events with why, newest first (never their payload). */
  failed: Array<{ id: number; key: string; type: string; attempts: number; code: number | null; reason: string | null; receivedAt: number }>;
}

/** eventStatus(): the inbox, how events arrive, and whether this process applies them. */
export interface EventInboxState extends EventInboxStatus {
  transport: FSInnerConfig['eventTransport'];
  /** This process applies events (the service runs). */
  applying: boolean;
  /** Why the last drain failed (the database, say); null when it did not. */
  problem: string | null;
}

/** How an applier left an event: settled for good, or back to pending until `retryAt`. */
export type Settlement = { status: Exclude<EventStatus, 'pending'>; reason?: Code | Error } | { status: 'pending'; retryAt: number; reason: Code | Error };

/**
 * The durable inbox of one instance's contact events (FSInnerEventModel). `record` is the one way
 * in, for the webhook (webhook.ts) and the long connection alike: it commits the row before it
 * resolves, so whoever acknowledges the push after it has the event on disk. The applier
 * (applier.ts) takes rows out with claims; an administrator puts failed ones back (`retry`).
 */
export class EventInbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly instance: string,
    private readonly now: () => number,
    /** Told after each new row is committed (the applier's kick); never awaited. */
    private readonly onRecorded: () => void = () => undefined,
  ) {}

  /**
   * Records a plaintext v1 or v2 envelope (envelope.ts) once per dedupe key: a second delivery of
   * the key, from this process or another, is counted as a duplicate and changes nothing else.
   * Throws EVENT_MALFORMED for anything else. The verification token is never stored.
   */
  async record(envelope: object, via: EventVia): Promise<{ duplicate: boolean }> {
    const read = readEnvelope(envelope);
    if (read.kind !== 'event') throw FSInnerEventErrors.EVENT_MALFORMED.create({ problem: 'a url_verification is answered, not recorded' });
    const now = this.now();
    const stored = withoutToken(read);
    let payload = JSON.stringify(stored);
    let refused: Code | undefined;
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > MAX_PAYLOAD_BYTES) {
      // Kept as a record (dedupe, and the admin sees it) without the body no database here could hold.
      const { event: _body, ...envelopeOnly } = stored;
      payload = JSON.stringify(envelopeOnly);
      refused = FSInnerEventErrors.EVENT_PAYLOAD_TOO_LARGE.create({ bytes, limit: MAX_PAYLOAD_BYTES });
    }
    const repository = this.dataSource.getRepository(FSInnerEventModel);
    try {
      await repository.insert({
        instance: this.instance,
        eventKey: read.key,
        eventType: read.type,
        createTime: read.createTime,
        sortAt: read.createTime ?? now,
        via,
        payload,
        status: refused ? 'failed' : 'pending',
        attempts: 0,
        duplicates: 0,
        lastError: refused?.message ?? null,
        lastErrorCode: refused?.code ?? null,
        claimedBy: null,
        claimedUntil: null,
        receivedAt: now,
        settledAt: refused ? now : null,
        updatedAt: now,
      });
    } catch (err) {
      // A unique violation reads differently on every engine; that the row is there is what counts.
      const counted = await this.dataSource
        .createQueryBuilder()
        .update(FSInnerEventModel)
        .set({ duplicates: () => 'duplicates + 1' })
        .where('instance = :instance AND eventKey = :key', { instance: this.instance, key: read.key })
        .execute();
      if (counted.affected === 1) return { duplicate: true };
      throw err;
    }
    if (!refused) this.onRecorded();
    return { duplicate: false };
  }

  /** Ids of pending events free to claim now, oldest create_time first. */
  async claimable(limit: number): Promise<number[]> {
    const rows = await this.dataSource
      .getRepository(FSInnerEventModel)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where('e.instance = :instance AND e.status = :pending AND (e.claimedUntil IS NULL OR e.claimedUntil < :now)', { instance: this.instance, pending: 'pending', now: this.now() })
      .orderBy('e.sortAt', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string }>();
    return rows.map((r) => Number(r.id));
  }

  /**
   * Takes one pending event for `holder` until now + ttlMs: one conditional UPDATE, so of two
   * processes claiming the same row exactly one gets it. Counts the attempt. Null when it is
   * taken, settled, or waiting out a retry delay.
   */
  async claim(id: number, holder: string, ttlMs: number): Promise<FSInnerEventModel | null> {
    const now = this.now();
    const result = await this.dataSource
      .createQueryBuilder()
      .update(FSInnerEventModel)
      .set({ claimedBy: holder, claimedUntil: now + ttlMs, attempts: () => 'attempts + 1', updatedAt: now })
      .where('id = :id AND instance = :instance AND status = :pending AND (claimedUntil IS NULL OR claimedUntil < :now)', { id, instance: this.instance, pending: 'pending', now })
      .execute();
    if (result.affected !== 1) return null;
    return this.dataSource.getRepository(FSInnerEventModel).findOneBy({ id, claimedBy: holder });
  }

  /** Extends `holder`'s claim to now + ttlMs; nothing if it is no longer theirs (run out and taken, or settled). */
  async renewClaim(id: number, holder: string, ttlMs: number): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(FSInnerEventModel)
      .set({ claimedUntil: this.now() + ttlMs })
      .where('id = :id AND claimedBy = :holder AND status = :pending', { id, holder, pending: 'pending' })
      .execute();
  }

  /** Ends a claim: settled for good, or pending again until retryAt. A claim lost meanwhile (expired and taken) changes nothing. */
  async settle(id: number, holder: string, settlement: Settlement): Promise<void> {
    const now = this.now();
    const reason = settlement.reason;
    const common = { claimedBy: null, lastError: reason ? reason.message.slice(0, 1000) : null, lastErrorCode: reason && 'code' in reason && typeof reason.code === 'number' ? reason.code : null, updatedAt: now };
    const set = settlement.status === 'pending' ? { ...common, claimedUntil: settlement.retryAt } : { ...common, status: settlement.status, claimedUntil: null, settledAt: now };
    await this.dataSource.createQueryBuilder().update(FSInnerEventModel).set(set).where('id = :id AND claimedBy = :holder', { id, holder }).execute();
  }

  /**
   * Puts failed (and ignored) events back to pending with their attempts reset: one by id, or
   * every failed one. EVENT_NOT_FOUND, EVENT_NOT_RETRYABLE for an event in another state.
   */
  async retry(id?: number): Promise<number> {
    const repository = this.dataSource.getRepository(FSInnerEventModel);
    const reset = { status: 'pending' as const, attempts: 0, claimedBy: null, claimedUntil: null, lastError: null, lastErrorCode: null, settledAt: null, updatedAt: this.now() };
    if (id === undefined) {
      const result = await this.dataSource.createQueryBuilder().update(FSInnerEventModel).set(reset).where('instance = :instance AND status = :failed', { instance: this.instance, failed: 'failed' }).execute();
      return result.affected ?? 0;
    }
    const row = await repository.findOneBy({ instance: this.instance, id });
    if (!row) throw FSInnerEventErrors.EVENT_NOT_FOUND.create({ id });
    if (row.status !== 'failed' && row.status !== 'ignored') throw FSInnerEventErrors.EVENT_NOT_RETRYABLE.create({ id, status: row.status });
    const result = await this.dataSource.createQueryBuilder().update(FSInnerEventModel).set(reset).where('id = :id AND status = :status', { id, status: row.status }).execute();
    return result.affected ?? 0;
  }

  async status(): Promise<EventInboxStatus> {
    const repository = this.dataSource.getRepository(FSInnerEventModel);
    const groups = await repository
      .createQueryBuilder('e')
      .select('e.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(e.duplicates)', 'duplicates')
      .addSelect('MAX(e.receivedAt)', 'last')
      .addSelect('MIN(e.receivedAt)', 'first')
      .where('e.instance = :instance', { instance: this.instance })
      .groupBy('e.status')
      .getRawMany<{ status: EventStatus; n: string | number; duplicates: string | number | null; last: string | number | null; first: string | number | null }>();
    const counts: Record<EventStatus, number> = { pending: 0, applied: 0, stale: 0, failed: 0, ignored: 0 };
    let duplicates = 0;
    let lastEventAt: number | null = null;
    let oldestPending: number | null = null;
    for (const g of groups) {
      counts[g.status] = Number(g.n);
      duplicates += Number(g.duplicates ?? 0);
      if (g.last !== null) lastEventAt = Math.max(lastEventAt ?? 0, Number(g.last));
      if (g.status === 'pending' && g.first !== null) oldestPending = Number(g.first);
    }
    const failed = await repository.find({
      select: { id: true, eventKey: true, eventType: true, attempts: true, lastErrorCode: true, lastError: true, receivedAt: true },
      where: { instance: this.instance, status: 'failed' },
      order: { id: 'DESC' },
      take: FAILED_LISTED,
    });
    return {
      counts,
      duplicates,
      lastEventAt,
      lagMs: oldestPending === null ? 0 : Math.max(0, this.now() - oldestPending),
      failed: failed.map((r) => ({ id: r.id, key: r.eventKey, type: r.eventType, attempts: r.attempts, code: r.lastErrorCode, reason: r.lastError, receivedAt: r.receivedAt })),
    };
  }
}
