import { sql, type Kysely } from 'kysely';

/**
 * Retention review and disposal (storage limitation, ADR 0033).
 *
 * - `legal_holds`: a person whose records must not be disposed of (litigation, an inquiry, a
 *   complaint), with the reason, an optional end date, and who lifted it and why.
 * - `retention_extensions`: a review item kept for longer ("keep for another N years"), with why.
 * - `disposal_proposals`: a person proposed for disposal under a schedule entry, approved by a
 *   second person, then carried out (or found held at that moment and left), or withdrawn with why.
 * - `disposals`: each disposal carried out, append-only: who proposed, who approved, when, under
 *   which entry, and how many records of each kind were erased.
 * - `retention_reviews`: the monthly review's outcome per organisation and month, so it runs once.
 * - `retention_erasures`: each row of an append-only table whose personal data a disposal erased.
 *   Only the owner's `retention_erase_person` writes it; the guards of the consent register, the
 *   sharing decisions and the disclosure log let through an UPDATE of a row recorded here, and only
 *   one that turns that row's personal data into the tombstone and changes nothing else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE legal_holds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
      ends_on date,
      placed_by uuid NOT NULL REFERENCES users (id),
      placed_at timestamptz NOT NULL,
      lifted_by uuid REFERENCES users (id),
      lifted_at timestamptz,
      lift_reason text CHECK (lift_reason IS NULL OR length(lift_reason) BETWEEN 1 AND 2000),
      CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX legal_holds_person_idx ON legal_holds (person_id) WHERE lifted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX legal_holds_organisation_idx ON legal_holds (organisation_id, placed_at DESC)`.execute(
    db,
  );

  await sql`
    CREATE TABLE retention_extensions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      kind text NOT NULL CHECK (kind IN ('consent-records', 'sharing-decisions', 'disclosures', 'exchange-packages', 'people')),
      keep_until date NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
      recorded_by uuid NOT NULL REFERENCES users (id),
      recorded_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX retention_extensions_person_idx ON retention_extensions (person_id, kind, keep_until DESC)`.execute(
    db,
  );

  await sql`
    CREATE TABLE disposal_proposals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      kind text NOT NULL CHECK (kind IN ('consent-records', 'sharing-decisions', 'disclosures', 'exchange-packages', 'people')),
      status text NOT NULL CHECK (status IN ('proposed', 'approved', 'disposed', 'withdrawn')),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
      proposed_by uuid NOT NULL REFERENCES users (id),
      proposed_at timestamptz NOT NULL,
      approved_by uuid REFERENCES users (id),
      approved_at timestamptz,
      held_at timestamptz,
      withdrawn_by uuid REFERENCES users (id),
      withdrawn_at timestamptz,
      withdraw_reason text CHECK (withdraw_reason IS NULL OR length(withdraw_reason) BETWEEN 1 AND 2000),
      CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL AND withdrawn_by IS NOT NULL AND withdraw_reason IS NOT NULL)),
      CHECK ((approved_at IS NULL) = (approved_by IS NULL)),
      CHECK (approved_by IS DISTINCT FROM proposed_by),
      CHECK (status NOT IN ('approved', 'disposed') OR approved_at IS NOT NULL)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX disposal_proposals_open_key ON disposal_proposals (person_id) WHERE status IN ('proposed', 'approved')`.execute(
    db,
  );
  await sql`CREATE INDEX disposal_proposals_organisation_idx ON disposal_proposals (organisation_id, status, proposed_at)`.execute(
    db,
  );

  await sql`
    CREATE TABLE disposals (
      id uuid PRIMARY KEY,
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL UNIQUE REFERENCES people (id),
      proposal_id uuid NOT NULL UNIQUE REFERENCES disposal_proposals (id),
      kind text NOT NULL,
      schedule_entry jsonb NOT NULL,
      proposed_by uuid NOT NULL REFERENCES users (id),
      approved_by uuid NOT NULL REFERENCES users (id),
      disposed_by_label text NOT NULL CHECK (length(disposed_by_label) BETWEEN 1 AND 200),
      disposed_at timestamptz NOT NULL,
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      CHECK (approved_by <> proposed_by)
    )`.execute(db);
  await sql`CREATE INDEX disposals_organisation_idx ON disposals (organisation_id, disposed_at DESC)`.execute(
    db,
  );
  // Written once, with its counts filled in by the same transaction's one UPDATE; never changed after.
  await sql`
    CREATE FUNCTION disposals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.counts = '{}'::jsonb AND NEW.counts <> '{}'::jsonb
         AND to_jsonb(NEW) - 'counts' = to_jsonb(OLD) - 'counts' THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'disposals are kept: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER disposals_append_only BEFORE UPDATE OR DELETE ON disposals FOR EACH ROW EXECUTE FUNCTION disposals_guard()`.execute(
    db,
  );
  await sql`CREATE TRIGGER disposals_no_truncate BEFORE TRUNCATE ON disposals FOR EACH STATEMENT EXECUTE FUNCTION disposals_guard()`.execute(
    db,
  );

  await sql`
    CREATE TABLE retention_reviews (
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
      as_of date NOT NULL,
      counts jsonb NOT NULL,
      notified integer NOT NULL CHECK (notified >= 0),
      ran_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, month)
    )`.execute(db);

  await sql`
    CREATE TABLE retention_erasures (
      table_name text NOT NULL CHECK (table_name IN ('consents', 'consent_events', 'consent_evidence', 'sharing_decisions', 'disclosures',
        'sharing_addenda', 'sharing_emergencies', 'exchange_package_files')),
      row_id uuid NOT NULL,
      disposal_id uuid NOT NULL REFERENCES disposals (id),
      erased_at timestamptz NOT NULL,
      PRIMARY KEY (table_name, row_id)
    )`.execute(db);
  await sql`CREATE TRIGGER retention_erasures_append_only BEFORE UPDATE OR DELETE ON retention_erasures FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(
    db,
  );

  // The due lists' queries: one indexed query per kind of record, on the trigger columns the default pack uses.
  await sql`CREATE INDEX consents_organisation_changed_idx ON consents (organisation_id, changed_at)`.execute(
    db,
  );
  await sql`CREATE INDEX exchange_packages_last_action_idx ON exchange_packages (organisation_id, (coalesce(ended_at, sent_at)))`.execute(
    db,
  );
  await sql`CREATE INDEX incidents_closed_idx ON incidents (organisation_id, closed_at) WHERE closed_at IS NOT NULL`.execute(
    db,
  );

  // Whether an UPDATE of a kept row is exactly its recorded erasure: the personal columns become the tombstone, nothing else changes.
  await sql`
    CREATE FUNCTION retention_tombstone(table_name text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE table_name
        WHEN 'consents' THEN jsonb_build_object('child_view', null, 'use_description', null, 'evidence_note', null,
          'not_sought_detail', null, 'withdrawal_note', null, 'capacity_not_assessed_reason', null)
        WHEN 'consent_events' THEN jsonb_build_object('note', null)
        WHEN 'consent_evidence' THEN jsonb_build_object('file_name', 'erased', 'ciphertext', to_jsonb('\\x'::bytea), 'wrapped_key', 'erased')
        WHEN 'sharing_decisions' THEN jsonb_build_object('answers', '{"erased": true}'::jsonb)
        WHEN 'disclosures' THEN jsonb_build_object('description', 'Erased under the retention schedule')
        WHEN 'sharing_addenda' THEN jsonb_build_object('body', 'Erased under the retention schedule')
        WHEN 'sharing_emergencies' THEN jsonb_build_object('risk', 'Erased under the retention schedule')
        WHEN 'exchange_package_files' THEN jsonb_build_object('name', 'erased')
      END
    $$`.execute(db);
  await sql`
    CREATE FUNCTION retention_is_erasure(table_name text, old_row jsonb, new_row jsonb) RETURNS boolean
      LANGUAGE plpgsql STABLE AS $$
    DECLARE
      tombstone jsonb := retention_tombstone(table_name);
      columns text[];
    BEGIN
      IF tombstone IS NULL THEN RETURN false; END IF;
      SELECT array_agg(k) INTO columns FROM jsonb_object_keys(tombstone) AS k;
      IF NOT EXISTS (SELECT 1 FROM retention_erasures x WHERE x.table_name = retention_is_erasure.table_name
                     AND x.row_id = (old_row ->> 'id')::uuid) THEN
        RETURN false;
      END IF;
      RETURN (new_row - columns) = (old_row - columns)
        AND (SELECT jsonb_object_agg(k, new_row -> k) FROM unnest(columns) AS k) = tombstone;
    END
    $$`.execute(db);

  // The guards of the append-only tables, each now letting through its recorded erasure first.
  await sql`
    CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'consent history is kept: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION consents_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
      END IF;
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
  await sql`
    CREATE OR REPLACE FUNCTION sharing_decisions_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
      END IF;
      IF OLD.status = 'recorded' THEN
        RAISE EXCEPTION 'a recorded sharing decision cannot change: add an addendum' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.status = 'discarded' THEN
        RAISE EXCEPTION 'a discarded draft cannot change: start a new decision' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.status = 'discarded' AND OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'only a draft can be discarded' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  // The sharing records kept whole (addenda, a package's files, and the deletes of the others), and emergency shares.
  await sql`
    CREATE OR REPLACE FUNCTION sharing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION 'sharing records are kept: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION sharing_emergencies_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
          RETURN NEW;
        END IF;
      END IF;
      IF TG_OP = 'DELETE' OR OLD.escalated_at IS NOT NULL OR NEW.escalated_at IS NULL
        OR (NEW.id, NEW.organisation_id, NEW.decision_id, NEW.risk, NEW.approve_by, NEW.recorded_by, NEW.recorded_at)
          IS DISTINCT FROM (OLD.id, OLD.organisation_id, OLD.decision_id, OLD.risk, OLD.approve_by, OLD.recorded_by, OLD.recorded_at)
      THEN
        RAISE EXCEPTION 'an emergency share is kept: only its escalation is recorded, once' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION disclosures_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF retention_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
      END IF;
      IF (to_jsonb(NEW) - ARRAY['receipt_confirmed_at', 'receipt_confirmed_by', 'receipt_how', 'receipt_reminded_on'])
         IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['receipt_confirmed_at', 'receipt_confirmed_by', 'receipt_how', 'receipt_reminded_on'])
         OR (OLD.receipt_confirmed_at IS NOT NULL AND (NEW.receipt_confirmed_at, NEW.receipt_confirmed_by, NEW.receipt_how) IS DISTINCT FROM (OLD.receipt_confirmed_at, OLD.receipt_confirmed_by, OLD.receipt_how)) THEN
        RAISE EXCEPTION 'a logged disclosure cannot change' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);

  // The one path: runs as the owner, for a disposal already recorded for this person, and erases in place.
  await sql`
    CREATE FUNCTION retention_erase_person(organisation uuid, person uuid, disposal uuid, at timestamptz)
      RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
      old_words text[];
      decision_ids uuid[];
      shared_decisions integer;
      consent_ids uuid[];
      counts jsonb;
      n_events integer;
      n_evidence integer;
      n_disclosures integer;
      n_objects integer;
      n_packages integer;
      n_addenda integer;
      n_advice integer;
      n_approvals integer;
      n_emergencies integer;
      n_files integer;
      n_drafts integer;
      n_break_glass integer;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM disposals d WHERE d.id = disposal AND d.person_id = person
                     AND d.organisation_id = organisation AND d.counts = '{}'::jsonb) THEN
        RAISE EXCEPTION 'no disposal % of this person is being carried out', disposal USING ERRCODE = 'insufficient_privilege';
      END IF;
      SELECT person_name_words(p.given_names || ' ' || p.family_name || coalesce(' ' || p.known_as, ''))
        INTO old_words FROM people p WHERE p.id = person AND p.organisation_id = organisation FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'person % of organisation % does not exist', person, organisation USING ERRCODE = 'no_data_found';
      END IF;

      -- The person's details: a tombstone in place, so every reference to their id still resolves.
      UPDATE people SET given_names = 'Disposed', family_name = 'record', known_as = NULL, date_of_birth = NULL,
        nhs_number = NULL, local_reference = NULL, upn = NULL, external_id = NULL, address_line1 = NULL,
        address_line2 = NULL, town = NULL, postcode = NULL, updated_at = at
        WHERE id = person;
      DELETE FROM people_name_vocabulary v
        WHERE v.organisation_id = organisation AND v.word = ANY (old_words)
          AND NOT EXISTS (SELECT 1 FROM people p WHERE p.search_keys @> ARRAY[v.key]);

      -- Consent records about the person, their history's notes and their evidence.
      SELECT coalesce(array_agg(c.id), '{}') INTO consent_ids FROM consents c
        WHERE c.person_id = person AND c.organisation_id = organisation;
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'consents', id, disposal, at FROM unnest(consent_ids) AS id ON CONFLICT DO NOTHING;
      UPDATE consents SET child_view = NULL, use_description = NULL, evidence_note = NULL, not_sought_detail = NULL,
        withdrawal_note = NULL, capacity_not_assessed_reason = NULL
        WHERE id = ANY (consent_ids);
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'consent_events', e.id, disposal, at FROM consent_events e WHERE e.consent_id = ANY (consent_ids)
        ON CONFLICT DO NOTHING;
      UPDATE consent_events SET note = NULL WHERE consent_id = ANY (consent_ids) AND note IS NOT NULL;
      GET DIAGNOSTICS n_events = ROW_COUNT;
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'consent_evidence', x.id, disposal, at FROM consent_evidence x WHERE x.consent_id = ANY (consent_ids)
        ON CONFLICT DO NOTHING;
      UPDATE consent_evidence SET file_name = 'erased', ciphertext = '\\x'::bytea, wrapped_key = 'erased'
        WHERE consent_id = ANY (consent_ids) AND wrapped_key <> 'erased';
      GET DIAGNOSTICS n_evidence = ROW_COUNT;

      -- Sharing decisions about this person alone; one about others too is kept whole, and counted.
      SELECT coalesce(array_agg(dp.decision_id), '{}') INTO decision_ids FROM sharing_decision_people dp
        WHERE dp.person_id = person
          AND NOT EXISTS (SELECT 1 FROM sharing_decision_people other
                          WHERE other.decision_id = dp.decision_id AND other.person_id <> person);
      SELECT count(*) INTO shared_decisions FROM sharing_decision_people dp
        WHERE dp.person_id = person AND NOT (dp.decision_id = ANY (decision_ids));
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'sharing_decisions', id, disposal, at FROM unnest(decision_ids) AS id ON CONFLICT DO NOTHING;
      UPDATE sharing_decisions SET answers = '{"erased": true}'::jsonb WHERE id = ANY (decision_ids);
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'disclosures', d.id, disposal, at FROM disclosures d WHERE d.decision_id = ANY (decision_ids)
        ON CONFLICT DO NOTHING;
      UPDATE disclosures SET description = 'Erased under the retention schedule'
        WHERE decision_id = ANY (decision_ids) AND description <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_disclosures = ROW_COUNT;

      -- Those decisions' other free text: addenda, advice asked and given, approvals' reasons, emergencies' risks.
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'sharing_addenda', a.id, disposal, at FROM sharing_addenda a WHERE a.decision_id = ANY (decision_ids)
        ON CONFLICT DO NOTHING;
      UPDATE sharing_addenda SET body = 'Erased under the retention schedule'
        WHERE decision_id = ANY (decision_ids) AND body <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_addenda = ROW_COUNT;
      UPDATE sharing_advice_requests SET question = 'Erased under the retention schedule',
        summary = 'Erased under the retention schedule',
        answer = CASE WHEN answer IS NULL THEN NULL ELSE 'Erased under the retention schedule' END
        WHERE decision_id = ANY (decision_ids) AND question <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_advice = ROW_COUNT;
      UPDATE sharing_approvals SET reason = 'Erased under the retention schedule'
        WHERE decision_id = ANY (decision_ids) AND reason IS NOT NULL AND reason <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_approvals = ROW_COUNT;
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'sharing_emergencies', e.id, disposal, at FROM sharing_emergencies e WHERE e.decision_id = ANY (decision_ids)
        ON CONFLICT DO NOTHING;
      UPDATE sharing_emergencies SET risk = 'Erased under the retention schedule'
        WHERE decision_id = ANY (decision_ids) AND risk <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_emergencies = ROW_COUNT;

      -- Secure exchange packages sent under those decisions: their keys destroyed (crypto-shredding,
      -- ADR 0020), their files' names erased. Replies received are kept (ADR 0033).
      UPDATE exchange_objects o SET kek_id = NULL, wrapped_key = NULL, shredded_at = at
        WHERE o.shredded_at IS NULL AND o.id IN (
          SELECT p.message_object_id FROM exchange_packages p WHERE p.decision_id = ANY (decision_ids)
          UNION ALL
          SELECT f.object_id FROM exchange_package_files f JOIN exchange_packages p ON p.id = f.package_id
            WHERE p.decision_id = ANY (decision_ids));
      GET DIAGNOSTICS n_objects = ROW_COUNT;
      INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'exchange_package_files', f.id, disposal, at FROM exchange_package_files f
          JOIN exchange_packages p ON p.id = f.package_id WHERE p.decision_id = ANY (decision_ids)
        ON CONFLICT DO NOTHING;
      UPDATE exchange_package_files f SET name = 'erased'
        FROM exchange_packages p WHERE p.id = f.package_id AND p.decision_id = ANY (decision_ids) AND f.name <> 'erased';
      GET DIAGNOSTICS n_files = ROW_COUNT;

      -- What is kept about the person outside their records: unfinished consent drafts go, break-glass reasons are erased.
      DELETE FROM consent_drafts WHERE person_id = person AND organisation_id = organisation;
      GET DIAGNOSTICS n_drafts = ROW_COUNT;
      UPDATE break_glass_access SET reason = 'Erased under the retention schedule'
        WHERE person_id = person AND reason <> 'Erased under the retention schedule';
      GET DIAGNOSTICS n_break_glass = ROW_COUNT;
      UPDATE exchange_packages SET ended = 'revoked', ended_at = at, end_reason = 'Disposed of under the retention schedule'
        WHERE decision_id = ANY (decision_ids) AND ended IS NULL;
      GET DIAGNOSTICS n_packages = ROW_COUNT;

      counts := jsonb_build_object(
        'people', 1,
        'consentRecords', cardinality(consent_ids),
        'consentNotes', n_events,
        'consentEvidence', n_evidence,
        'sharingDecisions', cardinality(decision_ids),
        'sharingDecisionsKeptWithOthers', shared_decisions,
        'disclosures', n_disclosures,
        'sharingAddenda', n_addenda,
        'adviceRequests', n_advice,
        'approvalReasons', n_approvals,
        'emergencyRisks', n_emergencies,
        'exchangeObjectsShredded', n_objects,
        'exchangeFileNames', n_files,
        'exchangePackagesEnded', n_packages,
        'consentDrafts', n_drafts,
        'breakGlassReasons', n_break_glass);
      RETURN counts;
    END
    $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION retention_erase_person(uuid, uuid, uuid, timestamptz) FROM PUBLIC`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the disposals migration cannot be reversed: restore from a backup instead');
}
