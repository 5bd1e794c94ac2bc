import type { ConsentCheckOutcome } from './consent.table.ts';
import type { ConsentRecord } from './consent.record.ts';

export type { ConsentCheckOutcome } from './consent.table.ts';

/** What the check needs of a consent record; a full ConsentRecord will do. */
export type CheckableConsent = Pick<
  ConsentRecord,
  | 'id'
  | 'personId'
  | 'status'
  | 'purposeIds'
  | 'recipientOrganisationIds'
  | 'recipientRoles'
  | 'methodIds'
  | 'categoryIds'
  | 'givenOn'
  | 'reviewOn'
  | 'expiresOn'
  | 'createdAt'
> & { readonly withdrawal: { readonly on: string } | null };

/** A proposed share, as a sharing decision describes it. */
export interface ConsentCheckRequest {
  readonly personId: string;
  readonly purposeId: string;
  readonly recipientOrganisationId?: string;
  readonly recipientRole?: string;
  readonly categoryIds: readonly string[];
  readonly methodId?: string;
  /** The day of the decision, yyyy-mm-dd. */
  readonly on: string;
}

/** What the consent does not reach: a share relying on it would need another basis for these. */
export interface ConsentGaps {
  readonly purpose?: true;
  readonly recipient?: true;
  readonly categories?: readonly string[];
  readonly methods?: readonly string[];
}

export interface ConsentCheckResult {
  readonly outcome: ConsentCheckOutcome;
  /**
   * The record the outcome rests on. With `none`, a record that consent was deliberately not sought
   * for this purpose, if there is one (R3.1).
   */
  readonly consentId?: string;
  readonly gaps?: ConsentGaps;
  /** The consent relied on is past its review date (R3.4): it still stands, but needs revisiting. */
  readonly reviewOverdue?: true;
}

/**
 * The consent register's answer to golden rule 4 (R2.20): does recorded consent cover this share?
 * Pure: the caller loads the person's records and passes the day.
 *
 * The most relevant record is the latest about this person and purpose, where a withdrawal counts
 * from the day it was received and a refusal or withdrawal beats consent given the same day. So a
 * later refusal or withdrawal always wins over earlier consent, and a withdrawn consent never covers
 * anything, from the moment it is recorded (R3.3, invariant 3). Superseded records are replaced by
 * their successors and never count.
 */
export function checkConsent(
  consents: readonly CheckableConsent[],
  request: ConsentCheckRequest,
): ConsentCheckResult {
  const about = consents.filter(
    (consent) =>
      consent.personId === request.personId &&
      consent.status !== 'superseded' &&
      consent.givenOn <= request.on,
  );
  const forPurpose = about.filter((consent) => consent.purposeIds.includes(request.purposeId));
  const candidates = forPurpose.filter((consent) => consent.status !== 'not_sought');

  const chosen = mostRelevant(candidates, request.on);
  if (chosen === undefined) {
    // Consent for other purposes does not stretch to this one (R2.7): say which record falls short.
    const otherConsent = mostRelevant(
      about.filter((consent) => standing(consent, request.on) === 'given'),
      request.on,
    );
    if (otherConsent !== undefined)
      return { outcome: 'not-covered', consentId: otherConsent.id, gaps: { purpose: true } };
    const notSought = mostRelevant(forPurpose, request.on);
    return notSought === undefined ? { outcome: 'none' } : { outcome: 'none', consentId: notSought.id };
  }

  const state = standing(chosen, request.on);
  if (state === 'not_sought') return { outcome: 'none', consentId: chosen.id };
  if (state !== 'given') return { outcome: state, consentId: chosen.id };

  const gaps = gapsOf(chosen, request);
  const reviewOverdue = chosen.reviewOn < request.on ? ({ reviewOverdue: true } as const) : {};
  if (gaps === undefined) return { outcome: 'covered', consentId: chosen.id, ...reviewOverdue };
  return { outcome: 'not-covered', consentId: chosen.id, gaps, ...reviewOverdue };
}

type Standing = 'given' | 'refused' | 'withdrawn' | 'expired' | 'not_sought';

/** A record's effect on a given day. */
function standing(consent: CheckableConsent, on: string): Standing {
  if (consent.status === 'withdrawn' || consent.withdrawal !== null) return 'withdrawn';
  if (consent.status === 'refused') return 'refused';
  if (consent.status === 'not_sought') return 'not_sought';
  if (consent.status === 'expired' || (consent.expiresOn !== null && on >= consent.expiresOn))
    return 'expired';
  // Only a live 'given' record reaches here; a superseded one has been filtered out by the caller.
  return consent.status === 'given' ? 'given' : 'expired';
}

/** Refusals and withdrawals outrank consent given on the same day: when in doubt, the person said no. */
const precedence: Record<Standing, number> = {
  withdrawn: 3,
  refused: 3,
  expired: 1,
  given: 1,
  not_sought: 0,
};

/** The day the record last spoke for the person: a withdrawal from the day it was received. */
function effectiveDate(consent: CheckableConsent): string {
  const withdrawnOn = consent.withdrawal?.on;
  return withdrawnOn !== undefined && withdrawnOn > consent.givenOn ? withdrawnOn : consent.givenOn;
}

function mostRelevant(consents: readonly CheckableConsent[], on: string): CheckableConsent | undefined {
  let best: CheckableConsent | undefined;
  for (const consent of consents) {
    if (best === undefined || compare(consent, best, on) > 0) best = consent;
  }
  return best;
}

function compare(a: CheckableConsent, b: CheckableConsent, on: string): number {
  const byDate = effectiveDate(a).localeCompare(effectiveDate(b));
  if (byDate !== 0) return byDate;
  const byPrecedence = precedence[standing(a, on)] - precedence[standing(b, on)];
  if (byPrecedence !== 0) return byPrecedence;
  return a.createdAt.getTime() - b.createdAt.getTime();
}

function gapsOf(consent: CheckableConsent, request: ConsentCheckRequest): ConsentGaps | undefined {
  const organisationInScope =
    request.recipientOrganisationId !== undefined &&
    consent.recipientOrganisationIds.includes(request.recipientOrganisationId);
  const role = request.recipientRole === undefined ? undefined : normaliseRole(request.recipientRole);
  const roleInScope =
    role !== undefined &&
    role !== '' &&
    consent.recipientRoles.some((candidate) => normaliseRole(candidate) === role);
  const categories = [
    ...new Set(request.categoryIds.filter((category) => !consent.categoryIds.includes(category))),
  ];
  const methods =
    request.methodId !== undefined && !consent.methodIds.includes(request.methodId) ? [request.methodId] : [];
  const gaps: { recipient?: true; categories?: readonly string[]; methods?: readonly string[] } = {};
  if (!organisationInScope && !roleInScope) gaps.recipient = true;
  if (categories.length > 0) gaps.categories = categories;
  if (methods.length > 0) gaps.methods = methods;
  return Object.keys(gaps).length === 0 ? undefined : gaps;
}

/** Roles are free text ("School nurse", "school  nurse"): compared without case or extra spaces. */
export function normaliseRole(role: string): string {
  return role.trim().replace(/\s+/g, ' ').toLowerCase();
}
