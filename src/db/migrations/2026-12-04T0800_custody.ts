import { sql, type Kysely } from 'kysely';

/**
 * The off-site log (R4.3): personal information taken off site, with what, why, where and when it
 * comes back; the line manager's agreement where local policy does not give it (R4.3.2); its
 * return (R4.3.8); its daily follow-up once overdue (R4.3.7); and its loss, which is an incident.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE custody_reference_seq`.execute(db);
  await sql`
    CREATE TABLE custody_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('OS-' || lpad(nextval('custody_reference_seq')::text, 7, '0')),
      taken_by uuid NOT NULL REFERENCES users (id),
      form text NOT NULL CHECK (form IN ('paper', 'electronic')),
      what text NOT NULL CHECK (length(what) BETWEEN 1 AND 1000),
      reason_id text NOT NULL,
      reason_detail text CHECK (reason_detail IS NULL OR length(reason_detail) BETWEEN 1 AND 1000),
      destination text NOT NULL CHECK (length(destination) BETWEEN 1 AND 300),
      due_back_at timestamptz NOT NULL,
      protected boolean NOT NULL CHECK (protected),
      logged_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('awaiting-agreement', 'refused', 'out', 'returned', 'lost')),
      agreement text NOT NULL CHECK (agreement IN ('local-policy', 'line-manager')),
      decided_by uuid REFERENCES users (id),
      decided_at timestamptz,
      refusal_reason text CHECK (refusal_reason IS NULL OR length(refusal_reason) BETWEEN 1 AND 1000),
      returned_at timestamptz,
      returned_recorded_by uuid REFERENCES users (id),
      lost_at timestamptz,
      follow_ups integer NOT NULL DEFAULT 0 CHECK (follow_ups >= 0),
      CHECK (due_back_at > logged_at),
      CHECK (status <> 'returned' OR returned_at IS NOT NULL),
      CHECK (status <> 'lost' OR lost_at IS NOT NULL),
      CHECK (status <> 'refused' OR refusal_reason IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX custody_items_taker_idx ON custody_items (taken_by, logged_at DESC)`.execute(db);
  await sql`CREATE INDEX custody_items_out_idx ON custody_items (due_back_at) WHERE status = 'out'`.execute(
    db,
  );
  await sql`ALTER TABLE incidents ADD COLUMN custody_item_id uuid UNIQUE REFERENCES custody_items (id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE incidents DROP COLUMN custody_item_id`.execute(db);
  await sql`DROP TABLE custody_items`.execute(db);
  await sql`DROP SEQUENCE custody_reference_seq`.execute(db);
}
