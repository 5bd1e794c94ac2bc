import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { plansOf } from '../../test/support/query-plans.ts';
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

describe('the subject access report reads through indexes', () => {
  it('reads decisions, disclosures, consent, its history, the reads and the register without scanning a table', async () => {
    const person = randomUUID();
    const organisation = randomUUID();
    const plans = await plansOf(database.url, async (db) => {
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
