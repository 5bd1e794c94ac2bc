import { sql, type Kysely } from 'kysely';

/**
 * A recipient's secure reply to a package (R4.6.4): a message and files, sealed at rest like the
 * package (ADR 0020) and kept with it for its sender. A reply belongs to the sending organisation's
 * record once it arrives, so it outlives the package's expiry. Packages are also found by their
 * address, for a hosted partner's "Received" list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exchange_replies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      package_id uuid NOT NULL REFERENCES exchange_packages (id),
      from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 254),
      message_object_id uuid NOT NULL UNIQUE REFERENCES exchange_objects (id),
      sent_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX exchange_replies_package_idx ON exchange_replies (package_id, sent_at)`.execute(db);
  await sql`
    CREATE TABLE exchange_reply_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reply_id uuid NOT NULL REFERENCES exchange_replies (id),
      object_id uuid NOT NULL UNIQUE REFERENCES exchange_objects (id),
      position smallint NOT NULL CHECK (position >= 0),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      media_type text NOT NULL,
      bytes bigint NOT NULL CHECK (bytes > 0),
      UNIQUE (reply_id, position)
    )`.execute(db);
  await sql`CREATE INDEX exchange_packages_address_idx ON exchange_packages (recipient_address, sent_at DESC)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX exchange_packages_address_idx`.execute(db);
  await sql`DROP TABLE exchange_reply_files`.execute(db);
  await sql`DROP TABLE exchange_replies`.execute(db);
}
