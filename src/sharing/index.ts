export { sharingService } from './sharing.service.ts';
export type {
  AdviceItem,
  AdviceRequestView,
  ApprovalItem,
  ApprovalView,
  ConsentFinding,
  DecisionListItem,
  DecisionView,
  SharingDependencies,
  SharingService,
} from './sharing.service.ts';
export { assessDecision, approvalKindNames, sectionTitles } from './sharing.rules.ts';
export type {
  ApprovalKind,
  Assessment,
  DecisionFacts,
  DecisionProblem,
  RecordedAssessment,
} from './sharing.rules.ts';
export { decisionAnswers, outcomeNames, outcomes, principles, sectionSchemas } from './sharing.answers.ts';
export type { DecisionAnswers, Outcome, SectionName } from './sharing.answers.ts';
export { decisionStatusNames } from './sharing.status.ts';
export type { DecisionStatus } from './sharing.status.ts';
export { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
export { sharingPaths } from './sharing.paths.ts';
export { decisionMakers } from './sharing.access.ts';
export { decisionListRow, personName } from './pages/names.ts';
export type { DecisionPanel } from './routes/context.ts';
