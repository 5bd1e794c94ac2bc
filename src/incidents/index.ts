export { incidentsService } from './incidents.service.ts';
export { incidentsRoutes } from './incidents.routes.ts';
