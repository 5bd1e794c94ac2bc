import type { ConsentCheckOutcome } from '../consent/index.ts';

/**
 * What the consent register's answer means, in words: the advice summary an adviser reads
 * (sharing.advice.ts) and the decision pages both say it, so it lives outside the page layer.
 */
export const consentOutcomeNames: Record<ConsentCheckOutcome, string> = {
  covered: 'Consent in place that covers this share',
  'not-covered': 'Consent in place, but it does not cover all of this share',
  none: 'No consent recorded for this purpose',
  expired: 'Consent has expired',
  refused: 'Consent was refused',
  withdrawn: 'Consent was withdrawn',
};
