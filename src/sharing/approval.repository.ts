import { sql, type Selectable } from 'kysely';
import type { Executor } from '../db/client.ts';
import { everyColumn } from '../db/columns.ts';
import type { Approver } from '../policy/index.ts';
import type { ApprovalStatus, SharingApprovalsTable } from './sharing.table.ts';

/** The SQL of approvals asked for sharing decisions (R2.16, R2.20). Takes a database or a transaction. */

export type ApprovalRow = Selectable<SharingApprovalsTable> & {
  readonly requested_by_name: string;
  readonly decided_by_name: string | null;
};

/** Every column of an approval, named, so that reading them can be prepared (ADR 0036). */
const approvalColumns = everyColumn<SharingApprovalsTable>()('sharing_approvals', [
  'id',
  'organisation_id',
  'decision_id',
  'kind',
  'approvers',
  'line_manager_id',
  'status',
  'requested_by',
  'requested_at',
  'decided_by',
  'decided_at',
  'reason',
]);

function approvals(db: Executor) {
  return db
    .selectFrom('sharing_approvals')
    .innerJoin('users as requester', 'requester.id', 'sharing_approvals.requested_by')
    .leftJoin('users as decider', 'decider.id', 'sharing_approvals.decided_by')
    .select(approvalColumns)
    .select(['requester.display_name as requested_by_name', 'decider.display_name as decided_by_name']);
}

export async function approvalsFor(db: Executor, decisionId: string): Promise<ApprovalRow[]> {
  return approvals(db)
    .where('sharing_approvals.decision_id', '=', decisionId)
    .orderBy('sharing_approvals.requested_at')
    .execute();
}

export async function findApproval(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ApprovalRow | undefined> {
  const query = approvals(db).where('sharing_approvals.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('sharing_approvals') : query).executeTakeFirst();
}

/** Approvals waiting for one of these roles, or for this user as line manager; never the requester's own. */
export async function approvalQueue(
  db: Executor,
  organisationId: string,
  roles: readonly Approver[],
  userId: string,
  status: ApprovalStatus,
  limit: number,
): Promise<ApprovalRow[]> {
  return approvals(db)
    .where('sharing_approvals.organisation_id', '=', organisationId)
    .where('sharing_approvals.status', '=', status)
    .where((eb) =>
      eb.or([
        eb('sharing_approvals.line_manager_id', '=', userId),
        ...(roles.length === 0
          ? []
          : [eb('sharing_approvals.approvers', '&&', sql<Approver[]>`${[...roles]}::text[]`)]),
      ]),
    )
    .where('sharing_approvals.requested_by', '<>', userId)
    .orderBy('sharing_approvals.requested_at', status === 'pending' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

export async function insertApproval(
  trx: Executor,
  values: {
    organisationId: string;
    decisionId: string;
    kind: SharingApprovalsTable['kind'];
    approvers: readonly Approver[];
    lineManagerId: string | null;
    requestedBy: string;
    at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('sharing_approvals')
    .values({
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      kind: values.kind,
      approvers: values.approvers,
      line_manager_id: values.lineManagerId,
      status: 'pending',
      requested_by: values.requestedBy,
      requested_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function decideApproval(
  trx: Executor,
  id: string,
  values: { status: 'approved' | 'refused'; decidedBy: string; reason: string | null; at: Date },
): Promise<void> {
  await trx
    .updateTable('sharing_approvals')
    .set({
      status: values.status,
      decided_by: values.decidedBy,
      decided_at: values.at,
      reason: values.reason,
    })
    .where('id', '=', id)
    .execute();
}

export async function withdrawPendingApprovals(trx: Executor, decisionId: string): Promise<number> {
  const rows = await trx
    .updateTable('sharing_approvals')
    .set({ status: 'withdrawn' })
    .where('decision_id', '=', decisionId)
    .where('status', 'in', ['pending', 'approved'])
    .returning('id')
    .execute();
  return rows.length;
}
