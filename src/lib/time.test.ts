import { describe, expect, it } from 'vitest';
import { formatDateTime } from './time.ts';

describe('formatDateTime', () => {
  it('writes London times in the GOV.UK style, with the hour after midday and midnight as 12', () => {
    expect(formatDateTime('2026-12-04T12:49:00Z')).toBe('4 December 2026 at 12:49pm');
    expect(formatDateTime('2026-12-04T00:05:00Z')).toBe('4 December 2026 at 12:05am');
    expect(formatDateTime('2026-11-30T09:05:00Z')).toBe('30 November 2026 at 9:05am');
    // British Summer Time: an hour ahead of UTC.
    expect(formatDateTime('2026-07-01T16:30:00Z')).toBe('1 July 2026 at 5:30pm');
  });
});
