import { sql, type Kysely } from 'kysely';

/**
 * How a recipient without a Safeshare account opens a package (R4.6.4): a one-time code sent to the
 * package's address (single use, 10 minutes, 5 wrong tries, 10 a day), then a session for that
 * package alone. Codes and sessions are stored as digests only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exchange_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      package_id uuid NOT NULL REFERENCES exchange_packages (id),
      address text NOT NULL,
      digest text NOT NULL,
      sent_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      failures smallint NOT NULL DEFAULT 0 CHECK (failures BETWEEN 0 AND 5),
      used_at timestamptz,
      dead boolean NOT NULL DEFAULT false
    )`.execute(db);
  await sql`CREATE INDEX exchange_codes_package_idx ON exchange_codes (package_id, sent_at DESC)`.execute(db);
  await sql`
    CREATE TABLE exchange_sessions (
      digest text PRIMARY KEY,
      package_id uuid NOT NULL REFERENCES exchange_packages (id),
      address text NOT NULL,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      ended_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX exchange_sessions_package_idx ON exchange_sessions (package_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE exchange_sessions`.execute(db);
  await sql`DROP TABLE exchange_codes`.execute(db);
}
