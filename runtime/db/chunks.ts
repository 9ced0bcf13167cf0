/**
 * Ids per `IN (…)` list of one statement: keeps a large batch far below every
 * engine's placeholder limit (SQLite 32766, PostgreSQL and MySQL 65535) while
 * a batch of a few hundred still costs a single round trip.
 */
export const IDS_PER_STATEMENT = 500;

/** `items` in consecutive slices of at most `size`; nothing for an empty list. */
export function* chunksOf<T>(items: readonly T[], size = IDS_PER_STATEMENT): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
