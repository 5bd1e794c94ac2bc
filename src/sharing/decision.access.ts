import type { Viewer } from '../auth/index.ts';
import type { Executor } from '../db/client.ts';
import { isUuid } from '../lib/ids.ts';
import type { Approver } from '../policy/index.ts';
import type { AdviceRow } from './advice.repository.ts';
import { approvalsFor, type ApprovalRow } from './approval.repository.ts';
import { findDecision, type DecisionRow, type SharingTransaction } from './decision.repository.ts';
import type { SharingColleagues } from './sharing.colleagues.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';

/** Roles that oversee every decision in their organisation. */
const oversightRoles = ['dpo', 'caldicott_guardian', 'ig_lead'] as const;

/** The roles that answer advice requests and approvals (besides a line manager, who may hold any role). */
export const advisingRoles = [
  'manager',
  'caldicott_guardian',
  'dpo',
  'ig_lead',
  'child_protection_adviser',
] as const satisfies readonly Approver[];

export function rolesAnswering(viewer: Viewer): Approver[] {
  return advisingRoles.filter((role) => viewer.roles.includes(role));
}

/** Whether the viewer may answer this approval: one of the approvers asked, never its requester. */
export function mayDecide(viewer: Viewer, approval: ApprovalRow, pendingOnly = true): boolean {
  if (pendingOnly && approval.status !== 'pending') return false;
  if (approval.requested_by === viewer.userId || approval.organisation_id !== viewer.organisationId)
    return false;
  return approval.approvers.some((approver) =>
    approver === 'line-manager'
      ? approval.line_manager_id === viewer.userId
      : viewer.roles.includes(approver),
  );
}

/** A request to a named person (line manager, supervisor) is theirs; one to a role is everyone's who holds it. */
export function addressedTo(viewer: Viewer, advice: AdviceRow): boolean {
  return advice.adviser === 'line-manager' || advice.adviser === 'supervisor'
    ? advice.adviser_user_id === viewer.userId
    : viewer.roles.includes(advice.adviser);
}

export function mayAnswer(viewer: Viewer, advice: AdviceRow): boolean {
  if (advice.organisation_id !== viewer.organisationId || advice.asked_by === viewer.userId) return false;
  return addressedTo(viewer, advice);
}

/**
 * Who may open a decision and change it. Anything the viewer may not open is answered as if it did
 * not exist (SharingNotFoundError), so its existence is not disclosed.
 */
export function decisionAccess(colleagues: Pick<SharingColleagues, 'lineManagerOf'>) {
  /** Who may open a decision in full: its author, their line manager, oversight roles, and the approvers asked. */
  async function mayView(executor: Executor, viewer: Viewer, row: DecisionRow): Promise<boolean> {
    if (row.organisation_id !== viewer.organisationId) return false;
    if (row.started_by === viewer.userId) return true;
    if (oversightRoles.some((role) => viewer.roles.includes(role))) return true;
    const manager = await colleagues.lineManagerOf(row.organisation_id, row.started_by);
    if (manager?.id === viewer.userId) return true;
    const approvals = await approvalsFor(executor, row.id);
    return approvals.some((approval) => mayDecide(viewer, approval, false));
  }

  async function loadDecision(
    executor: Executor,
    viewer: Viewer,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<DecisionRow> {
    if (!isUuid(id)) throw new SharingNotFoundError();
    const row = await findDecision(executor, id, options);
    if (row === undefined || !(await mayView(executor, viewer, row))) throw new SharingNotFoundError();
    return row;
  }

  return {
    mayView,
    loadDecision,

    /** The decision's author, on a decision still open to them. */
    async ownDecision(trx: SharingTransaction, viewer: Viewer, id: string): Promise<DecisionRow> {
      const row = await loadDecision(trx, viewer, id, { forUpdate: true });
      if (row.started_by !== viewer.userId)
        throw SharingRuleError.of(
          'decision',
          'DECISION.NOT_AUTHOR',
          'Only the practitioner who started this decision can change it',
        );
      if (row.status === 'recorded')
        throw SharingRuleError.of(
          'decision',
          'DECISION.RECORDED',
          'This decision has been recorded and cannot change: add an addendum instead',
        );
      return row;
    },
  };
}

export type DecisionAccess = ReturnType<typeof decisionAccess>;
