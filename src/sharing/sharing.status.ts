/**
 * A decision's lifecycle. A draft is edited section by section; when the rules say only approvals
 * stand in the way it waits for them, with its answers locked; once every approval is given it can
 * be recorded; a refusal or a withdrawn request returns it to draft. A recorded decision never
 * changes (the database refuses it); addenda follow it.
 *
 *   draft --send for approval--> awaiting-approval --all approved--> approved --record--> recorded
 *   draft --record (no approval needed)--> recorded
 *   awaiting-approval --refused / withdrawn--> draft
 */
export const decisionStatuses = ['draft', 'awaiting-approval', 'approved', 'recorded'] as const;
export type DecisionStatus = (typeof decisionStatuses)[number];

export const decisionStatusNames: Record<DecisionStatus, string> = {
  draft: 'Draft',
  'awaiting-approval': 'Waiting for approval',
  approved: 'Approved, not yet recorded',
  recorded: 'Recorded',
};

export type DecisionEvent = 'send-for-approval' | 'approve-all' | 'refuse' | 'withdraw-request' | 'record';

const transitions: Record<DecisionStatus, Partial<Record<DecisionEvent, DecisionStatus>>> = {
  draft: { 'send-for-approval': 'awaiting-approval', record: 'recorded' },
  'awaiting-approval': { 'approve-all': 'approved', refuse: 'draft', 'withdraw-request': 'draft' },
  approved: { record: 'recorded', 'withdraw-request': 'draft' },
  recorded: {},
};

export function nextStatus(from: DecisionStatus, event: DecisionEvent): DecisionStatus | undefined {
  return transitions[from][event];
}

/** Only a draft's answers can change. */
export function isEditable(status: DecisionStatus): boolean {
  return status === 'draft';
}
