import { sql, type Kysely } from 'kysely';

/**
 * Sign-in hardening.
 * - The per-address sign-in limit moves from each app server's memory into the database, so every
 *   server of one council counts the same attempts: one row per address digest and fixed window.
 * - A password set by an administrator (at creation or by a reset) must be replaced by one the
 *   person chooses at their next sign-in: a flag on the account, and a session stage for the page
 *   where they choose it. Existing accounts are not flagged: nobody is locked out by the upgrade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sign_in_address_attempts (
      address_key text NOT NULL,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL CHECK (attempts > 0),
      PRIMARY KEY (address_key, window_start)
    )`.execute(db);
  // Housekeeping deletes old windows by their start.
  await sql`CREATE INDEX sign_in_address_attempts_window_idx ON sign_in_address_attempts (window_start)`.execute(
    db,
  );

  await sql`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE sessions DROP CONSTRAINT sessions_stage_check`.execute(db);
  await sql`ALTER TABLE sessions ADD CONSTRAINT sessions_stage_check CHECK (stage IN ('password', 'mfa', 'enrol', 'active'))`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the sign-in hardening migration cannot be reversed: restore from a backup instead');
}
