export { subjectAccessService, type SubjectAccessService } from './subject-access.service.ts';
export { subjectAccessRoutes } from './subject-access.routes.ts';
