import { Column, Entity, PrimaryColumn } from 'typeorm';
import { idColumn, textColumn, timeColumn } from '../db/columns.js';

/**
 * A value every process of the app reads, with an expiry (shared-values.ts): a cached token,
 * sealed by its owner before it is stored; a claim that one process is fetching it.
 */
@Entity({ name: 'jit_shared_value' })
export class SharedValueModel {
  @PrimaryColumn(idColumn(255))
  name!: string;

  @Column(textColumn())
  value!: string | null;

  @Column(timeColumn())
  expiresAt!: number;
}
