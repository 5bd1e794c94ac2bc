import { addMonths } from '../lib/calendar.ts';

/**
 * When a retention period ends: `years` whole years after the day it runs from. A period running
 * from 29 February ends on 1 March in a year with no 29 February (in England a person born on 29
 * February comes of age on 1 March in a common year), never on 28 February: a record is kept at
 * least its full period, never a day short of it.
 */
export function periodEndsOn(from: string, years: number): string {
  const [year, month, day] = from.split('-').map(Number) as [number, number, number];
  const end = addMonths(from, years * 12);
  if (month === 2 && day === 29 && end.endsWith('-02-28'))
    return `${String(year + years).padStart(4, '0')}-03-01`;
  return end;
}

/**
 * The latest day a period of `years` may have started on to have ended by `asOf` (inclusive): a
 * record whose trigger date is on or before it is due. Lets each kind's query compare its indexed
 * trigger column with one bound, never computing a date per row. For every date `from`,
 * `periodEndsOn(from, years) <= asOf` exactly when `from <= latestStartFor(asOf, years)`.
 */
export function latestStartFor(asOf: string, years: number): string {
  // Going back `years` years holds 29 February back to 28 February, which is the bound wanted: a
  // period from 29 February has ended by 28 February of a common year only if it was a day earlier.
  return addMonths(asOf, -years * 12);
}
