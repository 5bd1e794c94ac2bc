import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';

export interface OutboxRow {
  readonly id: string;
  readonly to_address: string;
  readonly subject: string;
  readonly created_at: Date;
  readonly attempts: number;
  readonly next_attempt_at: Date;
  readonly last_error: string | null;
  readonly sent_at: Date | null;
}

export interface DueMessage {
  readonly id: string;
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
  readonly attempts: number;
}

const outboxColumns = [
  'id',
  'to_address',
  'subject',
  'created_at',
  'attempts',
  'next_attempt_at',
  'last_error',
  'sent_at',
] as const;

/** One page of an organisation's outbox, newest first, with one row more than asked when there is a next page. */
export function outboxRows(
  db: Executor,
  organisationId: string,
  window: { readonly limit: number; readonly offset: number },
): Promise<OutboxRow[]> {
  return db
    .selectFrom('mail_outbox')
    .select(outboxColumns)
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .offset(window.offset)
    .execute();
}

export function outboxRow(db: Executor, organisationId: string, id: string): Promise<OutboxRow | undefined> {
  return db
    .selectFrom('mail_outbox')
    .select(outboxColumns)
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/**
 * The next message due, locked for this transaction; messages another server is sending are skipped,
 * so every app server may deliver at once.
 */
export function takeDueMessage(
  trx: Transaction<Database>,
  now: Date,
  maxAttempts: number,
): Promise<DueMessage | undefined> {
  return trx
    .selectFrom('mail_outbox')
    .select(['id', 'to_address', 'subject', 'body', 'attempts'])
    .where('sent_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .where('attempts', '<', maxAttempts)
    .orderBy('next_attempt_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export function recordFailedAttempt(
  db: Executor,
  id: string,
  failure: { readonly attempts: number; readonly error: string; readonly nextAttemptAt: Date },
): Promise<unknown> {
  return db
    .updateTable('mail_outbox')
    .set({ attempts: failure.attempts, last_error: failure.error, next_attempt_at: failure.nextAttemptAt })
    .where('id', '=', id)
    .execute();
}

export function recordSent(db: Executor, id: string, attempts: number, at: Date): Promise<unknown> {
  return db.updateTable('mail_outbox').set({ attempts, sent_at: at }).where('id', '=', id).execute();
}
