export { notificationsService } from './notifications.service.ts';
export type { Notice, Notification, NotificationsService } from './notifications.service.ts';
