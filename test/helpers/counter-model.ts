import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tiny model a fixture Type persists through. */
@Entity({ name: 'fixture_counter' })
export class CounterModel {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id!: string;

  @Column({ type: 'integer', default: 0 })
  count!: number;
}

/** The same table one release later: a new column, the old rows must survive. */
@Entity({ name: 'fixture_counter' })
export class CounterModelV2 {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id!: string;

  @Column({ type: 'integer', default: 0 })
  count!: number;

  @Column({ type: 'varchar', length: 50, nullable: true })
  label!: string | null;
}

/** A Type module source whose instances count visits in the database. */
export const counterTypeModule = (model: 'CounterModel' | 'CounterModelV2') => `
import { ${model} } from '${process.cwd()}/test/helpers/counter-model.ts';
export function extend(Base: any) {
  return class Counter extends Base {
    static entities = [${model}];
    async visit(): Promise<number> {
      const repo = this.host.dataSource.getRepository(${model});
      const row = (await repo.findOneBy({ id: this.fullName })) ?? repo.create({ id: this.fullName, count: 0 });
      row.count += 1;
      await repo.save(row);
      return row.count;
    }
  };
}
`;
