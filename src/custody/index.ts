export { custodyService, type CustodyService } from './custody.service.ts';
export { custodyRoutes } from './custody.routes.ts';
