import { sql, type Kysely } from 'kysely';

/**
 * A decision is linked to the sharing agreement its share falls under (the ICO data sharing code),
 * and a routine share keeps what was pre-filled from the agreement and the consent, and who
 * confirmed it. Both are set before the decision is recorded, after which the row never changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sharing_decisions ADD COLUMN agreement_id uuid REFERENCES sharing_agreements (id)`.execute(
    db,
  );
  await sql`ALTER TABLE sharing_decisions ADD COLUMN routine jsonb`.execute(db);
  await sql`CREATE INDEX sharing_decisions_agreement_idx ON sharing_decisions (agreement_id) WHERE agreement_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sharing_decisions DROP COLUMN routine`.execute(db);
  await sql`ALTER TABLE sharing_decisions DROP COLUMN agreement_id`.execute(db);
}
