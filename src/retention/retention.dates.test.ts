import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../lib/calendar.ts';
import { latestStartFor, periodEndsOn } from './retention.dates.ts';

const day = fc
  .integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2100, 11, 31) })
  .map((time) => new Date(time).toISOString().slice(0, 10));

describe('retention periods (storage limitation)', () => {
  it('end the given number of whole years after the day they run from', () => {
    expect(periodEndsOn('2001-06-15', 25)).toBe('2026-06-15');
    expect(periodEndsOn('2020-12-31', 6)).toBe('2026-12-31');
    expect(periodEndsOn('2025-01-01', 1)).toBe('2026-01-01');
  });

  it('run from 29 February to 1 March in a common year (a 25th birthday), and to 29 February in a leap year', () => {
    expect(periodEndsOn('2004-02-29', 25)).toBe('2029-03-01');
    expect(periodEndsOn('2004-02-29', 24)).toBe('2028-02-29');
    expect(periodEndsOn('2004-02-29', 1)).toBe('2005-03-01');
  });

  it('give each kind one bound to compare its trigger with: due on the day the period ends, not the day before', () => {
    // Born 29 February 2004: due for the 25-year review on 1 March 2029, not on 28 February.
    expect('2004-02-29' <= latestStartFor('2029-02-28', 25)).toBe(false);
    expect('2004-02-29' <= latestStartFor('2029-03-01', 25)).toBe(true);
    // Born 28 February 2004: due on 28 February 2029.
    expect('2004-02-28' <= latestStartFor('2029-02-28', 25)).toBe(true);
    expect('2004-02-28' <= latestStartFor('2029-02-27', 25)).toBe(false);
    // Six years from the last action on 4 December 2020: due on 4 December 2026.
    expect('2020-12-04' <= latestStartFor('2026-12-04', 6)).toBe(true);
    expect('2020-12-05' <= latestStartFor('2026-12-04', 6)).toBe(false);
  });

  it('agree, for every day and period, with working out the end of each period one by one', () => {
    fc.assert(
      fc.property(day, day, fc.integer({ min: 1, max: 100 }), (from, asOf, years) => {
        expect(periodEndsOn(from, years) <= asOf).toBe(from <= latestStartFor(asOf, years));
      }),
      { numRuns: 5000 },
    );
  });

  it('never end a period a day early: the day before it ends, the record is not due', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 100 }), (from, years) => {
        const ends = periodEndsOn(from, years);
        expect(from <= latestStartFor(ends, years)).toBe(true);
        expect(from <= latestStartFor(addDays(ends, -1), years)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
