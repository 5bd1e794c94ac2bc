import { sql, type Kysely } from 'kysely';

/**
 * The consent register (R3.1-R3.4): one row per consent given or refused, or per decision not to
 * seek it; its append-only history of transitions; drafts awaiting "check your answers"; and the
 * daily review reminders already sent. A consent's content is never edited: withdrawal, review,
 * expiry and supersession change only its lifecycle columns, and the database refuses anything else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE consents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      -- What was recorded (never changes), and where its lifecycle has reached.
      decision text NOT NULL CHECK (decision IN ('given', 'refused', 'not_sought')),
      status text NOT NULL CHECK (status IN ('given', 'refused', 'withdrawn', 'expired', 'superseded', 'not_sought')),
      policy_version text NOT NULL CHECK (length(policy_version) BETWEEN 1 AND 40),

      given_by_child boolean NOT NULL,
      parent_carer_person_id uuid REFERENCES people (id),
      parent_carer_relationship text CHECK (parent_carer_relationship IN (
        'mother', 'father', 'step_parent', 'carer_with_parental_responsibility', 'foster_carer', 'special_guardian',
        'grandparent', 'sibling', 'half_sibling', 'aunt_or_uncle', 'child', 'partner_of_parent', 'other_relative', 'other')),
      child_capacity text CHECK (child_capacity IN ('competent', 'not_competent', 'not_assessed')),
      capacity_not_assessed_reason text CHECK (length(capacity_not_assessed_reason) BETWEEN 1 AND 2000),
      prevailing_view text CHECK (prevailing_view IN ('child', 'parent_carer')),
      child_view text CHECK (length(child_view) BETWEEN 1 AND 4000),

      purpose_ids text[] NOT NULL CHECK (cardinality(purpose_ids) >= 1),
      use_description text CHECK (length(use_description) BETWEEN 1 AND 4000),
      recipient_organisation_ids uuid[] NOT NULL DEFAULT '{}',
      recipient_roles text[] NOT NULL DEFAULT '{}',
      method_ids text[] NOT NULL DEFAULT '{}',
      category_ids text[] NOT NULL DEFAULT '{}',
      retention_period text CHECK (length(retention_period) BETWEEN 1 AND 200),
      retention_form_ids text[] NOT NULL DEFAULT '{}',
      told_shared_without_consent boolean,
      told_may_withdraw boolean,
      how_given text CHECK (how_given IN ('written', 'verbal', 'electronic')),
      evidence_note text CHECK (length(evidence_note) BETWEEN 1 AND 4000),
      not_sought_reason text CHECK (length(not_sought_reason) BETWEEN 1 AND 60),
      not_sought_detail text CHECK (length(not_sought_detail) BETWEEN 1 AND 4000),

      given_on date NOT NULL,
      review_on date NOT NULL,
      expires_on date,
      last_reviewed_on date,
      review_overdue_since date,

      withdrawn_on date,
      withdrawal_method text CHECK (withdrawal_method IN ('in_person', 'telephone', 'letter', 'email')),
      withdrawn_by text CHECK (withdrawn_by IN ('child', 'parent_carer', 'both')),
      withdrawal_note text CHECK (length(withdrawal_note) BETWEEN 1 AND 4000),
      withdrawal_recorded_by uuid REFERENCES users (id),
      withdrawal_recorded_at timestamptz,

      supersedes_id uuid UNIQUE REFERENCES consents (id),
      superseded_by uuid REFERENCES consents (id),
      recorded_by uuid NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL,
      changed_at timestamptz NOT NULL,

      CHECK (review_on > given_on),
      CHECK (expires_on IS NULL OR expires_on > given_on),
      CHECK ((parent_carer_person_id IS NULL) = (parent_carer_relationship IS NULL)),
      CHECK (parent_carer_person_id IS NULL OR parent_carer_person_id <> person_id),
      -- Somebody gave or refused it (R3.2); consent not sought says why (R3.1).
      CHECK (decision = 'not_sought' OR given_by_child OR parent_carer_person_id IS NOT NULL),
      CHECK ((decision = 'not_sought') = (not_sought_reason IS NOT NULL)),
      -- Informed consent: told when it may be shared without consent (R3.2) and that it can be withdrawn (R3.3).
      CHECK (decision <> 'given' OR (told_shared_without_consent AND told_may_withdraw AND how_given IS NOT NULL)),
      CHECK (status IN (decision, 'superseded') OR (decision = 'given' AND status IN ('withdrawn', 'expired'))),
      CHECK ((status = 'withdrawn') = (withdrawn_on IS NOT NULL)),
      CHECK (withdrawn_on IS NULL OR (withdrawn_on >= given_on AND withdrawal_method IS NOT NULL AND withdrawn_by IS NOT NULL
        AND withdrawal_recorded_by IS NOT NULL AND withdrawal_recorded_at IS NOT NULL)),
      CHECK ((status = 'superseded') = (superseded_by IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX consents_person_idx ON consents (person_id, given_on DESC)`.execute(db);
  await sql`CREATE INDEX consents_review_idx ON consents (organisation_id, review_on) WHERE status IN ('given', 'refused', 'not_sought')`.execute(
    db,
  );
  await sql`CREATE INDEX consents_overdue_idx ON consents (review_on) WHERE status IN ('given', 'refused', 'not_sought')`.execute(
    db,
  );
  await sql`CREATE INDEX consents_expiry_idx ON consents (expires_on) WHERE status = 'given' AND expires_on IS NOT NULL`.execute(
    db,
  );

  // Only the lifecycle may change, only from a live state, and a withdrawal once recorded stands.
  await sql`
    CREATE FUNCTION consents_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (NEW.id, NEW.organisation_id, NEW.person_id, NEW.decision, NEW.policy_version, NEW.given_by_child,
          NEW.parent_carer_person_id, NEW.parent_carer_relationship, NEW.child_capacity, NEW.capacity_not_assessed_reason,
          NEW.prevailing_view, NEW.child_view, NEW.purpose_ids, NEW.use_description, NEW.recipient_organisation_ids,
          NEW.recipient_roles, NEW.method_ids, NEW.category_ids, NEW.retention_period, NEW.retention_form_ids,
          NEW.told_shared_without_consent, NEW.told_may_withdraw, NEW.how_given, NEW.evidence_note, NEW.not_sought_reason,
          NEW.not_sought_detail, NEW.given_on, NEW.expires_on, NEW.supersedes_id, NEW.recorded_by, NEW.created_at)
         IS DISTINCT FROM
         (OLD.id, OLD.organisation_id, OLD.person_id, OLD.decision, OLD.policy_version, OLD.given_by_child,
          OLD.parent_carer_person_id, OLD.parent_carer_relationship, OLD.child_capacity, OLD.capacity_not_assessed_reason,
          OLD.prevailing_view, OLD.child_view, OLD.purpose_ids, OLD.use_description, OLD.recipient_organisation_ids,
          OLD.recipient_roles, OLD.method_ids, OLD.category_ids, OLD.retention_period, OLD.retention_form_ids,
          OLD.told_shared_without_consent, OLD.told_may_withdraw, OLD.how_given, OLD.evidence_note, OLD.not_sought_reason,
          OLD.not_sought_detail, OLD.given_on, OLD.expires_on, OLD.supersedes_id, OLD.recorded_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a consent record is never edited: record a new consent that supersedes it'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.status IN ('withdrawn', 'expired', 'superseded') AND NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'a % consent cannot change', OLD.status USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER consents_guard_update BEFORE UPDATE ON consents FOR EACH ROW EXECUTE FUNCTION consents_guard_update()`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION consent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'consent history is kept: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents FOR EACH ROW EXECUTE FUNCTION consent_refuse_change()`.execute(
    db,
  );

  // What happened to each consent, for its timeline; written with the audit event, never changed.
  await sql`
    CREATE TABLE consent_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      consent_id uuid NOT NULL REFERENCES consents (id),
      person_id uuid NOT NULL REFERENCES people (id),
      kind text NOT NULL CHECK (kind IN ('recorded', 'reviewed', 'review_overdue', 'withdrawn', 'expired', 'superseded')),
      status_after text NOT NULL,
      occurred_on date NOT NULL,
      recorded_at timestamptz NOT NULL,
      recorded_by uuid REFERENCES users (id),
      note text CHECK (length(note) BETWEEN 1 AND 4000)
    )`.execute(db);
  await sql`CREATE INDEX consent_events_person_idx ON consent_events (person_id, recorded_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX consent_events_consent_idx ON consent_events (consent_id, recorded_at DESC)`.execute(
    db,
  );
  await sql`CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events FOR EACH ROW EXECUTE FUNCTION consent_refuse_change()`.execute(
    db,
  );

  // A consent being recorded, between the form and "check your answers": one per member of staff and person.
  await sql`
    CREATE TABLE consent_drafts (
      user_id uuid NOT NULL REFERENCES users (id),
      person_id uuid NOT NULL REFERENCES people (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      answers jsonb NOT NULL,
      saved_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, person_id)
    )`.execute(db);

  // Which review reminders have gone out, so that each person is told once per consent per day.
  await sql`
    CREATE TABLE consent_review_reminders (
      consent_id uuid NOT NULL REFERENCES consents (id),
      user_id uuid NOT NULL REFERENCES users (id),
      reminded_on date NOT NULL,
      PRIMARY KEY (consent_id, user_id, reminded_on)
    )`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the consent migration cannot be reversed: restore from a backup instead');
}
