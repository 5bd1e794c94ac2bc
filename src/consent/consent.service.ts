import { consentCore, type ConsentDependencies } from './consent.core.ts';
import { evidenceService } from './consent.evidence.ts';
import { jobsService } from './consent.jobs.service.ts';
import { lifecycleService } from './consent.lifecycle.service.ts';
import { queriesService } from './consent.queries.service.ts';
import { recordingService } from './consent.recording.service.ts';

export { toRecord } from './consent.core.ts';
export type { ConsentDependencies, ConsentHistoryItem } from './consent.core.ts';
export type { RecordingContext } from './consent.recording.service.ts';
export type { ConsentDetails } from './consent.queries.service.ts';

/**
 * The consent register (R3.1-R3.4), one service composed of its use cases: reading it, recording
 * consent, withdrawal and review, evidence, and the daily job. Each writes its audit events in the
 * same transaction as its change.
 */
export function consentService(deps: ConsentDependencies) {
  const core = consentCore(deps);
  return {
    find: core.find,
    recordView: core.recordView,
    /** Today in England by the service's clock, yyyy-mm-dd: forms check dates against it. */
    today: core.today,
    /** Evidence of how consent was given (R3.2), encrypted at rest. */
    evidence: evidenceService({
      db: deps.db,
      clock: deps.clock,
      audit: deps.audit,
      secretBox: deps.secretBox,
      find: core.find,
      person: core.person,
    }),
    ...queriesService(core),
    ...recordingService(core),
    ...lifecycleService(core),
    ...jobsService(core),
  };
}

export type ConsentService = ReturnType<typeof consentService>;
