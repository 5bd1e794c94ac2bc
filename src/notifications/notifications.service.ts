import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import {
  activeRecipient,
  insertNotification,
  markRead,
  notificationRows,
  ownerOf,
  queueMail,
  unreadCount,
  type NotificationRow,
} from './notifications.repository.ts';

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

function notificationOf(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    body: row.body,
    link: row.link,
    createdAt: row.created_at,
    read: row.read_at !== null,
  };
}

/** The transaction of the change that causes a notice (a database handle is never passed: see notify). */
type NoticeTransaction = Parameters<typeof insertNotification>[0];

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
    async notify(trx: NoticeTransaction, notice: Notice): Promise<void> {
      const now = clock.now();
      await insertNotification(trx, {
        organisation_id: notice.organisationId,
        user_id: notice.userId,
        kind: notice.kind,
        subject: notice.subject,
        body: notice.body,
        link: notice.link,
        created_at: now,
      });
      const recipient = await activeRecipient(trx, notice.userId);
      if (recipient === undefined) return;
      await queueMail(trx, {
        organisation_id: notice.organisationId,
        to_address: recipient,
        subject: notice.subject,
        body: `${notice.body}\n\nOpen Safeshare to see it: ${deps.baseUrl}${notice.link}\n\nThis message does not contain personal information. Sign in to see the details.`,
        at: now,
      });
    },

    /**
     * Queues an e-mail to someone who is not on the staff (a secure exchange recipient), in the
     * caller's transaction. The caller writes it without personal information: it says who sent
     * something and links to it, nothing more.
     */
    async mailTo(
      trx: NoticeTransaction,
      mail: {
        readonly organisationId: string;
        readonly to: string;
        readonly subject: string;
        readonly body: string;
      },
    ): Promise<void> {
      await queueMail(trx, {
        organisation_id: mail.organisationId,
        to_address: mail.to,
        subject: mail.subject,
        body: mail.body,
        at: clock.now(),
      });
    },

    async forUser(userId: string, limit = 50): Promise<Notification[]> {
      return (await notificationRows(db, userId, { limit, offset: 0 })).map(notificationOf);
    },

    async unreadCount(userId: string): Promise<number> {
      return unreadCount(db, userId);
    },

    /** One page (from 1) of the member of staff's notifications, newest first. */
    async page(userId: string, page: number): Promise<NotificationPage> {
      const rows = await notificationRows(db, userId, {
        limit: notificationPageSize + 1,
        offset: (page - 1) * notificationPageSize,
      });
      return {
        notifications: rows.slice(0, notificationPageSize).map(notificationOf),
        hasNext: rows.length > notificationPageSize,
      };
    },

    /** Marks one of the member of staff's own notifications read; someone else's is refused, not changed. */
    async markRead(userId: string, notificationId: string): Promise<'marked' | 'not-found' | 'not-theirs'> {
      const owner = await ownerOf(db, notificationId);
      if (owner === undefined) return 'not-found';
      if (owner !== userId) return 'not-theirs';
      await markRead(db, userId, notificationId, clock.now());
      return 'marked';
    },

    /** Marks every unread notification of the member of staff read; returns how many. */
    async markAllRead(userId: string): Promise<number> {
      return markRead(db, userId, undefined, clock.now());
    },
  };
}

export type NotificationsService = ReturnType<typeof notificationsService>;
