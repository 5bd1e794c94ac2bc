import { sql, type Kysely } from 'kysely';

/**
 * The emergency route (R2.20; ADR 0019): a decision recorded before its public-interest approval,
 * because a child was at immediate risk. The row says so for good: the risk the practitioner gave,
 * when the approval is due and, once, when its absence was escalated. Never deleted; only
 * `escalated_at` is ever set, once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sharing_emergencies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      decision_id uuid NOT NULL UNIQUE REFERENCES sharing_decisions (id),
      risk text NOT NULL CHECK (length(risk) BETWEEN 1 AND 4000),
      approve_by timestamptz NOT NULL,
      recorded_by uuid NOT NULL REFERENCES users (id),
      recorded_at timestamptz NOT NULL,
      escalated_at timestamptz,
      CHECK (approve_by > recorded_at)
    )`.execute(db);
  await sql`CREATE INDEX sharing_emergencies_due_idx ON sharing_emergencies (approve_by) WHERE escalated_at IS NULL`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION sharing_emergencies_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.escalated_at IS NOT NULL OR NEW.escalated_at IS NULL
        OR (NEW.id, NEW.organisation_id, NEW.decision_id, NEW.risk, NEW.approve_by, NEW.recorded_by, NEW.recorded_at)
          IS DISTINCT FROM (OLD.id, OLD.organisation_id, OLD.decision_id, OLD.risk, OLD.approve_by, OLD.recorded_by, OLD.recorded_at)
      THEN
        RAISE EXCEPTION 'an emergency share is kept: only its escalation is recorded, once' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER sharing_emergencies_guard BEFORE UPDATE OR DELETE ON sharing_emergencies FOR EACH ROW EXECUTE FUNCTION sharing_emergencies_guard()`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the emergency shares migration cannot be reversed: restore from a backup instead');
}
