import { sql, type Kysely } from 'kysely';

/**
 * The oversight dashboard's aggregates (R6.1): each London month's disclosures counted by method,
 * recipient and member of staff as they are logged, the part months at either end of a period
 * counted from the index alone, and the recorded decisions without consent or not to share read
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
  // Each London month's disclosures counted by method, recipient and member of staff, kept by the
  // insert that logs each (the log is append-only, so a count only grows): the dashboard reads a
  // year of whole months from a few thousand rows rather than a quarter of a million.
  await sql`
    CREATE TABLE oversight_disclosure_months (
      organisation_id uuid NOT NULL,
      month date NOT NULL CHECK (extract(day FROM month) = 1),
      method text NOT NULL,
      recipient_organisation_id uuid NOT NULL,
      disclosed_by uuid NOT NULL,
      disclosures bigint NOT NULL CHECK (disclosures > 0),
      PRIMARY KEY (organisation_id, month, method, recipient_organisation_id, disclosed_by)
    )`.execute(db);
  await sql`
    CREATE FUNCTION oversight_count_disclosure() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO oversight_disclosure_months AS counted
        (organisation_id, month, method, recipient_organisation_id, disclosed_by, disclosures)
      VALUES (NEW.organisation_id, date_trunc('month', NEW.disclosed_at AT TIME ZONE 'Europe/London')::date,
              NEW.method, NEW.recipient_organisation_id, NEW.disclosed_by, 1)
      ON CONFLICT (organisation_id, month, method, recipient_organisation_id, disclosed_by)
        DO UPDATE SET disclosures = counted.disclosures + 1;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER disclosures_counted AFTER INSERT ON disclosures FOR EACH ROW EXECUTE FUNCTION oversight_count_disclosure()`.execute(
    db,
  );
  await sql`
    INSERT INTO oversight_disclosure_months (organisation_id, month, method, recipient_organisation_id, disclosed_by, disclosures)
    SELECT organisation_id, date_trunc('month', disclosed_at AT TIME ZONE 'Europe/London')::date, method,
           recipient_organisation_id, disclosed_by, count(*)
    FROM disclosures
    GROUP BY 1, 2, 3, 4, 5`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER disclosures_counted ON disclosures`.execute(db);
  await sql`DROP FUNCTION oversight_count_disclosure()`.execute(db);
  await sql`DROP TABLE oversight_disclosure_months`.execute(db);
  await sql`DROP INDEX sharing_approvals_refused_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_not_shared_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_without_consent_idx`.execute(db);
  await sql`DROP INDEX sharing_decisions_recorded_idx`.execute(db);
  await sql`DROP INDEX disclosures_oversight_idx`.execute(db);
}
