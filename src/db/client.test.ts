import { sql, type Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { createDb, type Db } from './client.ts';
import type { Database } from './database.ts';

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

/** The statements prepared on the connection `execute` runs on, by their text. */
async function preparedOn(db: Db, run: (connection: Kysely<Database>) => Promise<void>): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await run(connection);
    const rows = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(
      connection,
    );
    return rows.rows.map((row) => row.statement);
  });
}

it('prepares the statements it runs with parameters once a connection, and leaves those that return * unprepared', async () => {
  const db = createDb(database.url, 1);
  try {
    const statements = await preparedOn(db, async (connection) => {
      for (const id of [1, 2, 3]) {
        const found = await connection
          .selectFrom('organisations')
          .select(['id', 'name'])
          .where('name', '=', `Council ${String(id)}`)
          .execute();
        expect(found).toEqual([]);
      }
      await connection.selectFrom('organisations').selectAll().where('name', '=', 'Council 4').execute();
    });
    // One statement prepared for the three runs; the one returning * is not, so a column a later
    // migration adds cannot make PostgreSQL refuse it on this connection.
    expect(statements.filter((text) => text.includes('"organisations"'))).toEqual([
      'select "id", "name" from "organisations" where "name" = $1',
    ]);
  } finally {
    await db.destroy();
  }
  const unprepared = createDb(database.url, 1, { preparedStatements: false });
  try {
    const statements = await preparedOn(unprepared, async (connection) => {
      await connection.selectFrom('organisations').select('id').where('name', '=', 'Council 5').execute();
    });
    expect(statements).toEqual([]);
  } finally {
    await unprepared.destroy();
  }
});
