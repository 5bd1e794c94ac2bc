import { z } from 'zod';
import { dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import { choice, text, withdrawalMethods, withdrawers } from './consent.fields.ts';
import type { WithdrawalMethod, WithdrawnBy } from './consent.table.ts';

/** The forms of a consent's life after it is recorded: withdrawal (R3.3) and review (R3.4). */

export interface WithdrawalAnswers {
  readonly withdrawnOn: string;
  readonly method: WithdrawalMethod;
  readonly by: WithdrawnBy;
  readonly note: string | null;
}

export const withdrawalFields = [
  ...dateFieldNames('withdrawnOn'),
  'withdrawalMethod',
  'withdrawnBy',
  'withdrawalNote',
] as const;

/** Withdrawal: when and how it was received, and from whom. It cannot predate the consent or lie in the future. */
export function withdrawalForm(context: { readonly today: string; readonly givenOn: string }) {
  return z
    .strictObject({
      ...dateParts('withdrawnOn'),
      withdrawalMethod: choice(withdrawalMethods, 'Select how the withdrawal was received'),
      withdrawnBy: choice(withdrawers, 'Select who withdrew consent'),
      withdrawalNote: text('the note', 4000),
    })
    .transform((raw, ctx): WithdrawalAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const withdrawnOn = readDate(raw, 'withdrawnOn');
      if (withdrawnOn.kind === 'blank') problem('withdrawnOn', 'Enter the date the withdrawal was received');
      else if (withdrawnOn.kind === 'invalid')
        problem('withdrawnOn', 'Date the withdrawal was received must be a real date');
      else if (withdrawnOn.value > context.today)
        problem('withdrawnOn', 'Date the withdrawal was received must be today or in the past');
      else if (withdrawnOn.value < context.givenOn)
        problem(
          'withdrawnOn',
          'Date the withdrawal was received must be on or after the date consent was given',
        );
      if (raw.withdrawalMethod === null)
        problem('withdrawalMethod', 'Select how the withdrawal was received');
      if (raw.withdrawnBy === null) problem('withdrawnBy', 'Select who withdrew consent');
      if (
        withdrawnOn.kind !== 'date' ||
        raw.withdrawalMethod === null ||
        raw.withdrawnBy === null ||
        ctx.issues.length > 0
      )
        return z.NEVER;
      return {
        withdrawnOn: withdrawnOn.value,
        method: raw.withdrawalMethod,
        by: raw.withdrawnBy,
        note: raw.withdrawalNote,
      };
    });
}

export type ReviewAnswers =
  | { readonly outcome: 'still_valid'; readonly nextReviewOn: string; readonly note: string | null }
  | { readonly outcome: 'changed' };

export const reviewFields = ['reviewOutcome', ...dateFieldNames('nextReviewOn'), 'reviewNote'] as const;

/** A review: the consent still stands until a new date, or it has changed and a new record replaces it. */
export function reviewForm(context: { readonly today: string }) {
  return z
    .strictObject({
      reviewOutcome: choice(['still_valid', 'changed'] as const, 'Select whether the consent is still valid'),
      ...dateParts('nextReviewOn'),
      reviewNote: text('the note', 4000),
    })
    .transform((raw, ctx): ReviewAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (raw.reviewOutcome === null) {
        problem('reviewOutcome', 'Select whether the consent is still valid');
        return z.NEVER;
      }
      if (raw.reviewOutcome === 'changed') return { outcome: 'changed' };
      const next = readDate(raw, 'nextReviewOn');
      if (next.kind === 'blank') problem('nextReviewOn', 'Enter the next review date');
      else if (next.kind === 'invalid') problem('nextReviewOn', 'Next review date must be a real date');
      else if (next.value <= context.today) problem('nextReviewOn', 'Next review date must be in the future');
      if (next.kind !== 'date' || ctx.issues.length > 0) return z.NEVER;
      return { outcome: 'still_valid', nextReviewOn: next.value, note: raw.reviewNote };
    });
}
