import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

/** The three engine families a migration carries SQL for. */
export type EngineFamily = 'postgres' | 'mysql' | 'sqlite';

export interface MigrationSql {
  up: string[];
  down: string[];
}

export type MigrationClass = new () => MigrationInterface;

export function engineFamily(type: string): EngineFamily {
  if (type === 'postgres') return 'postgres';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3' || type === 'sqlite') return 'sqlite';
  throw new Error(`No migrations for database type ${type}`);
}

/**
 * A TypeORM migration holding generated SQL for every engine (see
 * scripts/generate-migration.ts); it runs the statements of the engine it is
 * connected to. `name` must end in a 13-digit timestamp (TypeORM's rule), which
 * also orders migrations across owners (runtime, each Type).
 */
export function portableMigration(name: string, sql: Record<EngineFamily, MigrationSql>): MigrationClass {
  if (!/\d{13}$/.test(name)) throw new Error(`Migration name ${name} must end with a 13-digit timestamp`);
  return class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of sql[engineFamily(queryRunner.connection.options.type)].up) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of sql[engineFamily(queryRunner.connection.options.type)].down) await queryRunner.query(statement);
    }
  };
}

/** Names of migrations this DataSource knows but has not applied yet. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const table = dataSource.options.migrationsTableName ?? 'migrations';
    const exists = await queryRunner.hasTable(table);
    const applied = new Set<string>(exists ? (await queryRunner.query(`SELECT name FROM ${dataSource.driver.escape(table)}`)).map((r: { name: string }) => r.name) : []);
    return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
  } finally {
    await queryRunner.release();
  }
}

/** SQL the entities still need after every migration ran; empty when migrations cover the models. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}
