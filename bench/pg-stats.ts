import pg from 'pg';

/** Committed transactions on a PostgreSQL database so far (pg_stat_database; each statement outside a transaction counts as one; it lags up to ~1 s). 0 without a URL. */
export async function pgCommits(url: string | undefined): Promise<number> {
  if (!url) return 0;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.xact_commit ?? 0);
  } finally {
    await client.end();
  }
}
