export { consentService, reminderBody } from './consent.service.ts';
export type {
  ConsentDetails,
  ConsentHistoryItem,
  ConsentService,
  PeopleAccess,
  PersonConsents,
  ReviewItem,
  ReviewList,
} from './consent.service.ts';
export { checkConsent } from './consent.check.ts';
export type {
  CheckableConsent,
  ConsentCheckOutcome,
  ConsentCheckRequest,
  ConsentCheckResult,
  ConsentGaps,
} from './consent.check.ts';
export type { ConsentRecord, ConsentWithdrawal } from './consent.record.ts';
export { consentStatuses, consentStatusNames } from './consent.status.ts';
export type { ConsentStatus } from './consent.status.ts';
export { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
export { consentOutputsService } from './consent.outputs.service.ts';
export type { ConsentOutputsService } from './consent.outputs.service.ts';
export { consentPaths } from './consent.paths.ts';
export { consentRoutes } from './consent.routes.ts';
