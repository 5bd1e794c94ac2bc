import { sql, type Kysely } from 'kysely';

/**
 * What a withdrawal of consent sets off (R3.3, R2.20).
 * - Each sharing decision that relied on the withdrawn consent is marked, once per consent: a
 *   recorded decision never changes, so the mark sits beside it and is never changed or removed.
 * - Each organisation that had already received information under such a decision is told that
 *   consent has been withdrawn: how, when and by whom, against each disclosure it received. A
 *   disclosure is told once per withdrawn consent; the record is never changed or removed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sharing_decision_consent_withdrawals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      consent_id uuid NOT NULL REFERENCES consents (id),
      person_id uuid NOT NULL REFERENCES people (id),
      withdrawn_on date NOT NULL,
      marked_at timestamptz NOT NULL,
      UNIQUE (decision_id, consent_id)
    )`.execute(db);
  await sql`CREATE INDEX sharing_decision_consent_withdrawals_consent_idx ON sharing_decision_consent_withdrawals (consent_id)`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_decision_consent_withdrawals_no_change BEFORE UPDATE OR DELETE ON sharing_decision_consent_withdrawals FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );

  await sql`
    CREATE TABLE disclosure_withdrawal_notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      consent_id uuid NOT NULL REFERENCES consents (id),
      disclosure_id uuid NOT NULL REFERENCES disclosures (id),
      recipient_organisation_id uuid NOT NULL REFERENCES organisations (id),
      method text NOT NULL CHECK (method IN ('letter', 'secure-email', 'telephone')),
      told_on date NOT NULL,
      told_by uuid NOT NULL REFERENCES users (id),
      recorded_at timestamptz NOT NULL,
      UNIQUE (consent_id, disclosure_id)
    )`.execute(db);
  await sql`CREATE INDEX disclosure_withdrawal_notices_disclosure_idx ON disclosure_withdrawal_notices (disclosure_id)`.execute(
    db,
  );
  await sql`CREATE TRIGGER disclosure_withdrawal_notices_no_change BEFORE UPDATE OR DELETE ON disclosure_withdrawal_notices FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error(
    'the consent withdrawal aftermath migration cannot be reversed: restore from a backup instead',
  );
}
