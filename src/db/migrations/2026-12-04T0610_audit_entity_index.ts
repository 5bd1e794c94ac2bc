import { sql, type Kysely } from 'kysely';

/** One thing's history in the audit trail (a secure exchange package's codes, openings and downloads, for its sender). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX audit_events_entity_idx ON audit_events (organisation_id, entity_type, entity_id, seq) WHERE entity_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX audit_events_entity_idx`.execute(db);
}
