import type { ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Column shapes that behave the same on SQLite, PostgreSQL and MySQL/MariaDB.
 *
 * Times are stored as epoch milliseconds in a bigint: no time-zone conversion
 * differs between drivers, and comparisons in SQL stay plain integer ones.
 * PostgreSQL hands bigints back as strings, hence the transformer.
 */
const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

export const timeColumn = (options: { nullable?: boolean } = {}): ColumnOptions => ({ type: 'bigint', transformer: epochMs, nullable: options.nullable ?? false });

/** Short identifiers (Feishu ids are ≤ 64 chars; element ids ≤ 200); usable as primary key. */
export const idColumn = (length = 64) => ({ type: 'varchar', length }) as const;

/** Free text of unbounded length (user tokens are 1–2 KB JWTs; JSON blobs). */
export const textColumn = (options: { nullable?: boolean } = {}): ColumnOptions => ({ type: 'text', nullable: options.nullable ?? true });

export const stringColumn = (length = 255, options: { nullable?: boolean } = {}): ColumnOptions => ({ type: 'varchar', length, nullable: options.nullable ?? true });

export const boolColumn = (defaultValue = false): ColumnOptions => ({ type: 'boolean', default: defaultValue });

export const intColumn = (options: { nullable?: boolean; default?: number } = {}): ColumnOptions => ({
  type: 'integer',
  nullable: options.nullable ?? false,
  ...(options.default !== undefined ? { default: options.default } : {}),
});
