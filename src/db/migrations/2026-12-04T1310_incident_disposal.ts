import { sql, type Kysely } from 'kysely';

/**
 * Disposal of incidents (ADR 0033, amended). An incident is about no one person: it is disposed of
 * as a record of its own, under the schedule's incidents entry, by the same two-person proposal and
 * approval, stopped by a legal hold on it, kept for longer with a reason, and recorded in
 * `disposals`. So a hold, an extension, a proposal and a disposal each name exactly one subject: a
 * person or an incident.
 *
 * `retention_erase_incident` (owner-side, like `retention_erase_person`) erases in place what an
 * incident says: what happened, the information involved, the actions taken and recorded, the
 * reasons given (not reportable, late, the safety check), how people were told, the lessons, and
 * why officers were told. Its reference, kind, dates, grading, the ICO's reference and its links
 * stay, so the register still counts it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['legal_holds', 'retention_extensions', 'disposal_proposals', 'disposals']) {
    await sql`
      ALTER TABLE ${sql.id(table)}
        ALTER COLUMN person_id DROP NOT NULL,
        ADD COLUMN incident_id uuid REFERENCES incidents (id),
        ADD CONSTRAINT ${sql.id(`${table}_one_subject`)} CHECK (num_nonnulls(person_id, incident_id) = 1)`.execute(
      db,
    );
  }
  for (const table of ['retention_extensions', 'disposal_proposals']) {
    await sql`ALTER TABLE ${sql.id(table)} DROP CONSTRAINT ${sql.id(`${table}_kind_check`)}`.execute(db);
    await sql`
      ALTER TABLE ${sql.id(table)} ADD CONSTRAINT ${sql.id(`${table}_kind_check`)} CHECK (
        kind IN ('consent-records', 'sharing-decisions', 'disclosures', 'exchange-packages', 'people', 'incidents')
        AND (kind = 'incidents') = (incident_id IS NOT NULL))`.execute(db);
  }
  await sql`ALTER TABLE disposals ADD CONSTRAINT disposals_incident_key UNIQUE (incident_id)`.execute(db);
  await sql`CREATE INDEX legal_holds_incident_idx ON legal_holds (incident_id) WHERE lifted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX retention_extensions_incident_idx ON retention_extensions (incident_id, keep_until DESC) WHERE incident_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX disposal_proposals_open_incident_key ON disposal_proposals (incident_id) WHERE status IN ('proposed', 'approved')`.execute(
    db,
  );

  await sql`
    CREATE FUNCTION retention_erase_incident(organisation uuid, incident uuid, disposal uuid, at timestamptz)
      RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
      erased constant text := 'Erased under the retention schedule';
      n_actions integer;
      n_officers integer;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM disposals d WHERE d.id = disposal AND d.incident_id = incident
                     AND d.organisation_id = organisation AND d.counts = '{}'::jsonb) THEN
        RAISE EXCEPTION 'no disposal % of this incident is being carried out', disposal USING ERRCODE = 'insufficient_privilege';
      END IF;
      UPDATE incidents SET what_happened = erased, information = erased, actions_taken = erased,
        not_reportable_reasons = CASE WHEN not_reportable_reasons IS NULL THEN NULL ELSE erased END,
        late_reason = CASE WHEN late_reason IS NULL THEN NULL ELSE erased END,
        lessons = CASE WHEN lessons IS NULL THEN NULL ELSE erased END,
        safety_reasons = CASE WHEN safety_reasons IS NULL THEN NULL ELSE erased END,
        told_how = CASE WHEN told_how IS NULL THEN NULL ELSE erased END
        WHERE id = incident AND organisation_id = organisation;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'incident % of organisation % does not exist', incident, organisation USING ERRCODE = 'no_data_found';
      END IF;
      UPDATE incident_actions SET description = erased WHERE incident_id = incident AND description <> erased;
      GET DIAGNOSTICS n_actions = ROW_COUNT;
      UPDATE incident_officers_told SET why = erased WHERE incident_id = incident AND why <> erased;
      GET DIAGNOSTICS n_officers = ROW_COUNT;
      RETURN jsonb_build_object('incidents', 1, 'containmentActions', n_actions, 'officersTold', n_officers);
    END
    $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION retention_erase_incident(uuid, uuid, uuid, timestamptz) FROM PUBLIC`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the incident disposal migration cannot be reversed: restore from a backup instead');
}
