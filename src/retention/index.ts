export { retentionService } from './retention.service.ts';
export { retentionRoutes } from './retention.routes.ts';
