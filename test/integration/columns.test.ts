import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { listedColumns } from '../../src/db/columns.ts';
import { testApp, type TestContext } from '../support/harness.ts';

/**
 * The hot reads name every column of their table rather than select `table.*`, so that they can be
 * prepared (ADR 0036). A column a migration adds and the list leaves out would be silently missing
 * from what they read: each list must be exactly the database's columns.
 */
let context: TestContext;

beforeAll(async () => {
  // Building the app loads every repository, and so every list.
  context = await testApp();
});

it('lists, for each table read by naming its columns, exactly the columns the database has', async () => {
  expect([...listedColumns.keys()].sort()).toEqual([
    'consents',
    'disclosures',
    'sharing_advice_requests',
    'sharing_approvals',
    'sharing_decisions',
  ]);
  for (const [table, columns] of listedColumns) {
    const result = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table}`.execute(context.db);
    expect({ table, columns: [...columns].sort() }).toEqual({
      table,
      columns: result.rows.map((row) => row.column_name).sort(),
    });
  }
});
