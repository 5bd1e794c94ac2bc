import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/database.ts';

/**
 * Runs repository reads against the database at `url` through a Kysely that keeps each statement,
 * then asks PostgreSQL how it would run them, sequential scans forbidden: with a test's few rows a
 * scan is cheapest, so forbidding it shows whether an index can serve the query at scale.
 */
export async function plansOf(
  url: string,
  read: (db: Kysely<Database>) => Promise<unknown>,
): Promise<string[]> {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query')
        statements.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  try {
    await read(logged);
    const plans: string[] = [];
    for (const statement of statements) {
      const client = await pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.sql}`, [
          ...statement.parameters,
        ]);
        plans.push(result.rows.map((row) => row['QUERY PLAN']).join('\n'));
      } finally {
        client.release();
      }
    }
    return plans;
  } finally {
    await logged.destroy();
  }
}
