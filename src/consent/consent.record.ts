import type { Relationship } from '../people/people.table.ts';
import type { ConsentStatus } from './consent.status.ts';
import type {
  ChildCapacity,
  ConsentDecision,
  HowGiven,
  PrevailingView,
  WithdrawalMethod,
  WithdrawnBy,
} from './consent.table.ts';

export type {
  ChildCapacity,
  ConsentDecision,
  HowGiven,
  PrevailingView,
  WithdrawalMethod,
  WithdrawnBy,
} from './consent.table.ts';

/** A withdrawal as recorded (R3.3): when and how it was received, from whom, and who recorded it. */
export interface ConsentWithdrawal {
  readonly on: string;
  readonly method: WithdrawalMethod;
  readonly by: WithdrawnBy;
  readonly note: string | null;
  readonly recordedBy: string;
  readonly recordedAt: Date;
}

/**
 * One entry in the consent register: consent given or refused, or a decision not to seek it (R3.1,
 * R3.2). Dates are calendar dates as yyyy-mm-dd text. Ids of purposes, categories, methods,
 * retention forms and the not-sought reason are those of the policy pack `policyVersion` names.
 */
export interface ConsentRecord {
  readonly id: string;
  readonly organisationId: string;
  readonly personId: string;
  /** What was recorded; it never changes. */
  readonly decision: ConsentDecision;
  /** Where the record's lifecycle has reached (see consent.status.ts). */
  readonly status: ConsentStatus;
  readonly policyVersion: string;
  readonly givenByChild: boolean;
  /** The parent or carer with parental responsibility who gave or refused it, and how they are related to the child. */
  readonly parentCarer: { readonly personId: string; readonly relationship: Relationship } | null;
  readonly childCapacity: ChildCapacity | null;
  readonly capacityNotAssessedReason: string | null;
  readonly prevailingView: PrevailingView | null;
  readonly childView: string | null;
  readonly purposeIds: readonly string[];
  readonly useDescription: string | null;
  readonly recipientOrganisationIds: readonly string[];
  readonly recipientRoles: readonly string[];
  readonly methodIds: readonly string[];
  readonly categoryIds: readonly string[];
  readonly retentionPeriod: string | null;
  readonly retentionFormIds: readonly string[];
  readonly toldSharedWithoutConsent: boolean | null;
  readonly toldMayWithdraw: boolean | null;
  readonly howGiven: HowGiven | null;
  readonly evidenceNote: string | null;
  readonly notSoughtReasonId: string | null;
  readonly notSoughtDetail: string | null;
  /** When consent was given or refused, or the decision not to seek it was made. */
  readonly givenOn: string;
  readonly reviewOn: string;
  readonly expiresOn: string | null;
  readonly lastReviewedOn: string | null;
  /** Set by the daily job when the review date has passed; cleared by a review. */
  readonly reviewOverdueSince: string | null;
  readonly withdrawal: ConsentWithdrawal | null;
  readonly supersedesId: string | null;
  readonly supersededById: string | null;
  readonly recordedBy: string;
  readonly createdAt: Date;
}

export { londonToday } from '../lib/time.ts';
export { addDays, addMonths, realDate } from '../lib/calendar.ts';
