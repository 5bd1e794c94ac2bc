export { notificationsService } from './notifications.service.ts';
export type { NotificationsService } from './notifications.service.ts';
export { notificationsRoutes } from './notifications.routes.ts';
