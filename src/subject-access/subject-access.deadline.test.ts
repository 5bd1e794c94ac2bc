import { describe, expect, it } from 'vitest';
import { daysBetween, deadlineOn, dueOn, extendedDueOn, extensionFault } from './subject-access.deadline.ts';

describe('the one-month deadline (ICO: the corresponding date in the next month)', () => {
  it('is the same date in the next month', () => {
    expect(dueOn('2026-09-03')).toBe('2026-10-03');
    expect(dueOn('2026-12-04')).toBe('2027-01-04');
  });

  it('is the last day of the next month when it has no corresponding date', () => {
    expect(dueOn('2027-01-31')).toBe('2027-02-28');
    expect(dueOn('2026-03-31')).toBe('2026-04-30');
    expect(dueOn('2026-08-31')).toBe('2026-09-30');
  });

  it('counts 29 February in a leap year', () => {
    expect(dueOn('2028-01-31')).toBe('2028-02-29');
    expect(dueOn('2028-01-29')).toBe('2028-02-29');
    expect(dueOn('2028-02-29')).toBe('2028-03-29');
    // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
    expect(dueOn('2100-01-31')).toBe('2100-02-28');
  });

  it('crosses the year end', () => {
    expect(dueOn('2026-12-31')).toBe('2027-01-31');
  });
});

describe('the extension (Art 12(3)): up to two further months from the original deadline', () => {
  it('counts from the original deadline, not from receipt', () => {
    // Received 31 January 2027: due 28 February; two more months from then is 28 April, not 30 April.
    const original = dueOn('2027-01-31');
    expect(extendedDueOn(original, 2)).toBe('2027-04-28');
    expect(extendedDueOn(original, 1)).toBe('2027-03-28');
    expect(extendedDueOn('2026-12-31', 2)).toBe('2027-02-28');
    expect(extendedDueOn('2027-12-31', 2)).toBe('2028-02-29');
  });

  it('is one or two months, nothing else', () => {
    expect(() => extendedDueOn('2026-10-03', 3)).toThrow(RangeError);
    expect(() => extendedDueOn('2026-10-03', 0)).toThrow(RangeError);
    expect(() => extendedDueOn('2026-10-03', 1.5)).toThrow(RangeError);
  });

  it('is allowed once, with the requester told within the first month', () => {
    const request = { receivedOn: '2026-09-03', dueOn: '2026-10-03', extendedTo: null };
    expect(extensionFault(request, '2026-10-03', '2026-10-03')).toBeUndefined();
    expect(extensionFault(request, '2026-10-04', '2026-10-05')).toMatch(/within the first month/);
    expect(extensionFault(request, '2026-09-02', '2026-09-20')).toMatch(
      /on or after the request was received/,
    );
    expect(extensionFault(request, '2026-09-21', '2026-09-20')).toMatch(/today or in the past/);
    expect(extensionFault({ ...request, extendedTo: '2026-12-03' }, '2026-09-10', '2026-09-20')).toMatch(
      /only once/,
    );
  });
});

describe('days left and overdue', () => {
  const facts = { dueOn: '2026-10-03', extendedTo: null, closed: false };

  it('counts whole calendar days, across the clocks changing', () => {
    expect(daysBetween('2026-10-20', '2026-10-30')).toBe(10);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });

  it('has days left up to and on the deadline itself', () => {
    expect(deadlineOn(facts, '2026-09-03')).toEqual({
      kind: 'due',
      deadline: '2026-10-03',
      daysLeft: 30,
      extended: false,
    });
    expect(deadlineOn(facts, '2026-10-03')).toMatchObject({ kind: 'due', daysLeft: 0 });
  });

  it('is overdue the day after', () => {
    expect(deadlineOn(facts, '2026-10-04')).toEqual({
      kind: 'overdue',
      deadline: '2026-10-03',
      daysOverdue: 1,
      extended: false,
    });
  });

  it('runs to the extended deadline once extended', () => {
    const extended = { ...facts, extendedTo: '2026-12-03' };
    expect(deadlineOn(extended, '2026-10-04')).toMatchObject({ kind: 'due', daysLeft: 60, extended: true });
    expect(deadlineOn(extended, '2026-12-04')).toMatchObject({ kind: 'overdue', daysOverdue: 1 });
  });

  it('stops counting once the request is answered or refused', () => {
    expect(deadlineOn({ ...facts, closed: true }, '2027-01-01')).toEqual({
      kind: 'closed',
      deadline: '2026-10-03',
      extended: false,
    });
  });
});
