export { oversightService } from './oversight.service.ts';
export { oversightRoutes } from './oversight.routes.ts';
export { recordsAbout } from './oversight.repository.ts';
