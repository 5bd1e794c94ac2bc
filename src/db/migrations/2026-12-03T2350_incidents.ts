import { sql, type Kysely } from 'kysely';

/**
 * The incident register (R5.1 to R5.4): what happened, when it happened and when the organisation
 * became aware (the 72-hour clock of UK GDPR Article 33 runs from awareness), what information and
 * how many people, and what was done; the Data Protection Officer's grading, the report to the
 * Information Commissioner's Office with its reference and time (and the reason for a late one),
 * and the closure with lessons learned. Every change is an audit event; the row holds the latest state.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE incident_reference_seq`.execute(db);
  await sql`
    CREATE TABLE incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('INC-' || lpad(nextval('incident_reference_seq')::text, 7, '0')),
      kind text NOT NULL CHECK (kind IN ('lost-or-stolen', 'wrong-recipient', 'unauthorised-access', 'disclosed-in-error', 'technical', 'other')),
      what_happened text NOT NULL CHECK (length(what_happened) BETWEEN 1 AND 4000),
      happened_on date NOT NULL,
      aware_at timestamptz NOT NULL,
      information text NOT NULL CHECK (length(information) BETWEEN 1 AND 4000),
      people_affected integer NOT NULL CHECK (people_affected BETWEEN 0 AND 100000000),
      people_estimated boolean NOT NULL,
      actions_taken text NOT NULL CHECK (length(actions_taken) BETWEEN 1 AND 4000),
      disclosure_id uuid REFERENCES disclosures (id),
      reported_by uuid NOT NULL REFERENCES users (id),
      reported_at timestamptz NOT NULL,
      likelihood smallint CHECK (likelihood BETWEEN 1 AND 5),
      severity smallint CHECK (severity BETWEEN 1 AND 5),
      outcome text CHECK (outcome IN ('not-reportable', 'report', 'report-and-tell')),
      not_reportable_reasons text CHECK (not_reportable_reasons IS NULL OR length(not_reportable_reasons) BETWEEN 1 AND 4000),
      graded_by uuid REFERENCES users (id),
      graded_at timestamptz,
      ico_reported_at timestamptz,
      ico_reference text CHECK (ico_reference IS NULL OR length(ico_reference) BETWEEN 1 AND 100),
      late_reason text CHECK (late_reason IS NULL OR length(late_reason) BETWEEN 1 AND 4000),
      ico_recorded_by uuid REFERENCES users (id),
      lessons text CHECK (lessons IS NULL OR length(lessons) BETWEEN 1 AND 4000),
      hr_referral boolean,
      closed_by uuid REFERENCES users (id),
      closed_at timestamptz,
      reminders_sent smallint NOT NULL DEFAULT 0 CHECK (reminders_sent BETWEEN 0 AND 3),
      CHECK (aware_at <= reported_at),
      CHECK ((outcome IS NULL) = (graded_at IS NULL)),
      CHECK (outcome IS DISTINCT FROM 'not-reportable' OR not_reportable_reasons IS NOT NULL),
      CHECK ((ico_reported_at IS NULL) = (ico_reference IS NULL)),
      CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
      CHECK (closed_at IS NULL OR (lessons IS NOT NULL AND outcome IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX incidents_open_idx ON incidents (organisation_id, aware_at) WHERE closed_at IS NULL`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the incidents migration cannot be reversed: restore from a backup instead');
}
