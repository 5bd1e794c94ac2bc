import { sql, type Kysely } from 'kysely';

/**
 * Disposal reaches what it kept whole before (ADR 0033, amended):
 * - a sharing decision about several people is erased with the last of them to be disposed of
 *   (until then it is kept whole, and counted, as before);
 * - replies received through the secure exchange to packages sent under an erased decision are
 *   crypto-shredded with the packages, and their files' names erased.
 * `retention_erase_person` is replaced; its signature, grant and checks are unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION retention_erase_person(organisation uuid, person uuid, disposal uuid, at timestamptz)
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
      n_reply_files integer;
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

      -- Sharing decisions about this person alone, or about others too whose records have all been
      -- disposed of already: a decision about several people is kept whole until its last person goes.
      SELECT coalesce(array_agg(dp.decision_id), '{}') INTO decision_ids FROM sharing_decision_people dp
        WHERE dp.person_id = person
          AND NOT EXISTS (SELECT 1 FROM sharing_decision_people other
                          WHERE other.decision_id = dp.decision_id AND other.person_id <> person
                            AND NOT EXISTS (SELECT 1 FROM disposals gone WHERE gone.person_id = other.person_id));
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

      -- Secure exchange packages sent under those decisions and the replies received to them: their
      -- keys destroyed (crypto-shredding, ADR 0020), their files' names erased.
      UPDATE exchange_objects o SET kek_id = NULL, wrapped_key = NULL, shredded_at = at
        WHERE o.shredded_at IS NULL AND o.id IN (
          SELECT p.message_object_id FROM exchange_packages p WHERE p.decision_id = ANY (decision_ids)
          UNION ALL
          SELECT f.object_id FROM exchange_package_files f JOIN exchange_packages p ON p.id = f.package_id
            WHERE p.decision_id = ANY (decision_ids)
          UNION ALL
          SELECT r.message_object_id FROM exchange_replies r JOIN exchange_packages p ON p.id = r.package_id
            WHERE p.decision_id = ANY (decision_ids)
          UNION ALL
          SELECT rf.object_id FROM exchange_reply_files rf JOIN exchange_replies r ON r.id = rf.reply_id
            JOIN exchange_packages p ON p.id = r.package_id WHERE p.decision_id = ANY (decision_ids));
      GET DIAGNOSTICS n_objects = ROW_COUNT;
      UPDATE exchange_reply_files rf SET name = 'erased'
        FROM exchange_replies r JOIN exchange_packages p ON p.id = r.package_id
        WHERE r.id = rf.reply_id AND p.decision_id = ANY (decision_ids) AND rf.name <> 'erased';
      GET DIAGNOSTICS n_reply_files = ROW_COUNT;
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
        'exchangeReplyFileNames', n_reply_files,
        'exchangePackagesEnded', n_packages,
        'consentDrafts', n_drafts,
        'breakGlassReasons', n_break_glass);
      RETURN counts;
    END
    $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the disposal completeness migration cannot be reversed: restore from a backup instead');
}
