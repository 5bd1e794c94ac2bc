import type { Role } from '../lib/roles.ts';
import { defineLifecycle, type EventOf } from '../lib/lifecycle.ts';
import { decisionMakers } from './sharing.access.ts';

/**
 * A decision's lifecycle. A draft is edited section by section; when the rules say only approvals
 * stand in the way it waits for them, with its answers locked; once every approval is given it can
 * be recorded; a refusal or a withdrawn request returns it to draft. A draft no longer needed is
 * discarded (kept, out of every list). A recorded decision never
 * changes (the database refuses it); addenda follow it. Diagram: docs/lifecycles.md (generated
 * from this table by src/lib/lifecycle.diagrams.test.ts).
 */
export const decisionStatuses = ['draft', 'awaiting-approval', 'approved', 'recorded', 'discarded'] as const;
export type DecisionStatus = (typeof decisionStatuses)[number];

export const decisionStatusNames: Record<DecisionStatus, string> = {
  draft: 'Draft',
  'awaiting-approval': 'Waiting for approval',
  approved: 'Approved, not yet recorded',
  recorded: 'Recorded',
  discarded: 'Discarded',
};

/** Those who make decisions, on the pages and over the API (the routes' access rule). */
const deciders = decisionMakers;
/** Those who may be asked for approval: the roles a policy pack names, and line managers, who may hold any casework role. */
const approvers: readonly Role[] = [
  'practitioner',
  'manager',
  'caldicott_guardian',
  'dpo',
  'ig_lead',
  'child_protection_adviser',
];
// Finer rules the service keeps, since only it knows who started the decision and whom each request names.
const authorOnly = 'The service allows only the practitioner who started the decision.';
const approverOnly =
  "The service allows only an approver the request names (a role the policy pack names, or the author's line manager), never the one who asked.";

export const decisionLifecycle = defineLifecycle({
  name: 'Sharing decision',
  statuses: decisionStatuses,
  initial: ['draft'],
  events: {
    // R2.16: approval, where the policy pack asks for it, before the share proceeds.
    'send-for-approval': { from: ['draft'], to: 'awaiting-approval', roles: deciders, note: authorOnly },
    // The last approval given moves the decision on; earlier ones leave it waiting.
    'approve-all': { from: ['awaiting-approval'], to: 'approved', roles: approvers, note: approverOnly },
    refuse: { from: ['awaiting-approval'], to: 'draft', roles: approvers, note: approverOnly },
    'withdraw-request': {
      from: ['awaiting-approval', 'approved'],
      to: 'draft',
      roles: deciders,
      note: authorOnly,
    },
    // R2.20, ADR 0019: a child at immediate risk; recorded and shared now, the public-interest approval follows.
    'record-in-emergency': { from: ['draft'], to: 'recorded', roles: deciders, note: authorOnly },
    // R2.23: every decision is recorded. The API (POST /api/v1/decisions) records a complete decision in one step, under the same rule.
    record: { from: ['draft', 'approved'], to: 'recorded', roles: deciders, note: authorOnly },
    // A draft no longer needed is set aside, never deleted: its audit trail stays readable.
    discard: { from: ['draft'], to: 'discarded', roles: deciders, note: authorOnly },
  },
});

export type DecisionEvent = EventOf<typeof decisionLifecycle>;

export function nextStatus(from: DecisionStatus, event: DecisionEvent): DecisionStatus | undefined {
  return decisionLifecycle.next(from, event);
}

/** Only a draft's answers can change. */
export function isEditable(status: DecisionStatus): boolean {
  return status === 'draft';
}
