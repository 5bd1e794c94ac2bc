import type { RoutineRecord } from './sharing.table.ts';
import type { ConsentCheckResult } from '../consent/index.ts';
import type { PersonSummary } from '../people/index.ts';
import type { Adviser, Approver } from '../policy/index.ts';
import type { AdviceRow } from './advice.repository.ts';
import type { ApprovalRow } from './approval.repository.ts';
import type { DecisionListRow } from './decision.repository.ts';
import type { DecisionAnswers, Outcome } from './sharing.answers.ts';
import type { ApprovalKind, Assessment, PersonConsent, RecordedAssessment } from './sharing.rules.ts';
import type { DecisionStatus } from './sharing.status.ts';
import type { AddendumKind, AdviceStatus, ApprovalStatus } from './sharing.table.ts';

/**
 * What the sharing service answers with: decisions, advice and approvals as their readers see them.
 * Rows never leave the service; these are built from them here.
 */

export interface AdviceItem {
  readonly id: string;
  readonly decisionId: string;
  readonly adviser: Adviser;
  readonly anonymised: boolean;
  readonly question: string;
  readonly summary: string;
  readonly status: AdviceStatus;
  readonly answer: string | null;
  readonly askedByName: string;
  readonly answeredByName: string | null;
  readonly askedAt: Date;
  readonly answeredAt: Date | null;
}

export interface ApprovalItem {
  readonly id: string;
  readonly decisionId: string;
  readonly kind: ApprovalKind;
  readonly approvers: readonly Approver[];
  readonly status: ApprovalStatus;
  readonly requestedByName: string;
  readonly requestedAt: Date;
  readonly decidedByName: string | null;
  readonly decidedAt: Date | null;
  readonly reason: string | null;
}

export interface Addendum {
  readonly id: string;
  readonly kind: AddendumKind;
  readonly body: string;
  readonly writtenByName: string;
  readonly writtenAt: Date;
}

/** A person's consent as this decision sees it, with the record it relied on. */
export interface ConsentFinding extends PersonConsent {
  readonly personName: string;
  /** Every answer, one per recipient, for the detail the page shows. */
  readonly results: readonly ConsentCheckResult[];
}

export interface DecisionView {
  readonly id: string;
  readonly reference: string;
  readonly organisationId: string;
  readonly status: DecisionStatus;
  readonly startedBy: { readonly id: string; readonly name: string };
  readonly answers: DecisionAnswers;
  readonly outcome: Outcome | null;
  readonly policy: { readonly name: string; readonly version: string };
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly recordedAt: Date | null;
  readonly recordedByName: string | null;
  /** The sharing agreement the share falls under, linked when it was recorded. */
  readonly agreementId: string | null;
  /** A routine share: the agreement and consent it relied on, and who confirmed what was pre-filled. */
  readonly routine: RoutineRecord | null;
  readonly people: readonly PersonSummary[];
  /** Names of the organisations the answers mention (requester, recipients). */
  readonly organisationNames: Readonly<Record<string, string>>;
  readonly consent: readonly ConsentFinding[];
  /** The rules' view now (for a recorded decision: as it was recorded, from `recorded`). */
  readonly assessment: Assessment;
  readonly recorded: RecordedAssessment | null;
  readonly advice: readonly AdviceItem[];
  readonly approvals: readonly ApprovalItem[];
  readonly addenda: readonly Addendum[];
  /**
   * Consent the decision relied on that has since been withdrawn (R3.3): further disclosures under
   * it are refused. Earliest first.
   */
  readonly consentWithdrawals: readonly {
    readonly consentId: string;
    readonly personId: string;
    /** yyyy-mm-dd. */
    readonly withdrawnOn: string;
  }[];
  /**
   * Recorded in an emergency before its public-interest approval (R2.20; ADR 0019): the risk given,
   * when the approval is due, and where it stands. Further disclosures wait while it is refused or
   * overdue.
   */
  readonly emergency: {
    readonly risk: string;
    readonly recordedAt: Date;
    readonly approveBy: Date;
    readonly escalatedAt: Date | null;
    readonly approval: EmergencyApproval;
  } | null;
  readonly can: {
    readonly edit: boolean;
    readonly record: boolean;
    /** Only a public-interest approval not yet asked for stands in the way, and the pack allows the emergency route. */
    readonly recordInEmergency: boolean;
    readonly sendForApproval: boolean;
    readonly withdrawApprovalRequest: boolean;
    readonly discard: boolean;
    readonly askAdvice: boolean;
    readonly addAddendum: boolean;
  };
}

/** Where the approval of an emergency share stands: `overdue` is pending past its time. */
export type EmergencyApproval = 'pending' | 'overdue' | 'approved' | 'refused';

export interface DecisionListItem {
  readonly id: string;
  readonly reference: string;
  readonly status: DecisionStatus;
  readonly purposeId: string | null;
  readonly outcome: string | null;
  readonly startedByName: string;
  readonly peopleCount: number;
  readonly updatedAt: Date;
  readonly recordedAt: Date | null;
  /** The names of the people it is about whom the viewer may see, where the list shows them. */
  readonly peopleNames?: readonly string[];
}

/** The adviser's view of a request: the question and summary, and the decision only if they may open it. */
export interface AdviceRequestView extends AdviceItem {
  readonly decisionReference: string;
  readonly canAnswer: boolean;
  readonly canOpenDecision: boolean;
}

export interface ApprovalView extends ApprovalItem {
  readonly decision: DecisionView;
  readonly canDecide: boolean;
}

export function toAdviceItem(row: AdviceRow): AdviceItem {
  return {
    id: row.id,
    decisionId: row.decision_id,
    adviser: row.adviser,
    anonymised: row.anonymised,
    question: row.question,
    summary: row.summary,
    status: row.status,
    answer: row.answer,
    askedByName: row.asked_by_name,
    answeredByName: row.answered_by_name,
    askedAt: row.created_at,
    answeredAt: row.answered_at,
  };
}

export function toApprovalItem(row: ApprovalRow): ApprovalItem {
  return {
    id: row.id,
    decisionId: row.decision_id,
    kind: row.kind,
    approvers: row.approvers,
    status: row.status,
    requestedByName: row.requested_by_name,
    requestedAt: row.requested_at,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at,
    reason: row.reason,
  };
}

export function toListItem(row: DecisionListRow): DecisionListItem {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    purposeId: row.purpose_id,
    outcome: row.outcome,
    startedByName: row.started_by_name,
    peopleCount: row.people_count,
    updatedAt: row.updated_at,
    recordedAt: row.recorded_at,
  };
}
