import { sql, type Kysely } from 'kysely';

/**
 * Telling the people affected (UK GDPR Art 34) waits on a safety check: could telling them put a
 * child at risk? The DPO records the answer with reasons, then that the people were told (and how),
 * or, where telling them would put a child at risk, that they were not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE incidents
      ADD COLUMN safety_risk boolean,
      ADD COLUMN safety_reasons text CHECK (safety_reasons IS NULL OR length(safety_reasons) BETWEEN 1 AND 4000),
      ADD COLUMN safety_checked_by uuid REFERENCES users (id),
      ADD COLUMN safety_checked_at timestamptz,
      ADD COLUMN told_how text CHECK (told_how IS NULL OR length(told_how) BETWEEN 1 AND 2000),
      ADD COLUMN told_by uuid REFERENCES users (id),
      ADD COLUMN told_at timestamptz,
      ADD CONSTRAINT incidents_safety_check_whole CHECK ((safety_risk IS NULL) = (safety_checked_at IS NULL) AND (safety_risk IS NULL) = (safety_reasons IS NULL)),
      ADD CONSTRAINT incidents_told_after_check CHECK (told_at IS NULL OR safety_risk = false)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE incidents
      DROP CONSTRAINT incidents_told_after_check,
      DROP CONSTRAINT incidents_safety_check_whole,
      DROP COLUMN told_at, DROP COLUMN told_by, DROP COLUMN told_how,
      DROP COLUMN safety_checked_at, DROP COLUMN safety_checked_by, DROP COLUMN safety_reasons,
      DROP COLUMN safety_risk`.execute(db);
}
