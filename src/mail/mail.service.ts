import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { deliverDueMail, maxAttempts, type DeliveryReport } from './mail.delivery.ts';
import { outboxRow, outboxRows, type OutboxRow } from './mail.repository.ts';
import { readOutboxMessage, type Mailer } from './mailer.ts';

export const outboxPageSize = 50;

/** sent; pending (not tried yet); retrying (failed, will try again); failed (gave up: an administrator must look). */
export type OutboxStatus = 'sent' | 'pending' | 'retrying' | 'failed';

export interface OutboxEntry {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly createdAt: Date;
  readonly attempts: number;
  readonly status: OutboxStatus;
  readonly sentAt: Date | null;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
}

export interface OutboxPage {
  readonly entries: readonly OutboxEntry[];
  readonly hasNext: boolean;
}

function entryOf(row: OutboxRow): OutboxEntry {
  const status: OutboxStatus =
    row.sent_at !== null
      ? 'sent'
      : row.attempts >= maxAttempts
        ? 'failed'
        : row.attempts > 0
          ? 'retrying'
          : 'pending';
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    createdAt: row.created_at,
    attempts: row.attempts,
    status,
    sentAt: row.sent_at,
    nextAttemptAt: status === 'pending' || status === 'retrying' ? row.next_attempt_at : null,
    lastError: row.last_error,
  };
}

/** E-mail delivery (the outbox written by notify()) and what administrators see of it. */
export function mailService(deps: { readonly db: Db; readonly clock: Clock; readonly mailer: Mailer }) {
  const { db } = deps;
  return {
    mode: deps.mailer.mode,

    /** Sends what is due; safe to run on every app server at once. */
    async deliverDue(batchSize?: number): Promise<DeliveryReport> {
      return deliverDueMail(deps, batchSize);
    },

    /** One organisation's outbox, newest first; `page` counts from 1. */
    async outbox(organisationId: string, page: number): Promise<OutboxPage> {
      const rows = await outboxRows(db, organisationId, {
        limit: outboxPageSize + 1,
        offset: (page - 1) * outboxPageSize,
      });
      return { entries: rows.slice(0, outboxPageSize).map(entryOf), hasNext: rows.length > outboxPageSize };
    },

    /** One message of the organisation's outbox; undefined when it is not theirs or does not exist. */
    async outboxEntry(organisationId: string, id: string): Promise<OutboxEntry | undefined> {
      const row = await outboxRow(db, organisationId, id);
      return row === undefined ? undefined : entryOf(row);
    },

    /** The message as written to the outbox folder (folder mode only), headers and all. */
    async writtenMessage(entry: OutboxEntry): Promise<string | undefined> {
      if (deps.mailer.folder === undefined || entry.status !== 'sent') return undefined;
      return readOutboxMessage(deps.mailer.folder, entry.id);
    },
  };
}

export type MailService = ReturnType<typeof mailService>;
