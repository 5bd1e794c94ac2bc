import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { createDb } from './client.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});

it('survives a connection that loses its server while checked out, and reconnects for the next query', async () => {
  const db = createDb(database.url, 2);
  try {
    await db.connection().execute(async (connection) => {
      const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(connection)).rows[0]
        ?.pid;
      // The server ends this session while the app holds the connection between two statements:
      // the connection's 'error' event, unheard, would end the process (vitest fails the run on it).
      await sql`SELECT pg_terminate_backend(${pid})`.execute(database.ownerDb);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(sql`SELECT 1`.execute(connection)).rejects.toThrow();
    });
    const answer = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(db);
    expect(answer.rows[0]?.ok).toBe(1);
  } finally {
    await db.destroy();
  }
});
