export { disclosuresService, type DisclosuresService } from './disclosures.service.ts';
export { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
export { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
export { decisionDisclosuresPanel } from './disclosures.views.ts';
export { disclosurePaths } from './disclosures.paths.ts';
