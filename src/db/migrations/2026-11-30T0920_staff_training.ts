import { sql, type Kysely } from 'kysely';

/**
 * Data protection training (R1.1, R2.2): the date each member of staff last completed training on
 * confidentiality and data protection. Null means none has been recorded. The policy pack says how
 * long training stays valid, so the expiry is worked out, never stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN data_protection_training_on date CHECK (data_protection_training_on >= DATE '2000-01-01')`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the staff training migration cannot be reversed: restore from a backup instead');
}
