import { sql, type Kysely } from 'kysely';

/**
 * API tokens for integrating systems (case management). A token acts as one staff account (usually a
 * service account for the system), with exactly that account's roles and need-to-know. Only the
 * SHA-256 of a token is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      user_id uuid NOT NULL REFERENCES users (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      token_digest text NOT NULL,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz,
      CHECK (expires_at > created_at)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX api_tokens_digest_key ON api_tokens (token_digest)`.execute(db);
  await sql`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at DESC)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the api tokens migration cannot be reversed: restore from a backup instead');
}
