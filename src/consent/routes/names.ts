import type { ConsentOutcome } from '../consent.schema.ts';
import type {
  ChildCapacity,
  ConsentDecision,
  ConsentEventKind,
  HowGiven,
  PrevailingView,
  WithdrawalMethod,
  WithdrawnBy,
} from '../consent.table.ts';

/** The consent register's words for its own values, as the pages show them. */
export const decisionNames: Record<ConsentDecision, string> = {
  given: 'Consent given',
  refused: 'Consent refused',
  not_sought: 'Consent not sought',
};
export const capacityNames: Record<ChildCapacity, string> = {
  competent: 'Competent to make this decision',
  not_competent: 'Not competent to make this decision',
  not_assessed: 'Not assessed',
};
export const prevailingViewNames: Record<PrevailingView, string> = {
  child: 'The child or young person’s',
  parent_carer: 'The parent or carer’s',
};
export const howGivenNames: Record<HowGiven, string> = {
  written: 'In writing',
  verbal: 'Verbally',
  electronic: 'Electronically',
};
export const withdrawalMethodNames: Record<WithdrawalMethod, string> = {
  in_person: 'In person',
  telephone: 'By telephone',
  letter: 'By letter',
  email: 'By email',
};
export const withdrawnByNames: Record<WithdrawnBy, string> = {
  child: 'The child or young person',
  parent_carer: 'The parent or carer',
  both: 'Both',
};
export const eventNames: Record<ConsentEventKind, string> = {
  recorded: 'Recorded',
  reviewed: 'Consent reviewed',
  review_overdue: 'Review overdue',
  withdrawn: 'Consent withdrawn',
  expired: 'Consent expired',
  superseded: 'Replaced by a new record',
};
/** The banner on the consent page after a change: `?done=` names it, never personal data. */
export const outcomeNotices: Record<ConsentOutcome, string> = {
  recorded: 'Consent record saved.',
  superseded: 'Consent record saved. It replaces the record that was reviewed.',
  withdrawn: 'Withdrawal recorded. From now on this consent covers no sharing decision.',
  reviewed: 'Review recorded. The consent stands until its new review date.',
  evidence: 'Evidence uploaded.',
};

export function personName(person: {
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs: string | null;
}): string {
  return person.knownAs === null
    ? `${person.givenNames} ${person.familyName}`
    : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
}
