export { addWorkingDays, disclosuresService, sensitivityOf } from './disclosures.service.ts';
export type {
  Disclosure,
  DisclosureContext,
  DisclosuresDependencies,
  DisclosuresService,
  HistoryEntry,
  MisdirectedRecord,
} from './disclosures.service.ts';
export { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
export { disclosurePaths } from './disclosures.paths.ts';
export { misdirected, newDisclosure, receipt } from './disclosures.schema.ts';
export type { MisdirectedAnswers, NewDisclosureAnswers, ReceiptAnswers } from './disclosures.schema.ts';
export { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
export { decisionDisclosuresPanel, disclosureRows, receiptTag } from './disclosures.views.ts';
export type { DisclosureRow } from './disclosures.views.ts';
