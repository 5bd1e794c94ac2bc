import type { Viewer } from '../auth/index.ts';
import { insertApproval } from './approval.repository.ts';
import type { DecisionRow, SharingTransaction } from './decision.repository.ts';
import type { SharingBasics } from './sharing.basics.ts';
import { sharingPaths } from './sharing.paths.ts';
import { approvalKindNames, type ApprovalKind, type NeededApproval } from './sharing.assessment.ts';

/**
 * Asks the approvers the policy names for each approval still needed (R2.16, R2.20), and tells
 * each of them at once, in the request's own transaction. Returns the kinds asked for.
 */
export async function requestApprovals(
  context: Pick<SharingBasics, 'clock' | 'colleagues'>,
  trx: SharingTransaction,
  viewer: Viewer,
  row: Pick<DecisionRow, 'id' | 'organisation_id' | 'reference'>,
  needed: readonly NeededApproval[],
  words: (kind: ApprovalKind) => { readonly subject: string; readonly body: string },
): Promise<ApprovalKind[]> {
  const { clock, colleagues } = context;
  const requested: ApprovalKind[] = [];
  for (const approval of needed.filter((entry) => entry.status !== 'approved')) {
    const lineManagerId = approval.approvers.includes('line-manager')
      ? await colleagues.requireLineManager(viewer)
      : null;
    await insertApproval(trx, {
      organisationId: row.organisation_id,
      decisionId: row.id,
      kind: approval.kind,
      approvers: approval.approvers,
      lineManagerId,
      requestedBy: viewer.userId,
      at: clock.now(),
    });
    await colleagues.notifyAll(
      trx,
      row.organisation_id,
      await colleagues.membersFor(row.organisation_id, approval.approvers, lineManagerId, viewer.userId),
      { kind: 'decision.approval_requested', ...words(approval.kind), link: sharingPaths.approvalQueue() },
    );
    requested.push(approval.kind);
  }
  return requested;
}

/** The words of an ordinary request for approval. */
export function approvalRequestWords(viewer: Viewer, reference: string) {
  return (kind: ApprovalKind) => ({
    subject: `Sharing decision ${reference} needs your approval`,
    body: `${viewer.displayName} asks for approval: ${approvalKindNames[kind].toLowerCase()}.`,
  });
}
