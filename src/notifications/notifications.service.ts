import type { Transaction } from 'kysely';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';

/**
 * A notice to one member of staff: shown in the app and e-mailed to their work address. Neither the
 * subject nor the body may carry personal data about a child or family (no names, dates of birth,
 * identifiers): say what kind of thing needs attention and link to it; the link opens in Safeshare,
 * behind sign-in and need-to-know.
 */
export interface Notice {
  readonly organisationId: string;
  readonly userId: string;
  /** Dotted kind, e.g. `consent.review_overdue`, `people.break_glass`. */
  readonly kind: string;
  readonly subject: string;
  readonly body: string;
  /** A path inside Safeshare, e.g. `/consents/reviews`. */
  readonly link: string;
}

export interface Notification {
  readonly id: string;
  readonly kind: string;
  readonly subject: string;
  readonly body: string;
  readonly link: string;
  readonly createdAt: Date;
  readonly read: boolean;
}

export const notificationPageSize = 50;

export interface NotificationPage {
  readonly notifications: readonly Notification[];
  readonly hasNext: boolean;
}

export function notificationsService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly baseUrl: string;
}) {
  const { db, clock } = deps;
  return {
    /**
     * Records the notice and queues its e-mail inside the caller's transaction: if the change that
     * caused it rolls back, nothing is shown or sent.
     */
    async notify(trx: Transaction<Database>, notice: Notice): Promise<void> {
      const now = clock.now();
      await trx
        .insertInto('notifications')
        .values({
          organisation_id: notice.organisationId,
          user_id: notice.userId,
          kind: notice.kind,
          subject: notice.subject,
          body: notice.body,
          link: notice.link,
          created_at: now,
        })
        .execute();
      const recipient = await trx
        .selectFrom('users')
        .select(['email', 'active'])
        .where('id', '=', notice.userId)
        .executeTakeFirst();
      if (recipient === undefined || !recipient.active) return;
      await trx
        .insertInto('mail_outbox')
        .values({
          organisation_id: notice.organisationId,
          to_address: recipient.email,
          subject: notice.subject,
          body: `${notice.body}\n\nOpen Safeshare to see it: ${deps.baseUrl}${notice.link}\n\nThis message does not contain personal information. Sign in to see the details.`,
          created_at: now,
          next_attempt_at: now,
        })
        .execute();
    },

    async forUser(userId: string, limit = 50): Promise<Notification[]> {
      const rows = await db
        .selectFrom('notifications')
        .select(['id', 'kind', 'subject', 'body', 'link', 'created_at', 'read_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        subject: row.subject,
        body: row.body,
        link: row.link,
        createdAt: row.created_at,
        read: row.read_at !== null,
      }));
    },

    async unreadCount(userId: string): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('unread'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.unread ?? 0);
    },

    /** One page (from 1) of the member of staff's notifications, newest first. */
    async page(userId: string, page: number): Promise<NotificationPage> {
      const rows = await db
        .selectFrom('notifications')
        .select(['id', 'kind', 'subject', 'body', 'link', 'created_at', 'read_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(notificationPageSize + 1)
        .offset((page - 1) * notificationPageSize)
        .execute();
      return {
        notifications: rows.slice(0, notificationPageSize).map((row) => ({
          id: row.id,
          kind: row.kind,
          subject: row.subject,
          body: row.body,
          link: row.link,
          createdAt: row.created_at,
          read: row.read_at !== null,
        })),
        hasNext: rows.length > notificationPageSize,
      };
    },

    /** Marks one of the member of staff's own notifications read; someone else's is refused, not changed. */
    async markRead(userId: string, notificationId: string): Promise<'marked' | 'not-found' | 'not-theirs'> {
      const notification = await db
        .selectFrom('notifications')
        .select(['user_id'])
        .where('id', '=', notificationId)
        .executeTakeFirst();
      if (notification === undefined) return 'not-found';
      if (notification.user_id !== userId) return 'not-theirs';
      await db
        .updateTable('notifications')
        .set({ read_at: clock.now() })
        .where('id', '=', notificationId)
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .execute();
      return 'marked';
    },

    /** Marks every unread notification of the member of staff read; returns how many. */
    async markAllRead(userId: string): Promise<number> {
      const result = await db
        .updateTable('notifications')
        .set({ read_at: clock.now() })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type NotificationsService = ReturnType<typeof notificationsService>;
