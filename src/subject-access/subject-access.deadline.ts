import { addMonths } from '../lib/calendar.ts';

/**
 * The time limit of a subject access request (UK GDPR Art 12(3)), as the ICO counts it: from the day
 * the request is received to the corresponding calendar date in the next month (received 3 September,
 * due 3 October); where the next month has no such date, its last day (received 31 January, due 28
 * or 29 February). The limit may be extended once, by up to two further months, counted from the
 * original deadline, where the request is complex or one of several; the requester must be told within
 * the first month, with the reasons.
 */

/** The original deadline: one calendar month from the day of receipt. */
export function dueOn(receivedOn: string): string {
  return addMonths(receivedOn, 1);
}

/** The most an extension may add: two further months (Art 12(3)). */
export const maxExtensionMonths = 2;

/** The extended deadline, counted from the original deadline. */
export function extendedDueOn(originalDueOn: string, months: number): string {
  if (!Number.isInteger(months) || months < 1 || months > maxExtensionMonths)
    throw new RangeError('an extension is one or two months');
  return addMonths(originalDueOn, months);
}

export interface DeadlineFacts {
  readonly dueOn: string;
  readonly extendedTo: string | null;
  readonly closed: boolean;
}

export type DeadlineState =
  | { readonly kind: 'closed'; readonly deadline: string; readonly extended: boolean }
  | { readonly kind: 'due'; readonly deadline: string; readonly daysLeft: number; readonly extended: boolean }
  | {
      readonly kind: 'overdue';
      readonly deadline: string;
      readonly daysOverdue: number;
      readonly extended: boolean;
    };

/** Whole days from one calendar date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Where a request stands on a day: days left (0 on the deadline itself), or days overdue. */
export function deadlineOn(facts: DeadlineFacts, today: string): DeadlineState {
  const deadline = facts.extendedTo ?? facts.dueOn;
  const extended = facts.extendedTo !== null;
  if (facts.closed) return { kind: 'closed', deadline, extended };
  const left = daysBetween(today, deadline);
  return left >= 0
    ? { kind: 'due', deadline, daysLeft: left, extended }
    : { kind: 'overdue', deadline, daysOverdue: -left, extended };
}

/**
 * Whether an extension may be recorded on a day, and when the requester was told: once, while the
 * request is open, with the requester told within the first month (on or before the original
 * deadline) and not before the request was received.
 */
export function extensionFault(
  request: { readonly receivedOn: string; readonly dueOn: string; readonly extendedTo: string | null },
  toldOn: string,
  today: string,
): string | undefined {
  if (request.extendedTo !== null)
    return 'The deadline has already been extended: it can be extended only once';
  if (toldOn < request.receivedOn)
    return 'The date the requester was told must be on or after the request was received';
  if (toldOn > today) return 'The date the requester was told must be today or in the past';
  if (toldOn > request.dueOn)
    return 'The requester must be told of an extension within the first month: the deadline cannot be extended now';
  return undefined;
}
