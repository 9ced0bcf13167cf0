import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, intColumn, stringColumn, textColumn, timeColumn } from '../../../../../runtime/db/columns.js';

export type EventStatus = 'pending' | 'applied' | 'stale' | 'failed' | 'ignored';
export type EventVia = 'webhook' | 'websocket';

/**
 * One contact event as received (the durable inbox, inbox.ts). A push is acknowledged only once its
 * row is committed; the unique (instance, eventKey) makes a re-delivery, from any process, a
 * duplicate rather than a second row. The payload is the decrypted envelope without the
 * verification token: personal data, no secret. Plain text, not a JSON column (MariaDB has none
 * that behaves like the others'), at most 65,535 bytes (what `text` holds on MariaDB).
 */
@Entity({ name: 'FSInnerEventModel' })
@Index(['instance', 'eventKey'], { unique: true })
@Index(['instance', 'status', 'sortAt'])
export class FSInnerEventModel {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column(idColumn(200))
  instance!: string;

  /** v2 header.event_id, v1 uuid. */
  @Column(idColumn(128))
  eventKey!: string;

  @Column(idColumn(128))
  eventType!: string;

  /** Feishu's create_time in epoch ms; null when the push carried none that could be read. */
  @Column(timeColumn({ nullable: true }))
  createTime!: number | null;

  /** Application order: createTime, else when it was received (NULL ordering differs between engines). */
  @Column(timeColumn())
  sortAt!: number;

  @Column(stringColumn(16, { nullable: false }))
  via!: EventVia;

  @Column(textColumn({ nullable: false }))
  payload!: string;

  @Column(stringColumn(16, { nullable: false }))
  status!: EventStatus;

  /** Claims so far, a crashed one included. */
  @Column(intColumn({ default: 0 }))
  attempts!: number;

  /** Re-deliveries of the same key that were not recorded again. */
  @Column(intColumn({ default: 0 }))
  duplicates!: number;

  /** Why it is failed, ignored or stale, or why the last attempt failed (a Code's message: no payload, no secret). */
  @Column(textColumn())
  lastError!: string | null;

  /** The Code of lastError, when it was one. */
  @Column(intColumn({ nullable: true }))
  lastErrorCode!: number | null;

  /** Which applier holds it; with claimedUntil, a claim. A row left claimed by a crashed process is free again after claimedUntil. */
  @Column(stringColumn(64))
  claimedBy!: string | null;

  /** While pending: claimed until, or (claimedBy null) not to be tried before, after a failed attempt. */
  @Column(timeColumn({ nullable: true }))
  claimedUntil!: number | null;

  @Column(timeColumn())
  receivedAt!: number;

  /** When it reached applied, stale, failed or ignored. */
  @Column(timeColumn({ nullable: true }))
  settledAt!: number | null;

  @Column(timeColumn())
  updatedAt!: number;
}
