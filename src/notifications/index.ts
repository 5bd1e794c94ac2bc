export { notificationPageSize, notificationsService } from './notifications.service.ts';
export type {
  Notice,
  Notification,
  NotificationPage,
  NotificationsService,
} from './notifications.service.ts';
export { notificationsRoutes } from './notifications.routes.ts';
export { notificationPaths } from './notifications.paths.ts';
