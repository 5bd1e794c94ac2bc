import { sql, type Kysely } from 'kysely';

/**
 * The oversight dashboard's aggregates (R6.1): a month's disclosures counted by month, method and
 * recipient from the index alone, and the recorded decisions without consent or not to share read
 * through small partial indexes, so that the page stays quick with a million disclosures.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX disclosures_oversight_idx ON disclosures (organisation_id, disclosed_at) INCLUDE (method, recipient_organisation_id, disclosed_by)`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_decisions_recorded_idx ON sharing_decisions (organisation_id, recorded_at) INCLUDE (outcome, recorded_by) WHERE status = 'recorded'`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_decisions_without_consent_idx ON sharing_decisions (organisation_id, recorded_at) INCLUDE (recorded_by) WHERE status = 'recorded' AND outcome IN ('share', 'share-in-part') AND (assessment ->> 'withoutConsent') = 'true'`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_decisions_not_shared_idx ON sharing_decisions (organisation_id, recorded_at) INCLUDE (recorded_by) WHERE status = 'recorded' AND outcome = 'not-share'`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_approvals_refused_idx ON sharing_approvals (organisation_id, decided_at) WHERE status = 'refused'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX sharing_approvals_refused_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_not_shared_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_without_consent_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_recorded_idx`.execute(db);
  await sql`DROP INDEX disclosures_oversight_idx`.execute(db);
}
