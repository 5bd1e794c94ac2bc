import { describe, expect, it } from 'vitest';
import { testApp } from '../../test/support/harness.ts';
import {
  canTransition,
  consentLifecycle,
  consentStatuses,
  liveStatuses,
  statusAfter,
  type ConsentStatus,
  type ConsentTransition,
} from './consent.status.ts';

// The table as it stood before lifecycles had one shape: re-expressing it must change no transition.
const live = ['given', 'refused', 'not_sought'] as const;
const transitionsBefore: Record<
  ConsentTransition,
  { from: readonly ConsentStatus[]; to: ConsentStatus | 'unchanged' }
> = {
  withdraw: { from: ['given'], to: 'withdrawn' },
  expire: { from: ['given'], to: 'expired' },
  supersede: { from: live, to: 'superseded' },
  review: { from: live, to: 'unchanged' },
  markReviewOverdue: { from: live, to: 'unchanged' },
};

// The routes through which a member of staff causes each event; expiry and overdue reviews are the daily job's alone.
const routesCausing: Record<ConsentTransition, readonly string[]> = {
  withdraw: ['POST /consents/:id/withdraw'],
  expire: [],
  supersede: ['POST /people/:personId/consents/new/check'],
  review: ['POST /consents/:id/review'],
  markReviewOverdue: [],
};

describe('the consent lifecycle', () => {
  it('has the same statuses and transitions as before, and nothing else', () => {
    expect(consentLifecycle.statuses).toEqual(consentStatuses);
    expect(liveStatuses).toEqual(live);
    expect([...consentLifecycle.eventNames].sort()).toEqual(Object.keys(transitionsBefore).sort());
    for (const status of consentStatuses) {
      for (const transition of consentLifecycle.eventNames) {
        const before = transitionsBefore[transition];
        const allowed = before.from.includes(status);
        expect(canTransition(status, transition), `${status} --${transition}-->`).toBe(allowed);
        expect(statusAfter(status, transition), `${status} --${transition}-->`).toBe(
          allowed ? (before.to === 'unchanged' ? status : before.to) : undefined,
        );
      }
    }
    expect(consentStatuses.filter((status) => consentLifecycle.isFinal(status))).toEqual([
      'withdrawn',
      'expired',
      'superseded',
    ]);
  });

  it('names, for each event, exactly the roles the routes that cause it admit, and none for the daily job', async () => {
    const { app } = await testApp();
    for (const event of consentLifecycle.eventNames) {
      const admitted = new Set<string>();
      for (const route of routesCausing[event]) {
        const rule = app.routeRules.find((candidate) => `${candidate.method} ${candidate.url}` === route);
        expect(rule, route).toBeDefined();
        const access = rule?.access;
        expect(Array.isArray(access), `${route} is open to ${String(access)}`).toBe(true);
        if (Array.isArray(access)) for (const role of access as readonly string[]) admitted.add(role);
      }
      expect([...(consentLifecycle.events[event].roles ?? [])].sort(), event).toEqual([...admitted].sort());
    }
  });

  it('lets the daily job expire a consent, but no member of staff', () => {
    expect(consentLifecycle.can('given', 'expire')).toBe(true);
    expect(consentLifecycle.can('given', 'expire', ['dpo', 'manager'])).toBe(false);
    expect(consentLifecycle.can('given', 'withdraw', ['practitioner'])).toBe(true);
    expect(consentLifecycle.can('given', 'withdraw', ['auditor'])).toBe(false);
  });
});
