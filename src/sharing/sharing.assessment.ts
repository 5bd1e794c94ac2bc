import type { ConsentCheckOutcome } from '../consent/consent.table.ts';
import type { Adviser, Approver, PolicyPack } from '../policy/index.ts';
import type { SectionName } from './sharing.answers.ts';

/**
 * What the decision rules (sharing.rules.ts) are given and what they answer: the facts around a
 * decision, the assessment, and what is kept of it when the decision is recorded.
 */

export type ApprovalKind = 'public-interest' | 'bulk';
export const approvalKindNames: Record<ApprovalKind, string> = {
  'public-interest': 'Sharing on public-interest grounds',
  bulk: 'Bulk sharing',
};

/** A person's consent as the register answered for this share (the worst answer over the recipients). */
export interface PersonConsent {
  readonly personId: string;
  readonly outcome: ConsentCheckOutcome;
  readonly consentId?: string;
}

export interface AdviceFact {
  readonly adviser: Adviser;
  readonly status: 'open' | 'answered';
}

export interface ApprovalFact {
  readonly kind: ApprovalKind;
  readonly status: 'pending' | 'approved' | 'refused' | 'withdrawn';
}

export interface DecisionFacts {
  readonly pack: PolicyPack;
  /** The deciding organisation: recipients there make an internal share (R2.6, R2.9). */
  readonly organisationId: string;
  /** The day of the decision, yyyy-mm-dd (Europe/London). */
  readonly today: string;
  readonly consent: readonly PersonConsent[];
  readonly advice: readonly AdviceFact[];
  /** Approvals in the order they were asked for; the latest of each kind counts. */
  readonly approvals: readonly ApprovalFact[];
}

export interface DecisionProblem {
  readonly section: SectionName | 'advice' | 'approval';
  readonly code: string;
  readonly message: string;
}

export interface NeededApproval {
  readonly kind: ApprovalKind;
  readonly approvers: readonly Approver[];
  readonly status: ApprovalFact['status'] | 'not-requested';
}

export interface Assessment {
  /** Everything that stops the decision being recorded; empty means it can be. */
  readonly problems: readonly DecisionProblem[];
  readonly sharing: boolean;
  /** More people than the bulk threshold, or a transfer between IT systems (R2.16). */
  readonly bulk: boolean;
  /** Sharing without the consent that covers it, or against a refusal or withdrawal (R2.20). */
  readonly withoutConsent: boolean;
  readonly override: boolean;
  /** Every recipient works for the deciding organisation. */
  readonly internal: boolean;
  readonly specialCategory: boolean;
  readonly criminalOffence: boolean;
  readonly approvals: readonly NeededApproval[];
  /** "Unsure which law applies" and not yet answered by each adviser the pack needs (R2.3). */
  readonly lawAdviceOutstanding: boolean;
  /** Who must each answer when the practitioner is unsure which law applies (R2.3; pack sharing.lawAdvice). */
  readonly lawAdvisersNeeded: readonly Approver[];
  /** Of those, who has not yet answered. */
  readonly lawAdvisersOutstanding: readonly Approver[];
  /** Only approvals stand in the way: the decision can be sent for approval. */
  readonly readyForApproval: boolean;
  /**
   * Only a public-interest approval not yet asked for stands in the way, and the pack allows the
   * emergency route: the decision may be recorded now and approved after (R2.20; ADR 0019).
   */
  readonly emergencyPossible: boolean;
  readonly canRecord: boolean;
}

const sectionTitles: Record<SectionName, string> = {
  request: 'About the request',
  people: 'Who the information is about',
  recipients: 'Who will receive it',
  information: 'What will be shared',
  lawfulBasis: 'Lawful basis and consent',
  openness: 'Telling the family',
  safety: 'Safety and risks',
  outcome: 'Your decision',
};
export { sectionTitles };

const outcomeRank: Record<ConsentCheckOutcome, number> = {
  covered: 0,
  'not-covered': 1,
  none: 2,
  expired: 3,
  refused: 4,
  withdrawn: 5,
};

/** The answer that matters most when the register answered several times for one person. */
export function worstConsent(outcomes: readonly ConsentCheckOutcome[]): ConsentCheckOutcome {
  return outcomes.reduce<ConsentCheckOutcome>(
    (worst, outcome) => (outcomeRank[outcome] > outcomeRank[worst] ? outcome : worst),
    'covered',
  );
}

/** What the decision rested on when it was recorded, kept with it so that it can be proved later. */
export type RecordedAssessment = Pick<
  Assessment,
  'bulk' | 'withoutConsent' | 'override' | 'internal' | 'specialCategory' | 'criminalOffence'
> & {
  readonly consent: readonly PersonConsent[];
  readonly approvals: readonly {
    readonly kind: ApprovalKind;
    readonly approvedBy: string;
    readonly approvedAt: string;
  }[];
};
