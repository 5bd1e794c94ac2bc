export { retentionService, type RetentionService } from './retention.service.ts';
export { retentionRoutes } from './retention.routes.ts';
export { decisionRecords } from './retention.repository.ts';
