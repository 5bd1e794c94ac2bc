/** Stable codes for the consent register's refusals: the API reports them, the pages show the message. */
export const consentErrorCodes = {
  notFound: 'CONSENT.NOT_FOUND',
  alreadyWithdrawn: 'CONSENT.ALREADY_WITHDRAWN',
  notLive: 'CONSENT.NOT_LIVE',
  parentCarerUnknown: 'CONSENT.PARENT_CARER_UNKNOWN',
  noParentalResponsibility: 'CONSENT.NO_PARENTAL_RESPONSIBILITY',
  recipientUnknown: 'CONSENT.RECIPIENT_UNKNOWN',
  invalidDate: 'CONSENT.INVALID_DATE',
  supersedesInvalid: 'CONSENT.SUPERSEDES_INVALID',
} as const;

export type ConsentErrorCode = (typeof consentErrorCodes)[keyof typeof consentErrorCodes];

/** A consent rule the answers break, with the form field it concerns. Nothing has been changed. */
export class ConsentRuleError extends Error {
  override readonly name = 'ConsentRuleError';
  constructor(
    readonly code: ConsentErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The viewer may not see the person this consent is about: `not-found` (no such person, or another
 * organisation's: a 404), or `needs-reason` (their organisation's, but no allocation: the person's
 * page asks for a recorded reason first, invariant 4).
 */
export class ConsentAccessError extends Error {
  override readonly name = 'ConsentAccessError';
  constructor(
    readonly kind: 'not-found' | 'needs-reason',
    readonly personId: string,
  ) {
    super(kind === 'not-found' ? 'no such person' : 'a reason is needed to see this person');
  }
}
