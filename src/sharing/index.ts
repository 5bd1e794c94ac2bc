export { sharingService } from './sharing.service.ts';
export type { DecisionListItem, DecisionView, SharingService } from './sharing.service.ts';
export type { DecisionAnswers } from './sharing.answers.ts';
export { SharingNotFoundError } from './sharing.errors.ts';
export { sharingPaths } from './sharing.paths.ts';
export { decisionMakers } from './sharing.access.ts';
export { decisionListRow, personName } from './pages/names.ts';
export type { DecisionPanel } from './routes/context.ts';
export { decisionStatuses } from './sharing.status.ts';
