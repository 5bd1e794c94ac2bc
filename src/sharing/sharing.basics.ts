import type { AgreementsService } from '../agreements/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { StaffService, Viewer } from '../auth/index.ts';
import type { ConsentService } from '../consent/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PersonSummary } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import type { DecisionAccess } from './decision.access.ts';
import type { SharingColleagues } from './sharing.colleagues.ts';

/** What sharing decisions need of other capabilities (each through its own service). */
export interface SharingDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: { requireAccess(viewer: Viewer, personId: string): Promise<PersonSummary> };
  readonly consent: Pick<ConsentService, 'checkMany'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  /** Line managers, supervisors and the holders of the roles that advise and approve. */
  readonly staff: Pick<StaffService, 'list' | 'member' | 'lineManagerOf' | 'trainingOf'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  /** The sharing agreements a decision rests on or is linked to (the ICO data sharing code). */
  readonly agreements: Pick<AgreementsService, 'covering' | 'list'>;
  readonly policy: PolicyPack;
}

/** What every sharing use case shares: the dependencies, who may see and do what, and the staff involved. */
export interface SharingBasics extends SharingDependencies {
  /** The day of the decision, yyyy-mm-dd (Europe/London). */
  readonly today: () => string;
  readonly packRef: { readonly name: string; readonly version: string };
  readonly colleagues: SharingColleagues;
  readonly access: DecisionAccess;
}
