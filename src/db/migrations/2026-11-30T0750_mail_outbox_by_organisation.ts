import { sql, type Kysely } from 'kysely';

/** The mail outbox page lists one organisation's messages, newest first, 50 at a time. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX mail_outbox_organisation_idx ON mail_outbox (organisation_id, created_at DESC, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX mail_outbox_organisation_idx`.execute(db);
}
