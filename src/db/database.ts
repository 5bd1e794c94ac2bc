import type { AgreementsTables } from '../agreements/agreements.table.ts';
import type { AuditTables } from '../audit/audit.table.ts';
import type { AuthTables } from '../auth/auth.table.ts';
import type { OidcTables } from '../auth/oidc.table.ts';
import type { ConsentTables } from '../consent/consent.table.ts';
import type { CustodyTables } from '../custody/custody.table.ts';
import type { DisclosuresTables } from '../disclosures/disclosures.table.ts';
import type { ExchangeTables } from '../exchange/exchange.table.ts';
import type { IncidentsTables } from '../incidents/incidents.table.ts';
import type { OrgsTables } from '../orgs/orgs.table.ts';
import type { NotificationsTables } from '../notifications/notifications.table.ts';
import type { PeopleTables } from '../people/people.table.ts';
import type { RetentionTables } from '../retention/retention.table.ts';
import type { SharingTables } from '../sharing/sharing.table.ts';
import type { SubjectAccessTables } from '../subject-access/subject-access.table.ts';

/** Every table Safeshare owns, assembled from each capability's table types. */
export interface Database
  extends
    AgreementsTables,
    AuditTables,
    AuthTables,
    OidcTables,
    ConsentTables,
    CustodyTables,
    DisclosuresTables,
    ExchangeTables,
    IncidentsTables,
    NotificationsTables,
    OrgsTables,
    PeopleTables,
    RetentionTables,
    SharingTables,
    SubjectAccessTables {}
