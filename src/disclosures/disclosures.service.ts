import type { DisclosuresDependencies } from './disclosures.model.ts';
import { logService } from './disclosures.log.service.ts';
import { misdirectedService } from './disclosures.misdirected.service.ts';
import { recordingService } from './disclosures.record.service.ts';
import { withdrawalService } from './disclosures.withdrawal.service.ts';

export type {
  Disclosure,
  DisclosureContext,
  DisclosuresDependencies,
  HistoryEntry,
} from './disclosures.model.ts';

/**
 * The disclosure log: recording what was shared under a decision, reading it, following up
 * receipts, and misdirected information received. Each use case is its own module.
 */
export function disclosuresService(deps: DisclosuresDependencies) {
  return {
    ...recordingService(deps),
    ...logService(deps),
    ...misdirectedService(deps),
    ...withdrawalService(deps),
  };
}

export type DisclosuresService = ReturnType<typeof disclosuresService>;
