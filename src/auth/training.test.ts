import { describe, expect, it } from 'vitest';
import { needsTraining, trainingStatus } from './training.ts';

describe('data protection training status (R1.1, R2.2)', () => {
  it('is not recorded when there is no completion date', () => {
    expect(trainingStatus(null, '2026-11-30', 12)).toEqual({ state: 'not-recorded', expiresOn: null });
  });

  it('is current, with its expiry date, well inside the validity period', () => {
    expect(trainingStatus('2026-06-15', '2026-11-30', 12)).toEqual({
      state: 'current',
      expiresOn: '2027-06-15',
    });
    // Completed today.
    expect(trainingStatus('2026-11-30', '2026-11-30', 12)).toEqual({
      state: 'current',
      expiresOn: '2027-11-30',
    });
  });

  it('expires soon from 30 days before its expiry date, and counts up to and including that date', () => {
    expect(trainingStatus('2025-12-31', '2026-11-30', 12)).toEqual({
      state: 'current',
      expiresOn: '2026-12-31',
    });
    expect(trainingStatus('2025-12-30', '2026-11-30', 12)).toEqual({
      state: 'expiring',
      expiresOn: '2026-12-30',
    });
    expect(trainingStatus('2025-11-30', '2026-11-30', 12)).toEqual({
      state: 'expiring',
      expiresOn: '2026-11-30',
    });
  });

  it('lapses the day after its expiry date', () => {
    expect(trainingStatus('2025-11-29', '2026-11-30', 12)).toEqual({
      state: 'lapsed',
      expiresOn: '2026-11-29',
    });
    expect(trainingStatus('2019-04-01', '2026-11-30', 12)).toEqual({
      state: 'lapsed',
      expiresOn: '2020-04-01',
    });
  });

  it('holds the day back to the end of a shorter month', () => {
    expect(trainingStatus('2026-01-31', '2026-01-31', 1).expiresOn).toBe('2026-02-28');
    expect(trainingStatus('2026-03-31', '2026-03-31', 1).expiresOn).toBe('2026-04-30');
    expect(trainingStatus('2026-08-31', '2026-08-31', 6).expiresOn).toBe('2027-02-28');
    expect(trainingStatus('2026-12-31', '2026-12-31', 2).expiresOn).toBe('2027-02-28');
  });

  it('counts leap years: 29 February exists in 2028 but not in 2027', () => {
    expect(trainingStatus('2028-01-31', '2028-01-31', 1).expiresOn).toBe('2028-02-29');
    expect(trainingStatus('2028-02-29', '2028-02-29', 12).expiresOn).toBe('2029-02-28');
    expect(trainingStatus('2027-02-28', '2027-02-28', 12).expiresOn).toBe('2028-02-28');
    expect(trainingStatus('2024-02-29', '2024-02-29', 48).expiresOn).toBe('2028-02-29');
    // The day after the held-back expiry, it has lapsed.
    expect(trainingStatus('2028-02-29', '2029-03-01', 12).state).toBe('lapsed');
    expect(trainingStatus('2028-02-29', '2029-02-28', 12).state).toBe('expiring');
  });

  it('follows the validity period the policy pack sets', () => {
    expect(trainingStatus('2025-06-01', '2026-11-30', 24)).toEqual({
      state: 'current',
      expiresOn: '2027-06-01',
    });
    expect(trainingStatus('2025-06-01', '2026-11-30', 12).state).toBe('lapsed');
    expect(trainingStatus('2026-10-31', '2026-11-30', 1)).toEqual({
      state: 'expiring',
      expiresOn: '2026-11-30',
    });
  });

  it('warns before sharing only when training has lapsed or was never recorded', () => {
    expect(needsTraining({ state: 'lapsed', expiresOn: '2026-01-01' })).toBe(true);
    expect(needsTraining({ state: 'not-recorded', expiresOn: null })).toBe(true);
    expect(needsTraining({ state: 'expiring', expiresOn: '2026-12-01' })).toBe(false);
    expect(needsTraining({ state: 'current', expiresOn: '2027-06-01' })).toBe(false);
  });
});
