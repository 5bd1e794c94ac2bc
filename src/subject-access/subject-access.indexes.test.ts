import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import type { Database } from '../db/database.ts';
import { readActions } from './subject-access.report.ts';
import * as store from './subject-access.repository.ts';

/**
 * The report reads one person's history, one query per kind: each must find its rows through an
 * index (the person's, or the decisions'), never by scanning a table that grows with every share.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});

/** Runs repository reads through a Kysely that keeps each statement, then asks PostgreSQL how it would run them. */
async function plansOf(read: (db: Kysely<Database>) => Promise<unknown>): Promise<string[]> {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
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
      // With empty tables a sequential scan is cheapest; forbidding it shows whether an index can serve the query at scale.
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

describe('the subject access report reads through indexes', () => {
  it('reads decisions, disclosures, consent, its history, the reads and the register without scanning a table', async () => {
    const person = randomUUID();
    const organisation = randomUUID();
    const plans = await plansOf(async (db) => {
      await store.decisionsAbout(db, person);
      await store.disclosuresAbout(db, person);
      await store.consentsOf(db, person);
      await store.consentEventsOf(db, person);
      await store.readsOf(db, organisation, person, readActions);
      await store.requestsOf(db, organisation);
      await store.findRequest(db, organisation, randomUUID());
    });
    expect(plans).toHaveLength(7);
    // The reads of the record: by the person's index, not a walk of the organisation's whole chain.
    expect(plans[4]).toMatch(/audit_events_person_idx/);
    expect(plans[0]).toMatch(/sharing_decision_people_person_idx/);
    for (const plan of plans)
      expect(plan).not.toMatch(
        /Seq Scan on (sharing_decision_people|sharing_decisions|disclosures|consents|consent_events|audit_events|subject_access_requests)\b/,
      );
  });
});
