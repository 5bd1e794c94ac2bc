import { addDays, addMonths } from '../lib/calendar.ts';

/**
 * Data protection training (R1.1, R2.2): each member of staff's last completion date, valid for the
 * months the policy pack sets (sharing.trainingValidMonths). Managers see their team's status, and
 * a practitioner whose training has lapsed is warned before sharing.
 */
export type TrainingState = 'current' | 'expiring' | 'lapsed' | 'not-recorded';

export interface TrainingStatus {
  readonly state: TrainingState;
  /** The last day the training counts, yyyy-mm-dd; null when none is recorded. */
  readonly expiresOn: string | null;
}

/** Training that expires within this many days is shown as expiring soon. */
export const trainingWarningDays = 30;

/** Completion dates before this are refused: the column's constraint says the same. */
export const earliestTrainingDate = '2000-01-01';

/**
 * The status of training completed on `completedOn` (yyyy-mm-dd, or null) as seen on `today`.
 * Training completed on 31 January with 1 month's validity expires on 28 (or 29) February: the day
 * is held back to the month's end. It counts up to and including its expiry date, and lapses the day
 * after.
 */
export function trainingStatus(
  completedOn: string | null,
  today: string,
  validMonths: number,
): TrainingStatus {
  if (completedOn === null) return { state: 'not-recorded', expiresOn: null };
  const expiresOn = addMonths(completedOn, validMonths);
  if (today > expiresOn) return { state: 'lapsed', expiresOn };
  if (expiresOn <= addDays(today, trainingWarningDays)) return { state: 'expiring', expiresOn };
  return { state: 'current', expiresOn };
}

/** Whether a practitioner should be warned before sharing (R1.1): no training recorded, or it has lapsed. */
export function needsTraining(status: TrainingStatus): boolean {
  return status.state === 'lapsed' || status.state === 'not-recorded';
}

/** The words and GOV.UK tag colour each state is shown with. */
export const trainingStateTags: Record<TrainingState, { readonly text: string; readonly classes: string }> = {
  current: { text: 'Current', classes: 'govuk-tag--green' },
  expiring: { text: 'Expires soon', classes: 'govuk-tag--yellow' },
  lapsed: { text: 'Lapsed', classes: 'govuk-tag--red' },
  'not-recorded': { text: 'Not recorded', classes: 'govuk-tag--grey' },
};
