import { sql, type Kysely } from 'kysely';

/**
 * Two more API scopes (src/lib/api-scopes.ts): recording and withdrawing consent, and reading the
 * audit trail for an auditor's account. Tokens already issued keep exactly what they had: a new
 * scope is given only by an administrator ticking it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check`.execute(db);
  await sql`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['people.read', 'people.register', 'consent.record',
      'decisions.record', 'disclosures.log', 'audit.read'])`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check`.execute(db);
  await sql`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['people.read', 'people.register', 'decisions.record', 'disclosures.log'])`.execute(
    db,
  );
}
