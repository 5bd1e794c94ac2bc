import type { PeopleService } from '../people/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { ChannelsService, Sensitivity } from '../channels/index.ts';
import type { ConsentService } from '../consent/index.ts';
import type { CustodyService } from '../custody/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { ChannelMethodId, PolicyPack } from '../policy/index.ts';
import type { DecisionListItem, DecisionView, SharingService } from '../sharing/index.ts';
import { DisclosureRuleError } from './disclosures.errors.ts';
import type { DisclosureRow } from './disclosures.repository.ts';

/** What the disclosure log needs of other capabilities (each through its own service). */
export interface DisclosuresDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly sharing: Pick<SharingService, 'open' | 'mayOpen' | 'aboutPerson' | 'decisionsReliedOnWithdrawn'>;
  /**
   * The consent register, asked again at every disclosure (R3.3); and a withdrawn consent's record,
   * for telling those who already received information under it.
   */
  readonly consent: Pick<ConsentService, 'checkMany' | 'details'>;
  readonly channels: Pick<ChannelsService, 'advise' | 'adviseBetween' | 'checkChecklist'>;
  /** The relatives of the people concerned, whose names the subject-line checker looks for too. */
  readonly people: Pick<PeopleService, 'relativesNames'>;
  /** The off-site log, whose entry a hand-over in person is carried under (R4.3.3). */
  readonly custody: Pick<CustodyService, 'handOverEntries'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly policy: PolicyPack;
}

export interface Disclosure {
  readonly id: string;
  readonly decisionId: string;
  readonly decisionReference: string;
  readonly method: ChannelMethodId;
  readonly recipientName: string;
  readonly recipientRole: string;
  readonly recipientOrganisationId: string;
  readonly recipientOrganisationName: string;
  readonly recipientContact: string | null;
  readonly purposeId: string;
  readonly categoryIds: readonly string[];
  readonly description: string;
  readonly checklist: Readonly<Record<string, unknown>>;
  readonly methodAdvice: Readonly<Record<string, unknown>>;
  readonly policyVersion: string;
  /** In person: the off-site log entry it was carried under (R4.3.3). */
  readonly offSiteEntryId: string | null;
  readonly disclosedAt: Date;
  readonly disclosedByName: string;
  readonly receipt: {
    readonly dueOn: string | null;
    readonly confirmedAt: Date | null;
    readonly confirmedByName: string | null;
    readonly how: string | null;
    readonly overdue: boolean;
  };
}

export interface MisdirectedRecord {
  readonly id: string;
  readonly receivedOn: string;
  readonly method: string;
  readonly sender: string;
  readonly intendedFor: string;
  readonly whatArrived: string;
  readonly passedOn: boolean;
  readonly senderTold: boolean;
  readonly actionDetails: string;
  readonly recordedByName: string;
  readonly recordedAt: Date;
}

/** One line of a person's sharing history: a decision, or a disclosure made under one. */
export type HistoryEntry =
  | { readonly kind: 'decision'; readonly at: Date; readonly decision: DecisionListItem }
  | { readonly kind: 'disclosure'; readonly at: Date; readonly disclosure: Disclosure };

/** Where a disclosure can be made from: a recorded decision to share, its recipients and categories. */
export interface DisclosureContext {
  readonly decision: DecisionView;
  readonly sensitivity: Sensitivity;
  readonly disclosures: readonly Disclosure[];
}

/** A disclosure as the pages and the API show it; `today` (London) says whether its receipt is overdue. */
export function toDisclosure(row: DisclosureRow, today: string): Disclosure {
  return {
    id: row.id,
    decisionId: row.decision_id,
    decisionReference: row.decision_reference,
    method: row.method as ChannelMethodId,
    recipientName: row.recipient_name,
    recipientRole: row.recipient_role,
    recipientOrganisationId: row.recipient_organisation_id,
    recipientOrganisationName: row.recipient_organisation_name,
    recipientContact: row.recipient_contact,
    purposeId: row.purpose_id,
    categoryIds: row.category_ids,
    description: row.description,
    checklist: row.checklist,
    methodAdvice: row.method_advice,
    policyVersion: row.policy_version,
    offSiteEntryId: row.custody_item_id,
    disclosedAt: row.disclosed_at,
    disclosedByName: row.disclosed_by_name,
    receipt: {
      dueOn: row.receipt_due_on,
      confirmedAt: row.receipt_confirmed_at,
      confirmedByName: row.receipt_confirmed_by_name,
      how: row.receipt_how,
      overdue: row.receipt_due_on !== null && row.receipt_confirmed_at === null && row.receipt_due_on < today,
    },
  };
}

/** How sensitive a decision's information is, for the method policy (R4.6.5). */
export function sensitivityOf(decision: Pick<DecisionView, 'assessment'>): Sensitivity {
  // Information about a child or family held by children's services is confidential by nature;
  // special category and criminal offence information is more sensitive still.
  return decision.assessment.specialCategory || decision.assessment.criminalOffence
    ? 'special-category'
    : 'confidential';
}

/** The decision's recipient the answers name by their place in its list. */
export function recipientOf(decision: DecisionView, index: number) {
  const recipient = decision.answers.recipients?.recipients[index];
  if (recipient === undefined)
    throw DisclosureRuleError.of(
      'recipientIndex',
      'DISCLOSURE.RECIPIENT_NOT_DECIDED',
      'Select a recipient named in the decision',
    );
  return recipient;
}
