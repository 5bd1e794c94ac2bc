import { sql, type Kysely } from 'kysely';

/**
 * Containment actions of an incident (R5.2): what was done to contain it, by whom and when; a task
 * (asking for a letter back, say) has a date it is due by and is marked done, and one not done by
 * then is overdue in the register.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE incident_actions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      incident_id uuid NOT NULL REFERENCES incidents (id),
      kind text NOT NULL CHECK (kind IN ('recall-package', 'retrieve', 'other')),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
      due_on date,
      recorded_by uuid NOT NULL REFERENCES users (id),
      recorded_at timestamptz NOT NULL,
      done_by uuid REFERENCES users (id),
      done_at timestamptz,
      CHECK ((done_at IS NULL) = (done_by IS NULL)),
      CHECK (kind <> 'retrieve' OR due_on IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX incident_actions_incident_idx ON incident_actions (incident_id, recorded_at)`.execute(
    db,
  );
  await sql`CREATE INDEX incident_actions_open_idx ON incident_actions (due_on) WHERE done_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE incident_actions`.execute(db);
}
