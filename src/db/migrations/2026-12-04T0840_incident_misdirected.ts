import { sql, type Kysely } from 'kysely';

/** An incident reported from misdirected information received (R5.1): linked to its entry. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE incidents ADD COLUMN misdirected_id uuid REFERENCES misdirected_information (id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE incidents DROP COLUMN misdirected_id`.execute(db);
}
