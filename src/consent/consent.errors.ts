import { RuleError } from '../lib/errors.ts';

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
  evidenceRefused: 'CONSENT.EVIDENCE_REFUSED',
} as const;

export type ConsentErrorCode = (typeof consentErrorCodes)[keyof typeof consentErrorCodes];

/**
 * A consent rule the answers break, with the form field it concerns: a rule error with one problem.
 * Nothing has been changed.
 */
export class ConsentRuleError extends RuleError {
  override readonly name: string = 'ConsentRuleError';

  constructor(code: ConsentErrorCode, field: string, message: string) {
    super([{ field, code, message }]);
  }

  override get code(): ConsentErrorCode {
    // The constructor takes only consent codes, so the one problem's code is one of them.
    return super.code as ConsentErrorCode;
  }
}
