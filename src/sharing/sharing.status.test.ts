import { describe, expect, it } from 'vitest';
import { testApp } from '../../test/support/harness.ts';
import {
  decisionLifecycle,
  decisionStatuses,
  isEditable,
  nextStatus,
  type DecisionEvent,
  type DecisionStatus,
} from './sharing.status.ts';

// The table as it stood before lifecycles had one shape: re-expressing it must change no transition.
// Since then: the emergency route records a draft at once, its approval following (ADR 0019), and
// a draft no longer needed is discarded.
const transitionsBefore: Record<DecisionStatus, Partial<Record<DecisionEvent, DecisionStatus>>> = {
  draft: {
    'send-for-approval': 'awaiting-approval',
    record: 'recorded',
    'record-in-emergency': 'recorded',
    discard: 'discarded',
  },
  'awaiting-approval': { 'approve-all': 'approved', refuse: 'draft', 'withdraw-request': 'draft' },
  approved: { record: 'recorded', 'withdraw-request': 'draft' },
  recorded: {},
  discarded: {},
};

// The routes through which someone causes each event (the API records a complete decision in one step).
const routesCausing: Record<DecisionEvent, readonly string[]> = {
  'send-for-approval': ['POST /decisions/:id/send-for-approval'],
  'approve-all': ['POST /approvals/:approvalId'],
  refuse: ['POST /approvals/:approvalId'],
  'withdraw-request': ['POST /decisions/:id/withdraw-approval-request'],
  record: ['POST /decisions/:id/record', 'POST /api/v1/decisions'],
  'record-in-emergency': ['POST /decisions/:id/record-in-emergency'],
  discard: ['POST /decisions/:id/discard'],
};

describe('the decision lifecycle', () => {
  it('has the same statuses and transitions as before, and nothing else', () => {
    expect(decisionLifecycle.statuses).toEqual(decisionStatuses);
    expect(Object.keys(transitionsBefore).sort()).toEqual([...decisionStatuses].sort());
    for (const status of decisionStatuses) {
      for (const event of decisionLifecycle.eventNames) {
        expect(nextStatus(status, event), `${status} --${event}-->`).toBe(transitionsBefore[status][event]);
      }
    }
    expect(decisionStatuses.filter((status) => decisionLifecycle.isFinal(status))).toEqual([
      'recorded',
      'discarded',
    ]);
    expect(decisionStatuses.filter(isEditable)).toEqual(['draft']);
  });

  it('names, for each event, exactly the roles the routes that cause it admit', async () => {
    const { app } = await testApp();
    for (const event of decisionLifecycle.eventNames) {
      const admitted = new Set<string>();
      for (const route of routesCausing[event]) {
        const rule = app.routeRules.find((candidate) => `${candidate.method} ${candidate.url}` === route);
        expect(rule, route).toBeDefined();
        const access = rule?.access;
        expect(Array.isArray(access), `${route} is open to ${String(access)}`).toBe(true);
        if (Array.isArray(access)) for (const role of access as readonly string[]) admitted.add(role);
      }
      expect([...(decisionLifecycle.events[event].roles ?? [])].sort(), event).toEqual([...admitted].sort());
    }
  });

  it('lets an approver role answer a request but not send one', () => {
    expect(decisionLifecycle.can('awaiting-approval', 'approve-all', ['child_protection_adviser'])).toBe(
      true,
    );
    expect(decisionLifecycle.can('draft', 'send-for-approval', ['child_protection_adviser'])).toBe(false);
    expect(decisionLifecycle.can('draft', 'record', ['auditor'])).toBe(false);
  });
});
