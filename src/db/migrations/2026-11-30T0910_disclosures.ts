import { sql, type Kysely } from 'kysely';

/**
 * The disclosure log (R2.23, R4.x): what was shared, with whom, why, how, when and by whom, each
 * belonging to a recorded sharing decision whose outcome is to share (invariant 1, enforced here as
 * well as in the service). A disclosure never changes except to record its receipt and the
 * reminders about it. Misdirected information received (R4.4.3) is logged beside it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE disclosures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      method text NOT NULL CHECK (method ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      recipient_name text NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 200),
      recipient_role text NOT NULL CHECK (length(recipient_role) BETWEEN 1 AND 200),
      recipient_organisation_id uuid NOT NULL REFERENCES organisations (id),
      recipient_contact text CHECK (recipient_contact IS NULL OR length(recipient_contact) BETWEEN 1 AND 500),
      purpose_id text NOT NULL,
      category_ids text[] NOT NULL CHECK (cardinality(category_ids) > 0),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
      checklist jsonb NOT NULL,
      method_advice jsonb NOT NULL,
      policy_version text NOT NULL,
      disclosed_at timestamptz NOT NULL,
      disclosed_by uuid NOT NULL REFERENCES users (id),
      receipt_due_on date,
      receipt_confirmed_at timestamptz,
      receipt_confirmed_by uuid REFERENCES users (id),
      receipt_how text CHECK (receipt_how IS NULL OR length(receipt_how) BETWEEN 1 AND 1000),
      receipt_reminded_on date,
      created_at timestamptz NOT NULL,
      CHECK ((receipt_confirmed_at IS NULL) = (receipt_confirmed_by IS NULL)),
      CHECK (receipt_confirmed_at IS NULL OR receipt_how IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX disclosures_decision_idx ON disclosures (decision_id, disclosed_at)`.execute(db);
  await sql`CREATE INDEX disclosures_receipts_due_idx ON disclosures (organisation_id, receipt_due_on) WHERE receipt_due_on IS NOT NULL AND receipt_confirmed_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX disclosures_discloser_idx ON disclosures (disclosed_by, disclosed_at DESC)`.execute(
    db,
  );

  // Invariant 1: nothing leaves without a recorded decision to share.
  await sql`
    CREATE FUNCTION disclosures_require_decision() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      decision record;
    BEGIN
      SELECT status, outcome, organisation_id INTO decision FROM sharing_decisions WHERE id = NEW.decision_id;
      IF decision.status IS DISTINCT FROM 'recorded' OR decision.outcome NOT IN ('share', 'share-in-part') OR decision.organisation_id <> NEW.organisation_id THEN
        RAISE EXCEPTION 'a disclosure needs a recorded decision to share' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER disclosures_require_decision BEFORE INSERT ON disclosures FOR EACH ROW EXECUTE FUNCTION disclosures_require_decision()`.execute(
    db,
  );
  // Only the receipt and its reminders may be written after the disclosure is logged; a confirmed receipt is final.
  await sql`
    CREATE FUNCTION disclosures_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (to_jsonb(NEW) - ARRAY['receipt_confirmed_at', 'receipt_confirmed_by', 'receipt_how', 'receipt_reminded_on'])
         IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['receipt_confirmed_at', 'receipt_confirmed_by', 'receipt_how', 'receipt_reminded_on'])
         OR (OLD.receipt_confirmed_at IS NOT NULL AND (NEW.receipt_confirmed_at, NEW.receipt_confirmed_by, NEW.receipt_how) IS DISTINCT FROM (OLD.receipt_confirmed_at, OLD.receipt_confirmed_by, OLD.receipt_how)) THEN
        RAISE EXCEPTION 'a logged disclosure cannot change' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER disclosures_guard_update BEFORE UPDATE ON disclosures FOR EACH ROW EXECUTE FUNCTION disclosures_guard_update()`.execute(
    db,
  );
  await sql`CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
  await sql`CREATE TRIGGER disclosures_no_truncate BEFORE TRUNCATE ON disclosures FOR EACH STATEMENT EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );

  await sql`
    CREATE TABLE misdirected_information (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      received_on date NOT NULL,
      method text NOT NULL CHECK (method ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      sender text NOT NULL CHECK (length(sender) BETWEEN 1 AND 300),
      sender_organisation_id uuid REFERENCES organisations (id),
      intended_for text NOT NULL CHECK (length(intended_for) BETWEEN 1 AND 300),
      what_arrived text NOT NULL CHECK (length(what_arrived) BETWEEN 1 AND 4000),
      passed_on boolean NOT NULL,
      sender_told boolean NOT NULL,
      action_details text NOT NULL CHECK (length(action_details) BETWEEN 1 AND 4000),
      recorded_by uuid NOT NULL REFERENCES users (id),
      recorded_at timestamptz NOT NULL,
      CHECK (passed_on OR sender_told)
    )`.execute(db);
  await sql`CREATE INDEX misdirected_information_organisation_idx ON misdirected_information (organisation_id, received_on DESC)`.execute(
    db,
  );
  await sql`CREATE TRIGGER misdirected_information_append_only BEFORE UPDATE OR DELETE ON misdirected_information FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the disclosures migration cannot be reversed: restore from a backup instead');
}
