import { sql, type Kysely } from 'kysely';

/**
 * A disclosure is counted for the oversight dashboard at commit, not as it is inserted. The count is
 * one row per month, method, recipient and sender, so a practitioner's disclosures to one recipient
 * all move the same row; counted at the insert, that row stayed locked from the insert through the
 * audit append to the commit, and the organisation's disclosures queued behind it for the whole
 * transaction. Deferred, the row is taken after the audit append already holds the organisation's
 * chain head, and is held only while the transaction commits (docs/performance.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER disclosures_counted ON disclosures`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER disclosures_counted AFTER INSERT ON disclosures
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION oversight_count_disclosure()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER disclosures_counted ON disclosures`.execute(db);
  await sql`CREATE TRIGGER disclosures_counted AFTER INSERT ON disclosures FOR EACH ROW EXECUTE FUNCTION oversight_count_disclosure()`.execute(
    db,
  );
}
