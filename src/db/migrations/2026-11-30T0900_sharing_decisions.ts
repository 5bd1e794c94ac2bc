import { sql, type Kysely } from 'kysely';

/**
 * Sharing decisions (golden rules 1-7): drafts saved as the practitioner goes, advice requests,
 * approvals, and addenda. A recorded decision never changes (the database refuses it); later facts
 * and corrections are addenda, which are themselves never changed. Also adds the child protection
 * adviser role, who can be asked for advice (R2.15).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP CONSTRAINT users_roles_check`.execute(db);
  await sql`
    ALTER TABLE users ADD CONSTRAINT users_roles_check
      CHECK (roles <@ ARRAY['practitioner', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser', 'it_service_desk', 'auditor', 'admin']::text[])`.execute(
    db,
  );

  await sql`CREATE SEQUENCE sharing_decision_reference_seq`.execute(db);
  await sql`
    CREATE TABLE sharing_decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('SD-' || lpad(nextval('sharing_decision_reference_seq')::text, 7, '0')),
      status text NOT NULL CHECK (status IN ('draft', 'awaiting-approval', 'approved', 'recorded')),
      started_by uuid NOT NULL REFERENCES users (id),
      purpose_id text,
      answers jsonb NOT NULL,
      outcome text CHECK (outcome IN ('share', 'share-in-part', 'not-share')),
      policy_name text NOT NULL,
      policy_version text NOT NULL,
      assessment jsonb,
      recorded_by uuid REFERENCES users (id),
      recorded_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK ((status = 'recorded') = (recorded_at IS NOT NULL AND recorded_by IS NOT NULL AND outcome IS NOT NULL AND assessment IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX sharing_decisions_started_by_idx ON sharing_decisions (started_by, status, updated_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_decisions_organisation_idx ON sharing_decisions (organisation_id, status, updated_at DESC)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION sharing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'sharing records are kept: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE FUNCTION sharing_decisions_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'recorded' THEN
        RAISE EXCEPTION 'a recorded sharing decision cannot change: add an addendum' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER sharing_decisions_guard_update BEFORE UPDATE ON sharing_decisions FOR EACH ROW EXECUTE FUNCTION sharing_decisions_guard_update()`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_decisions_no_delete BEFORE DELETE ON sharing_decisions FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_decisions_no_truncate BEFORE TRUNCATE ON sharing_decisions FOR EACH STATEMENT EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );

  // The people a decision is about, for each person's sharing history and for need-to-know checks.
  await sql`
    CREATE TABLE sharing_decision_people (
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      person_id uuid NOT NULL REFERENCES people (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      PRIMARY KEY (decision_id, person_id)
    )`.execute(db);
  await sql`CREATE INDEX sharing_decision_people_person_idx ON sharing_decision_people (person_id, decision_id)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION sharing_decision_people_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT status FROM sharing_decisions WHERE id = OLD.decision_id) = 'recorded' THEN
        RAISE EXCEPTION 'the people of a recorded sharing decision cannot change' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN OLD;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER sharing_decision_people_guard BEFORE UPDATE OR DELETE ON sharing_decision_people FOR EACH ROW EXECUTE FUNCTION sharing_decision_people_guard()`.execute(
    db,
  );

  await sql`
    CREATE TABLE sharing_advice_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      asked_by uuid NOT NULL REFERENCES users (id),
      adviser text NOT NULL CHECK (adviser IN ('line-manager', 'supervisor', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser')),
      adviser_user_id uuid REFERENCES users (id),
      anonymised boolean NOT NULL,
      question text NOT NULL CHECK (length(question) BETWEEN 1 AND 4000),
      summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
      status text NOT NULL CHECK (status IN ('open', 'answered')),
      answer text CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 4000),
      answered_by uuid REFERENCES users (id),
      answered_at timestamptz,
      created_at timestamptz NOT NULL,
      CHECK ((status = 'answered') = (answer IS NOT NULL AND answered_by IS NOT NULL AND answered_at IS NOT NULL)),
      CHECK ((adviser IN ('line-manager', 'supervisor')) = (adviser_user_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX sharing_advice_requests_queue_idx ON sharing_advice_requests (organisation_id, status, adviser, created_at)`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_advice_requests_decision_idx ON sharing_advice_requests (decision_id, created_at)`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_advice_requests_no_delete BEFORE DELETE ON sharing_advice_requests FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );

  await sql`
    CREATE TABLE sharing_approvals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      kind text NOT NULL CHECK (kind IN ('public-interest', 'bulk')),
      approvers text[] NOT NULL CHECK (cardinality(approvers) > 0),
      line_manager_id uuid REFERENCES users (id),
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'withdrawn')),
      requested_by uuid NOT NULL REFERENCES users (id),
      requested_at timestamptz NOT NULL,
      decided_by uuid REFERENCES users (id),
      decided_at timestamptz,
      reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 4000),
      CHECK ((status IN ('approved', 'refused')) = (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
      CHECK (status <> 'refused' OR reason IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX sharing_approvals_queue_idx ON sharing_approvals (organisation_id, status, requested_at)`.execute(
    db,
  );
  await sql`CREATE INDEX sharing_approvals_decision_idx ON sharing_approvals (decision_id, requested_at)`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_approvals_no_delete BEFORE DELETE ON sharing_approvals FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );

  await sql`
    CREATE TABLE sharing_addenda (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      kind text NOT NULL CHECK (kind IN ('correction', 'later-fact')),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
      written_by uuid NOT NULL REFERENCES users (id),
      written_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sharing_addenda_decision_idx ON sharing_addenda (decision_id, written_at)`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_addenda_append_only BEFORE UPDATE OR DELETE ON sharing_addenda FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
  await sql`CREATE TRIGGER sharing_addenda_no_truncate BEFORE TRUNCATE ON sharing_addenda FOR EACH STATEMENT EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the sharing decisions migration cannot be reversed: restore from a backup instead');
}
