import { sql, type Kysely } from 'kysely';

/**
 * Addresses at a domain many organisations share (nhs.net, pnn.police.uk, cjsm.net): such a domain
 * can belong to no one organisation, so the partner directory registers an organisation's own
 * mailboxes there one full address at a time (ADR 0018).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organisation_mailboxes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      address text NOT NULL CHECK (address = lower(address) AND length(address) BETWEEN 3 AND 254),
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX organisation_mailboxes_address_key ON organisation_mailboxes (address)`.execute(
    db,
  );
  await sql`CREATE INDEX organisation_mailboxes_organisation_idx ON organisation_mailboxes (organisation_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE organisation_mailboxes`.execute(db);
}
