import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, isApi } from '../web/web.plugin.ts';
import { notificationPaths } from './notifications.paths.ts';
import { notificationParams, notificationsListQuery } from './notifications.schema.ts';
import type { NotificationsService } from './notifications.service.ts';

export interface NotificationsRouteOptions {
  readonly notifications: NotificationsService;
}

const access = 'staff';

const doneNotices = {
  read: 'Notification marked as read.',
  'all-read': 'All notifications marked as read.',
} as const;

function viewerIdOf(request: FastifyRequest): string {
  // The access rule guarantees a signed-in viewer before any handler here runs.
  if (request.viewer === undefined) throw new Error('notifications page reached without a signed-in viewer');
  return request.viewer.userId;
}

/** Links in notifications are paths inside Safeshare; anything else (`//elsewhere`, `https:`) is not shown as a link. */
function isSafeshareLink(link: string): boolean {
  return /^\/(?![/\\])/.test(link);
}

/**
 * The signed-in member of staff's notifications, and the unread count in the header of every page
 * (one query on the partial index of unread notifications per signed-in page request).
 */
export const notificationsRoutes = fp<NotificationsRouteOptions>(
  async (app: FastifyInstance, options) => {
    const { notifications } = options;

    app.decorateRequest('unreadNotifications', undefined);
    // Registered after the web shell, so the session is already known.
    app.addHook('onRequest', async (request) => {
      if (request.viewer === undefined || isApi(request.url) || request.url.startsWith('/assets/')) return;
      request.unreadNotifications = await notifications.unreadCount(request.viewer.userId);
    });

    app.get(notificationPaths.list, { config: { access, audit: 'none' } }, async (request, reply) => {
      const query = notificationsListQuery.safeParse(request.query);
      if (!query.success) return reply.callNotFound();
      const { page, done } = query.data;
      const result = await notifications.page(viewerIdOf(request), page);
      if (page > 1 && result.notifications.length === 0) return reply.callNotFound();
      return reply.render('notifications/views/list.njk', {
        pageTitle: page > 1 ? `Notifications (page ${page})` : 'Notifications',
        notifications: result.notifications.map((notification) => ({
          ...notification,
          href: isSafeshareLink(notification.link) ? notification.link : undefined,
          markReadAction: notificationPaths.markRead(notification.id),
        })),
        unread: request.unreadNotifications ?? 0,
        notice: done === undefined ? undefined : doneNotices[done],
        markAllReadAction: notificationPaths.markAllRead,
        previousHref: page > 1 ? notificationPaths.page(page - 1) : undefined,
        nextHref: result.hasNext ? notificationPaths.page(page + 1) : undefined,
      });
    });

    app.post(notificationPaths.markAllRead, { config: { access, audit: 'none' } }, async (request, reply) => {
      await notifications.markAllRead(viewerIdOf(request));
      return reply.redirect(`${notificationPaths.list}?done=all-read`, 303);
    });

    app.post(
      `${notificationPaths.list}/:id/read`,
      { config: { access, audit: 'none' } },
      async (request, reply) => {
        const params = notificationParams.safeParse(request.params);
        if (!params.success) return reply.callNotFound();
        const outcome = await notifications.markRead(viewerIdOf(request), params.data.id);
        if (outcome === 'not-found') return reply.callNotFound();
        if (outcome === 'not-theirs') return forbidden(request, reply);
        return reply.redirect(`${notificationPaths.list}?done=read`, 303);
      },
    );
  },
  { name: 'safeshare-notifications' },
);
