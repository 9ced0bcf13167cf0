import { Column, Entity, PrimaryColumn } from 'typeorm';
import { idColumn, timeColumn } from './columns.js';

/** A named lease: who may run a cluster-wide singleton job (a full organization sync) until when. */
@Entity({ name: 'jit_lease' })
export class LeaseModel {
  @PrimaryColumn(idColumn(200))
  name!: string;

  @Column(idColumn(64))
  holder!: string;

  @Column(timeColumn())
  expiresAt!: number;
}
