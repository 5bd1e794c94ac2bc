export { agreementsService, type Agreement, type AgreementsService } from './agreements.service.ts';
export { agreementsRoutes } from './agreements.routes.ts';
