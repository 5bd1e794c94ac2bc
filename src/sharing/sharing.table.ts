import type { ColumnType, Generated } from 'kysely';
import type { Adviser, Approver } from '../policy/index.ts';
import type { DecisionAnswers, Outcome } from './sharing.answers.ts';
import type { ApprovalKind, RecordedAssessment } from './sharing.assessment.ts';
import type { DecisionStatus } from './sharing.status.ts';

type Json<T> = ColumnType<T, string, string>;

export interface SharingDecisionsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  status: DecisionStatus;
  started_by: string;
  purpose_id: string | null;
  answers: Json<DecisionAnswers>;
  outcome: Outcome | null;
  policy_name: string;
  policy_version: string;
  assessment: Json<RecordedAssessment | null>;
  recorded_by: string | null;
  recorded_at: Date | null;
  /** The sharing agreement the share falls under, linked when it is recorded. */
  agreement_id: string | null;
  /** A routine share: what was pre-filled from the agreement and the consent, and who confirmed it. */
  routine: ColumnType<RoutineRecord | null, string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}

/** How a routine share was made: the agreement and consent it relied on, and who confirmed what was pre-filled. */
export interface RoutineRecord {
  readonly agreementId: string;
  readonly agreementReference: string;
  readonly consentIds: readonly string[];
  /** The answers that came from the agreement and the consent, as the confirmer saw them. */
  readonly prefilled: readonly string[];
  readonly confirmedBy: string;
  readonly confirmedByName: string;
  readonly confirmedAt: string;
}

export interface SharingDecisionPeopleTable {
  decision_id: string;
  person_id: string;
  organisation_id: string;
}

export type AdviceStatus = 'open' | 'answered';

export interface SharingAdviceRequestsTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  asked_by: string;
  adviser: Adviser;
  adviser_user_id: string | null;
  anonymised: boolean;
  question: string;
  summary: string;
  status: AdviceStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  created_at: Date;
}

export type ApprovalStatus = 'pending' | 'approved' | 'refused' | 'withdrawn';

export interface SharingApprovalsTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  kind: ApprovalKind;
  approvers: ColumnType<Approver[], readonly Approver[], readonly Approver[]>;
  line_manager_id: string | null;
  status: ApprovalStatus;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
}

export type AddendumKind = 'correction' | 'later-fact';

export interface SharingAddendaTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  kind: AddendumKind;
  body: string;
  written_by: string;
  written_at: Date;
}

/** A decision that relied on consent since withdrawn (R3.3): beside the decision, which never changes. */
export interface SharingDecisionConsentWithdrawalsTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  consent_id: string;
  person_id: string;
  /** yyyy-mm-dd. */
  withdrawn_on: string;
  marked_at: Date;
}

/** A decision recorded before its public-interest approval, a child being at immediate risk (ADR 0019). */
export interface SharingEmergenciesTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  risk: string;
  approve_by: Date;
  recorded_by: string;
  recorded_at: Date;
  escalated_at: Date | null;
}

export interface SharingTables {
  sharing_decisions: SharingDecisionsTable;
  sharing_decision_people: SharingDecisionPeopleTable;
  sharing_advice_requests: SharingAdviceRequestsTable;
  sharing_approvals: SharingApprovalsTable;
  sharing_addenda: SharingAddendaTable;
  sharing_decision_consent_withdrawals: SharingDecisionConsentWithdrawalsTable;
  sharing_emergencies: SharingEmergenciesTable;
}
