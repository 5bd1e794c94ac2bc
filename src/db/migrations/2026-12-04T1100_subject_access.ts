import { sql, type Kysely } from 'kysely';

/**
 * The register of subject access requests (UK GDPR Art 15) kept by the DPO and the information
 * governance lead: who asked about whom, how their identity was checked, the one-month deadline and
 * its one extension (Art 12(3)), how the request was closed, and when its report was last produced.
 * Requests are closed, never deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE subject_access_reference_seq`.execute(db);
  await sql`
    CREATE TABLE subject_access_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('SAR-' || lpad(nextval('subject_access_reference_seq')::text, 7, '0')),
      person_id uuid NOT NULL REFERENCES people (id),
      requester_kind text NOT NULL CHECK (requester_kind IN ('self', 'parental-responsibility')),
      requester_name text CHECK (length(requester_name) BETWEEN 1 AND 200),
      requester_relationship text CHECK (length(requester_relationship) BETWEEN 1 AND 60),
      received_on date NOT NULL,
      verification text NOT NULL CHECK (length(verification) BETWEEN 1 AND 2000),
      verified_on date NOT NULL,
      due_on date NOT NULL,
      extended_to date,
      extension_reason text CHECK (length(extension_reason) BETWEEN 1 AND 2000),
      requester_told_on date,
      extended_by uuid REFERENCES users (id),
      extended_at timestamptz,
      status text NOT NULL CHECK (status IN ('open', 'answered', 'refused')),
      answered_on date,
      refused_on date,
      refusal_reason text CHECK (length(refusal_reason) BETWEEN 1 AND 2000),
      closed_by uuid REFERENCES users (id),
      closed_at timestamptz,
      report_produced_at timestamptz,
      report_produced_by uuid REFERENCES users (id),
      reports_produced integer NOT NULL DEFAULT 0 CHECK (reports_produced >= 0),
      recorded_by uuid NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL,
      CHECK (due_on > received_on AND verified_on >= received_on),
      CHECK ((requester_kind = 'self') = (requester_name IS NULL AND requester_relationship IS NULL)),
      CHECK ((extended_to IS NULL) = (extension_reason IS NULL)),
      CHECK ((extended_to IS NULL) = (requester_told_on IS NULL)),
      CHECK (extended_to IS NULL OR (extended_to > due_on AND requester_told_on <= due_on)),
      CHECK ((status = 'answered') = (answered_on IS NOT NULL)),
      CHECK ((status = 'refused') = (refused_on IS NOT NULL AND refusal_reason IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX subject_access_requests_organisation_idx ON subject_access_requests (organisation_id, status, due_on)`.execute(
    db,
  );
  await sql`CREATE INDEX subject_access_requests_person_idx ON subject_access_requests (person_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE subject_access_requests`.execute(db);
  await sql`DROP SEQUENCE subject_access_reference_seq`.execute(db);
}
