import type { Role } from '../lib/roles.ts';
import { defineLifecycle, type EventOf } from '../lib/lifecycle.ts';

/**
 * A consent's lifecycle. Its content never changes once recorded; these transitions are the only
 * changes, each written with its audit event and a line in the consent's history. Diagram:
 * docs/lifecycles.md (generated from this table by src/lib/lifecycle.diagrams.test.ts).
 */
export const consentStatuses = [
  'given',
  'refused',
  'withdrawn',
  'expired',
  'superseded',
  'not_sought',
] as const;
export type ConsentStatus = (typeof consentStatuses)[number];

/** Statuses still in force: they have a review date to keep (R3.4). */
export const liveStatuses = ['given', 'refused', 'not_sought'] as const satisfies readonly ConsentStatus[];

/** Those who record, review and withdraw consent (the consent routes' access rule). */
export const consentRecorders: readonly Role[] = ['practitioner', 'manager', 'dpo', 'caldicott_guardian'];
// Nobody on staff: the daily job (runReviewReminders) does these, by date.
const dailyJobOnly: readonly Role[] = [];

export const consentLifecycle = defineLifecycle({
  name: 'Consent',
  statuses: consentStatuses,
  // A consent is recorded as given, refused or not sought (R3.1).
  initial: liveStatuses,
  events: {
    // R3.3: effective at once; no new decision may rely on it (invariant 3).
    withdraw: { from: ['given'], to: 'withdrawn', roles: consentRecorders },
    expire: { from: ['given'], to: 'expired', roles: dailyJobOnly },
    // A new consent recorded after a review replaces the one in force.
    supersede: {
      from: liveStatuses,
      to: 'superseded',
      roles: consentRecorders,
      note: 'The service allows it only while recording a new consent for the same person.',
    },
    // A review changes dates, not status (R3.4).
    review: { from: liveStatuses, to: 'unchanged', roles: consentRecorders },
    markReviewOverdue: { from: liveStatuses, to: 'unchanged', roles: dailyJobOnly },
  },
});

export type ConsentTransition = EventOf<typeof consentLifecycle>;

export function canTransition(status: ConsentStatus, transition: ConsentTransition): boolean {
  return consentLifecycle.can(status, transition);
}

/** The status after a transition, or undefined when the transition is not allowed from `status`. */
export function statusAfter(status: ConsentStatus, transition: ConsentTransition): ConsentStatus | undefined {
  return consentLifecycle.next(status, transition);
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
