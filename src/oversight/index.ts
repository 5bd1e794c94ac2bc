export { oversightService } from './oversight.service.ts';
export type { ActionItem, ActionSource, OversightService } from './oversight.service.ts';
export { oversightRoutes } from './oversight.routes.ts';
