import { sql, type Kysely } from 'kysely';

/**
 * Each API token holds the scopes an administrator gave it (src/lib/api-scopes.ts). Tokens issued
 * before scopes existed could do everything their account's roles allowed: they keep every scope,
 * so no integration stops working (but not `people.register`, which came with its endpoint); new
 * tokens get only what is chosen.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL
    DEFAULT ARRAY['people.read', 'decisions.record', 'disclosures.log']`.execute(db);
  await sql`ALTER TABLE api_tokens ALTER COLUMN scopes DROP DEFAULT`.execute(db);
  await sql`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['people.read', 'people.register', 'decisions.record', 'disclosures.log'])`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_tokens DROP COLUMN scopes`.execute(db);
}
