import { actorOf, type Viewer } from '../auth/index.ts';
import { isUuid } from '../lib/ids.ts';
import {
  approvalQueue,
  approvalsFor,
  decideApproval,
  findApproval,
  withdrawPendingApprovals,
  type ApprovalRow,
} from './approval.repository.ts';
import { approvalRequestWords, requestApprovals } from './approval.requests.ts';
import { mayDecide, rolesAnswering } from './decision.access.ts';
import { emergencyOf } from './emergency.repository.ts';
import { decisionsByIds, findDecision, setStatus } from './decision.repository.ts';
import type { SharingContext } from './sharing.context.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import { toApprovalItem, type ApprovalItem, type ApprovalView } from './sharing.model.ts';
import { sharingPaths } from './sharing.paths.ts';
import { approvalKindNames } from './sharing.rules.ts';
import { nextStatus } from './sharing.status.ts';

const listLimit = 50;

/** Approval of a decision (R2.16, R2.20): sending it, withdrawing it, the approver's answer and queue. */
export function approvalService(context: SharingContext) {
  const { db, clock, audit, notifications, access, views, colleagues, policy } = context;
  return {
    /** Sends the decision to the approvers the policy names (R2.16, R2.20); its answers are locked until they reply. */
    async sendForApproval(viewer: Viewer, id: string): Promise<void> {
      const before = await views.open(viewer, id);
      if (!before.can.sendForApproval) {
        const blocking = before.assessment.problems.filter((problem) => problem.section !== 'approval');
        throw blocking.length > 0
          ? SharingRuleError.fromProblems(blocking)
          : SharingRuleError.of(
              'decision',
              'DECISION.NO_APPROVAL_NEEDED',
              'This decision does not need approval now',
            );
      }
      await db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'send-for-approval');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision cannot be sent for approval now',
          );
        const requested = await requestApprovals(
          context,
          trx,
          viewer,
          row,
          before.assessment.approvals,
          approvalRequestWords(viewer, row.reference),
        );
        await setStatus(trx, id, status, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.sent_for_approval',
          entity: { type: 'sharing_decision', id },
          change: { approvals: requested },
        });
      });
    },

    /** Takes the decision back from the approvers, to change it; approvals given so far no longer count. */
    async withdrawApprovalRequest(viewer: Viewer, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'withdraw-request');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision is not waiting for approval',
          );
        const withdrawn = await withdrawPendingApprovals(trx, id);
        await setStatus(trx, id, status, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.approval_withdrawn',
          entity: { type: 'sharing_decision', id },
          change: { approvalsWithdrawn: withdrawn },
        });
      });
    },

    async approval(viewer: Viewer, approvalId: string): Promise<ApprovalView> {
      if (!isUuid(approvalId)) throw new SharingNotFoundError();
      const approval = await findApproval(db, approvalId);
      if (approval === undefined || approval.organisation_id !== viewer.organisationId)
        throw new SharingNotFoundError();
      const decision = await views.open(viewer, approval.decision_id, { audited: true });
      return {
        ...toApprovalItem(approval),
        decision,
        // An emergency share was recorded first: its approval is answered after (ADR 0019).
        canDecide:
          mayDecide(viewer, approval) &&
          approval.status === 'pending' &&
          (decision.status === 'awaiting-approval' ||
            (decision.status === 'recorded' && decision.emergency !== null)),
      };
    },

    /** The approver's answer (R2.16, R2.20). A refusal returns the decision to its author with the reason. */
    async decideApproval(
      viewer: Viewer,
      approvalId: string,
      answer: { readonly approve: boolean; readonly reason: string | null },
    ): Promise<string> {
      if (!isUuid(approvalId)) throw new SharingNotFoundError();
      if (!answer.approve && (answer.reason === null || answer.reason.trim() === ''))
        throw SharingRuleError.of('reason', 'APPROVAL.REASON', 'Give the reason for refusing');
      return db.transaction().execute(async (trx) => {
        const approval = await findApproval(trx, approvalId, { forUpdate: true });
        if (approval === undefined || approval.organisation_id !== viewer.organisationId)
          throw new SharingNotFoundError();
        const decision = await findDecision(trx, approval.decision_id, { forUpdate: true });
        if (decision === undefined) throw new SharingNotFoundError();
        if (!mayDecide(viewer, approval, false)) throw new SharingNotFoundError();
        const emergency = decision.status === 'recorded' ? await emergencyOf(trx, decision.id) : undefined;
        if (
          approval.status !== 'pending' ||
          (decision.status !== 'awaiting-approval' && emergency === undefined)
        )
          throw SharingRuleError.of(
            'approve',
            'APPROVAL.DECIDED',
            'This request has already been answered or withdrawn',
          );
        await decideApproval(trx, approvalId, {
          status: answer.approve ? 'approved' : 'refused',
          decidedBy: viewer.userId,
          reason: answer.reason,
          at: clock.now(),
        });
        const remaining = (await approvalsFor(trx, decision.id)).filter(
          (other) => other.status === 'pending',
        );
        const event = answer.approve ? (remaining.length === 0 ? 'approve-all' : undefined) : 'refuse';
        // A recorded (emergency) decision keeps its status: the answer stands beside it.
        const status =
          event === undefined || emergency !== undefined ? undefined : nextStatus(decision.status, event);
        if (!answer.approve) await withdrawPendingApprovals(trx, decision.id);
        if (status !== undefined) await setStatus(trx, decision.id, status, clock.now());
        await notifications.notify(trx, {
          organisationId: decision.organisation_id,
          userId: decision.started_by,
          kind: answer.approve ? 'decision.approved' : 'decision.approval_refused',
          subject: answer.approve
            ? `Sharing decision ${decision.reference}: approval given`
            : `Sharing decision ${decision.reference}: approval refused`,
          body: `${viewer.displayName} has ${answer.approve ? 'approved' : 'refused'}: ${approvalKindNames[approval.kind].toLowerCase()}.`,
          link: sharingPaths.decision(decision.id),
        });
        // Refused after an emergency share: the information has gone, so those who oversee it are told too.
        if (emergency !== undefined && !answer.approve)
          await colleagues.notifyAll(
            trx,
            decision.organisation_id,
            await colleagues.membersFor(
              decision.organisation_id,
              policy.sharing.approvals.emergency.escalateTo,
              null,
              viewer.userId,
            ),
            {
              kind: 'decision.emergency_refused',
              subject: `Emergency share ${decision.reference}: approval refused after the information was shared`,
              body: `${viewer.displayName} has refused the approval of an emergency share. No more information may be disclosed under it; consider whether what was shared should be recalled and whether it is an incident to report.`,
              link: sharingPaths.decision(decision.id),
            },
          );
        await audit.record(trx, {
          organisationId: decision.organisation_id,
          actor: actorOf(viewer),
          action: answer.approve ? 'approval.given' : 'approval.refused',
          entity: { type: 'sharing_approval', id: approvalId },
          change: {
            decisionId: decision.id,
            kind: approval.kind,
            reason: answer.reason,
            ...(emergency === undefined ? {} : { afterEmergencyShare: true }),
          },
        });
        return decision.id;
      });
    },

    /** An approver's queue, with the decisions' references. */
    async approvalQueue(viewer: Viewer): Promise<{
      pending: (ApprovalItem & { reference: string })[];
      decided: (ApprovalItem & { reference: string })[];
    }> {
      const roles = rolesAnswering(viewer);
      const [pending, approved, refused] = await Promise.all([
        approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'pending', listLimit),
        approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'approved', 20),
        approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'refused', 20),
      ]);
      const references = new Map(
        (
          await decisionsByIds(
            db,
            [...pending, ...approved, ...refused].map((approval) => approval.decision_id),
          )
        ).map((row) => [row.id, row.reference]),
      );
      const withReference = (approval: ApprovalRow) => ({
        ...toApprovalItem(approval),
        reference: references.get(approval.decision_id) ?? '',
      });
      const decided = [...approved, ...refused]
        .sort((a, b) => (b.decided_at?.getTime() ?? 0) - (a.decided_at?.getTime() ?? 0))
        .slice(0, 20);
      return { pending: pending.map(withReference), decided: decided.map(withReference) };
    },
  };
}
