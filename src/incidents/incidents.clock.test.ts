import { describe, expect, it } from 'vitest';
import { formatDateTime, londonInstant } from '../lib/time.ts';
import { deadlineOf, readClock, remindersDue } from './incidents.clock.ts';
import { outcomeOf } from './incidents.grading.ts';

const minute = 60_000;
const hour = 60 * minute;

describe('the 72-hour clock (UK GDPR Art 33)', () => {
  it('runs 72 real hours across the clocks going forward in March', () => {
    // Discovered on Saturday 27 March 2027 at 10:00 GMT; the clocks go forward at 01:00 on the 28th.
    const awareAt = londonInstant('2027-03-27', '10:00');
    expect(awareAt?.toISOString()).toBe('2027-03-27T10:00:00.000Z');
    const deadline = deadlineOf(awareAt ?? new Date(0));
    expect(deadline.toISOString()).toBe('2027-03-30T10:00:00.000Z');
    // Shown in London time, which is an hour ahead by then.
    expect(formatDateTime(deadline)).toBe('30 March 2027 at 11:00am');
  });

  it('runs 72 real hours across the clocks going back in October', () => {
    // Discovered on Saturday 30 October 2027 at 10:00 BST; the clocks go back at 02:00 on the 31st.
    const awareAt = londonInstant('2027-10-30', '10:00');
    expect(awareAt?.toISOString()).toBe('2027-10-30T09:00:00.000Z');
    const deadline = deadlineOf(awareAt ?? new Date(0));
    expect(deadline.toISOString()).toBe('2027-11-02T09:00:00.000Z');
    expect(formatDateTime(deadline)).toBe('2 November 2027 at 9:00am');
  });

  it('reads London wall-clock times at the changes: the skipped hour does not exist, the repeated one is the first', () => {
    expect(londonInstant('2027-03-28', '00:59')?.toISOString()).toBe('2027-03-28T00:59:00.000Z');
    expect(londonInstant('2027-03-28', '01:30')).toBeUndefined();
    expect(londonInstant('2027-03-28', '02:00')?.toISOString()).toBe('2027-03-28T01:00:00.000Z');
    expect(londonInstant('2027-10-31', '01:30')?.toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(londonInstant('2027-10-31', '02:00')?.toISOString()).toBe('2027-10-31T02:00:00.000Z');
    expect(londonInstant('2026-12-03', '23:59')?.toISOString()).toBe('2026-12-03T23:59:00.000Z');
  });

  it('is on time at exactly 72 hours and overdue a moment after', () => {
    const awareAt = new Date('2026-11-30T09:00:00Z');
    const atDeadline = readClock(awareAt, new Date(awareAt.getTime() + 72 * hour));
    expect(atDeadline).toMatchObject({ overdue: false, minutesLeft: 0, text: '0 minutes left' });
    const justAfter = readClock(awareAt, new Date(awareAt.getTime() + 72 * hour + 1));
    expect(justAfter).toMatchObject({ overdue: true, minutesLeft: -1, text: 'Overdue by 1 minute' });
    expect(readClock(awareAt, new Date(awareAt.getTime() + 30 * hour + 55 * minute + 30_000)).text).toBe(
      '41 hours 4 minutes left',
    );
    expect(readClock(awareAt, new Date(awareAt.getTime() + 75 * hour)).text).toBe(
      'Overdue by 3 hours 0 minutes',
    );
    expect(readClock(awareAt, new Date(awareAt.getTime() + 71 * hour)).text).toBe('1 hour 0 minutes left');
  });

  it('reminds at 24, 48 and 66 hours, and no more', () => {
    const awareAt = new Date('2026-11-30T09:00:00Z');
    const at = (hours: number) => remindersDue(awareAt, new Date(awareAt.getTime() + hours * hour));
    expect([at(0), at(23.99), at(24), at(47.99), at(48), at(65.99), at(66), at(200)]).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3,
    ]);
  });
});

describe('grading', () => {
  it('reports when harm is at least likely and at least minor, and tells people when it is also serious', () => {
    const grid = [1, 2, 3, 4, 5].map((likelihood) =>
      [1, 2, 3, 4, 5].map((severity) => outcomeOf(likelihood, severity).charAt(0)).join(''),
    );
    // n: not reportable, r: report, then "report-and-tell" also starts with r: check the tell cells apart.
    expect(grid).toEqual(['nnnnn', 'nnnnn', 'nrrrr', 'nrrrr', 'nrrrr']);
    expect(outcomeOf(3, 3)).toBe('report');
    expect(outcomeOf(3, 4)).toBe('report-and-tell');
    expect(outcomeOf(5, 5)).toBe('report-and-tell');
    expect(outcomeOf(2, 5)).toBe('not-reportable');
    expect(outcomeOf(5, 1)).toBe('not-reportable');
  });
});
