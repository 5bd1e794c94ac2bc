import { sql, type Kysely } from 'kysely';

/**
 * In-app notifications, e-mail waiting to be sent (written in the same transaction as the change
 * that causes it, so no mail goes out for a change that rolled back), and the runs of scheduled jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      user_id uuid NOT NULL REFERENCES users (id),
      kind text NOT NULL,
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
      link text NOT NULL CHECK (link ~ '^/'),
      created_at timestamptz NOT NULL,
      read_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      to_address text NOT NULL,
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL,
      created_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_error text,
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX mail_outbox_pending_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE job_runs (
      job text NOT NULL,
      period text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      outcome text,
      PRIMARY KEY (job, period)
    )`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the notifications migration cannot be reversed: restore from a backup instead');
}
