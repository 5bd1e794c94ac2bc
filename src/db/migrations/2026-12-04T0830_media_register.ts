import { sql, type Kysely } from 'kysely';

/**
 * The register of removable media and devices holding personal information (R4.7, R1.2): encrypted
 * or not registered at all, what was put on each and why, until when it is needed, and its secure
 * deletion or destruction (who, how, when). A device reported lost is an incident.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE media_reference_seq`.execute(db);
  await sql`
    CREATE TABLE media_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('MD-' || lpad(nextval('media_reference_seq')::text, 7, '0')),
      kind text NOT NULL CHECK (kind IN ('usb-stick', 'external-drive', 'laptop', 'phone', 'tablet', 'disc', 'other')),
      asset_tag text NOT NULL CHECK (length(asset_tag) BETWEEN 1 AND 100),
      encrypted boolean NOT NULL CHECK (encrypted),
      encryption text NOT NULL CHECK (length(encryption) BETWEEN 1 AND 200),
      holder uuid NOT NULL REFERENCES users (id),
      contents text NOT NULL CHECK (length(contents) BETWEEN 1 AND 2000),
      purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
      backed_up text NOT NULL CHECK (length(backed_up) BETWEEN 1 AND 300),
      needed_until date NOT NULL,
      registered_by uuid NOT NULL REFERENCES users (id),
      registered_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'in-use' CHECK (status IN ('in-use', 'wiped', 'destroyed', 'lost')),
      disposal_how text CHECK (disposal_how IS NULL OR length(disposal_how) BETWEEN 1 AND 1000),
      disposed_by uuid REFERENCES users (id),
      disposed_at timestamptz,
      lost_at timestamptz,
      past_need_flagged_at timestamptz,
      CHECK ((status IN ('wiped', 'destroyed')) = (disposed_at IS NOT NULL)),
      CHECK ((status = 'lost') = (lost_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX media_items_holder_idx ON media_items (holder, registered_at DESC)`.execute(db);
  await sql`CREATE INDEX media_items_in_use_idx ON media_items (needed_until) WHERE status = 'in-use'`.execute(
    db,
  );
  await sql`ALTER TABLE incidents ADD COLUMN media_item_id uuid UNIQUE REFERENCES media_items (id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE incidents DROP COLUMN media_item_id`.execute(db);
  await sql`DROP TABLE media_items`.execute(db);
  await sql`DROP SEQUENCE media_reference_seq`.execute(db);
}
