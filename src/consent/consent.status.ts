/**
 * A consent's lifecycle. Its content never changes once recorded; these transitions are the only
 * changes, each written with its audit event and a line in the consent's history.
 *
 * ```
 *   given ──withdraw──▶ withdrawn        (R3.3: effective at once)
 *     │  ──expire────▶ expired
 *     │  ──supersede─▶ superseded       (a new consent replaces it after a review)
 *     └──review / markReviewOverdue──▶ given
 *   refused, not_sought ──supersede──▶ superseded; ──review / markReviewOverdue──▶ unchanged
 *   withdrawn, expired, superseded: final
 * ```
 */
export const consentStatuses = ['given', 'refused', 'withdrawn', 'expired', 'superseded', 'not_sought'] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

export type ConsentTransition = 'withdraw' | 'expire' | 'supersede' | 'review' | 'markReviewOverdue';

interface TransitionRule {
  readonly from: readonly ConsentStatus[];
  /** The status afterwards; `unchanged` keeps the current one (a review changes dates, not status). */
  readonly to: ConsentStatus | 'unchanged';
}

/** Statuses still in force: they have a review date to keep (R3.4). */
export const liveStatuses = ['given', 'refused', 'not_sought'] as const satisfies readonly ConsentStatus[];

export const consentTransitions = {
  withdraw: { from: ['given'], to: 'withdrawn' },
  expire: { from: ['given'], to: 'expired' },
  supersede: { from: liveStatuses, to: 'superseded' },
  review: { from: liveStatuses, to: 'unchanged' },
  markReviewOverdue: { from: liveStatuses, to: 'unchanged' },
} as const satisfies Record<ConsentTransition, TransitionRule>;

export function canTransition(status: ConsentStatus, transition: ConsentTransition): boolean {
  return (consentTransitions[transition].from as readonly ConsentStatus[]).includes(status);
}

/** The status after a transition, or undefined when the transition is not allowed from `status`. */
export function statusAfter(status: ConsentStatus, transition: ConsentTransition): ConsentStatus | undefined {
  if (!canTransition(status, transition)) return undefined;
  const to = consentTransitions[transition].to;
  return to === 'unchanged' ? status : to;
}

export const consentStatusNames: Record<ConsentStatus, string> = {
  given: 'Given',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  superseded: 'Superseded',
  not_sought: 'Not sought',
};

/** GOV.UK tag colours per status. */
export const consentStatusTagClasses: Record<ConsentStatus, string> = {
  given: 'govuk-tag--green',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--orange',
  expired: 'govuk-tag--grey',
  superseded: 'govuk-tag--grey',
  not_sought: 'govuk-tag--yellow',
};
