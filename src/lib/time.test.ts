import { describe, expect, it } from 'vitest';
import { formatDateTime, londonToday } from './time.ts';

describe('formatDateTime', () => {
  it('writes London times in the GOV.UK style, with the hour after midday and midnight as 12', () => {
    expect(formatDateTime('2026-12-04T12:49:00Z')).toBe('4 December 2026 at 12:49pm');
    expect(formatDateTime('2026-12-04T00:05:00Z')).toBe('4 December 2026 at 12:05am');
    expect(formatDateTime('2026-11-30T09:05:00Z')).toBe('30 November 2026 at 9:05am');
    // British Summer Time: an hour ahead of UTC.
    expect(formatDateTime('2026-07-01T16:30:00Z')).toBe('1 July 2026 at 5:30pm');
  });
});

describe('londonToday', () => {
  it("gives London's date at every instant of a year, through both clock changes", () => {
    const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });
    const wrong: string[] = [];
    // Every 10 minutes, and the minute either side of each midnight in both time zones.
    for (let at = Date.parse('2026-01-01T00:00:00Z'); at < Date.parse('2027-01-02T00:00:00Z'); at += 600_000)
      for (const instant of [at - 60_000, at, at + 60_000]) {
        const date = new Date(instant);
        if (londonToday(date) !== london.format(date)) wrong.push(date.toISOString());
      }
    expect(wrong).toEqual([]);
    expect(londonToday(new Date('2026-03-28T23:59:59Z'))).toBe('2026-03-28');
    expect(londonToday(new Date('2026-03-29T00:00:00Z'))).toBe('2026-03-29');
    expect(londonToday(new Date('2026-07-01T22:59:59Z'))).toBe('2026-07-01');
    expect(londonToday(new Date('2026-07-01T23:00:00Z'))).toBe('2026-07-02');
    expect(() => londonToday(new Date(Number.NaN))).toThrow(RangeError);
  });
});
