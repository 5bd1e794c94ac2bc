import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys on the API's POSTs: the first request with a key claims it (no answer yet); its
 * answer is kept with it, and a retry with the same key and the same request gets that answer again
 * instead of recording twice. Kept 24 hours (src/jobs/safeshare.jobs.ts), then purged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_idempotency_keys (
      token_id uuid NOT NULL REFERENCES api_tokens (id),
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      request_digest text NOT NULL,
      created_at timestamptz NOT NULL,
      status_code integer CHECK (status_code BETWEEN 200 AND 499),
      content_type text,
      location text,
      body text,
      PRIMARY KEY (token_id, key)
    )`.execute(db);
  await sql`CREATE INDEX api_idempotency_keys_created_idx ON api_idempotency_keys (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE api_idempotency_keys`.execute(db);
}
