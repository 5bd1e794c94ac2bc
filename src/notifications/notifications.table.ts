import type { Generated } from 'kysely';

export interface NotificationsTable {
  id: Generated<string>;
  organisation_id: string;
  user_id: string;
  kind: string;
  subject: string;
  body: string;
  link: string;
  created_at: Date;
  read_at: Date | null;
}

export interface MailOutboxTable {
  id: Generated<string>;
  organisation_id: string;
  to_address: string;
  subject: string;
  body: string;
  created_at: Date;
  attempts: Generated<number>;
  next_attempt_at: Date;
  last_error: string | null;
  sent_at: Date | null;
}

export interface JobRunsTable {
  job: string;
  period: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: string | null;
}

export interface NotificationsTables {
  notifications: NotificationsTable;
  mail_outbox: MailOutboxTable;
  job_runs: JobRunsTable;
}
