import type { AuditService } from '../audit/index.ts';
import type { StaffService } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { needToKnow } from './people.access.ts';
import { allocationsService } from './people.allocations.service.ts';
import { breakGlassService } from './people.break-glass.service.ts';
import { recordsService } from './people.records.service.ts';
import { searchService } from './people.search.service.ts';

export { PeopleRuleError, PersonAccessError } from './people.errors.ts';
export { relationshipNames } from './people.model.ts';
export type { PersonSummary } from './people.model.ts';

/**
 * The people capability: records and relationships, search, reasons for access ("break-glass") and
 * allocations, each its own use case over one need-to-know rule (invariant 4).
 */
export function peopleService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  /** Colleagues, line managers and role holders, from the staff list (auth owns it). */
  readonly staff: Pick<StaffService, 'colleague' | 'reportsOf' | 'activeHolders'>;
}) {
  const access = needToKnow(deps);
  return {
    ...recordsService({ ...deps, access }),
    ...searchService({ ...deps, access }),
    ...allocationsService({ ...deps, access }),
    ...breakGlassService(deps),
  };
}

export type PeopleService = ReturnType<typeof peopleService>;
