import { sql, type Kysely } from 'kysely';

/**
 * Three links the source policy asks for. A containment action can disable an account (R5.2), done
 * by an administrator or the IT service desk, or asked of the desk as a task. The officers the DPO
 * told of an incident are recorded (R5.4): a member of staff, who may then read it, or someone
 * outside Safeshare, with how they were told. A hand-over in person names the off-site log entry the
 * information was carried under (R4.3.3).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE incident_actions ADD COLUMN account_id uuid REFERENCES users (id)`.execute(db);
  await sql`ALTER TABLE incident_actions DROP CONSTRAINT incident_actions_kind_check`.execute(db);
  await sql`
    ALTER TABLE incident_actions
      ADD CONSTRAINT incident_actions_kind_check
        CHECK (kind IN ('recall-package', 'retrieve', 'disable-account', 'other')),
      ADD CONSTRAINT incident_actions_account_check
        CHECK ((kind = 'disable-account') = (account_id IS NOT NULL))`.execute(db);
  await sql`
    CREATE TABLE incident_officers_told (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      incident_id uuid NOT NULL REFERENCES incidents (id),
      user_id uuid REFERENCES users (id),
      outside_name text CHECK (length(outside_name) BETWEEN 1 AND 200),
      how text CHECK (length(how) BETWEEN 1 AND 200),
      why text NOT NULL CHECK (length(why) BETWEEN 1 AND 2000),
      told_by uuid NOT NULL REFERENCES users (id),
      told_at timestamptz NOT NULL,
      CHECK ((user_id IS NULL) <> (outside_name IS NULL)),
      CHECK ((outside_name IS NULL) = (how IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX incident_officers_told_incident_idx ON incident_officers_told (incident_id, told_at)`.execute(
    db,
  );
  await sql`CREATE INDEX incident_officers_told_user_idx ON incident_officers_told (user_id) WHERE user_id IS NOT NULL`.execute(
    db,
  );
  await sql`ALTER TABLE disclosures ADD COLUMN custody_item_id uuid REFERENCES custody_items (id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE disclosures DROP COLUMN custody_item_id`.execute(db);
  await sql`DROP TABLE incident_officers_told`.execute(db);
  await sql`DELETE FROM incident_actions WHERE kind = 'disable-account'`.execute(db);
  await sql`ALTER TABLE incident_actions DROP CONSTRAINT incident_actions_account_check`.execute(db);
  await sql`ALTER TABLE incident_actions DROP CONSTRAINT incident_actions_kind_check`.execute(db);
  await sql`
    ALTER TABLE incident_actions ADD CONSTRAINT incident_actions_kind_check
      CHECK (kind IN ('recall-package', 'retrieve', 'other'))`.execute(db);
  await sql`ALTER TABLE incident_actions DROP COLUMN account_id`.execute(db);
}
