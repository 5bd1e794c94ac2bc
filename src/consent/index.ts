export { consentService } from './consent.service.ts';
export type { ConsentService } from './consent.service.ts';
export type { ConsentWithdrawn } from './consent.core.ts';
export { checkConsent } from './consent.check.ts';
export type { CheckableConsent, ConsentCheckOutcome, ConsentCheckResult } from './consent.check.ts';
export type { ConsentStatus } from './consent.status.ts';
export { consentOutputsService } from './consent.outputs.service.ts';
export { consentPaths } from './consent.paths.ts';
export { consentRoutes } from './consent.routes.ts';
export {
  checkEvidenceFile,
  evidenceExtensions,
  maxEvidenceBytes,
  sanitiseFileName,
  type EvidenceFile,
} from './consent.evidence.ts';
