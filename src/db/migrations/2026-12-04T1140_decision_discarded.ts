import { sql, type Kysely } from 'kysely';

/**
 * A draft decision no longer needed is discarded: kept (the audit trail names it) and shown in no
 * list. Only a draft may be discarded; a discarded draft, like a recorded decision, never changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sharing_decisions DROP CONSTRAINT sharing_decisions_status_check`.execute(db);
  await sql`ALTER TABLE sharing_decisions ADD CONSTRAINT sharing_decisions_status_check
    CHECK (status IN ('draft', 'awaiting-approval', 'approved', 'recorded', 'discarded'))`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION sharing_decisions_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION sharing_decisions_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'recorded' THEN
        RAISE EXCEPTION 'a recorded sharing decision cannot change: add an addendum' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`ALTER TABLE sharing_decisions DROP CONSTRAINT sharing_decisions_status_check`.execute(db);
  await sql`ALTER TABLE sharing_decisions ADD CONSTRAINT sharing_decisions_status_check
    CHECK (status IN ('draft', 'awaiting-approval', 'approved', 'recorded'))`.execute(db);
}
