import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';

export interface NotificationRow {
  readonly id: string;
  readonly kind: string;
  readonly subject: string;
  readonly body: string;
  readonly link: string;
  readonly created_at: Date;
  readonly read_at: Date | null;
}

const notificationColumns = ['id', 'kind', 'subject', 'body', 'link', 'created_at', 'read_at'] as const;

export function insertNotification(
  trx: Transaction<Database>,
  notification: {
    organisation_id: string;
    user_id: string;
    kind: string;
    subject: string;
    body: string;
    link: string;
    created_at: Date;
  },
): Promise<unknown> {
  return trx.insertInto('notifications').values(notification).execute();
}

/**
 * Where a notice's e-mail goes: the member of staff's work address, when their account is active.
 * Notices sit below staff accounts in the picture, so this one read of `users` is made here.
 */
export async function activeRecipient(
  trx: Transaction<Database>,
  userId: string,
): Promise<string | undefined> {
  const recipient = await trx
    .selectFrom('users')
    .select(['email', 'active'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return recipient?.active === true ? recipient.email : undefined;
}

/** Queues a notice's e-mail in the outbox that mail delivery sends from, in the notice's transaction. */
export function queueMail(
  trx: Transaction<Database>,
  mail: { organisation_id: string; to_address: string; subject: string; body: string; at: Date },
): Promise<unknown> {
  return trx
    .insertInto('mail_outbox')
    .values({
      organisation_id: mail.organisation_id,
      to_address: mail.to_address,
      subject: mail.subject,
      body: mail.body,
      created_at: mail.at,
      next_attempt_at: mail.at,
    })
    .execute();
}

/** A member of staff's notifications, newest first. */
export function notificationRows(
  db: Executor,
  userId: string,
  window: { readonly limit: number; readonly offset: number },
): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .select(notificationColumns)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .offset(window.offset)
    .execute();
}

export async function unreadCount(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('unread'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.unread ?? 0);
}

export async function ownerOf(db: Executor, notificationId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select(['user_id'])
    .where('id', '=', notificationId)
    .executeTakeFirst();
  return row?.user_id;
}

/** Marks unread notifications of a member of staff read (one, or all when `notificationId` is undefined); returns how many. */
export async function markRead(
  db: Executor,
  userId: string,
  notificationId: string | undefined,
  at: Date,
): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
  if (notificationId !== undefined) query = query.where('id', '=', notificationId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
