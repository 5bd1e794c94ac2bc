import type { Executor } from '../db/client.ts';
import type { SharingTransaction } from './decision.repository.ts';

/** The SQL of emergency shares (ADR 0019): recorded first, approved after. */

export async function insertEmergency(
  trx: SharingTransaction,
  values: {
    readonly organisationId: string;
    readonly decisionId: string;
    readonly risk: string;
    readonly approveBy: Date;
    readonly recordedBy: string;
    readonly at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('sharing_emergencies')
    .values({
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      risk: values.risk,
      approve_by: values.approveBy,
      recorded_by: values.recordedBy,
      recorded_at: values.at,
    })
    .execute();
}

export async function emergencyOf(db: Executor, decisionId: string) {
  return db
    .selectFrom('sharing_emergencies')
    .select(['risk', 'approve_by', 'recorded_at', 'escalated_at'])
    .where('decision_id', '=', decisionId)
    .executeTakeFirst();
}

/**
 * Emergency shares whose approval is overdue and not yet escalated: the public-interest approval
 * still pending when `approve_by` has passed. Locked, so two runs of the job escalate each once.
 */
export async function overdueEmergencies(trx: SharingTransaction, now: Date) {
  return trx
    .selectFrom('sharing_emergencies as e')
    .innerJoin('sharing_decisions as d', 'd.id', 'e.decision_id')
    .select(['e.id', 'e.organisation_id', 'e.decision_id', 'e.approve_by', 'd.reference', 'd.started_by'])
    .where('e.escalated_at', 'is', null)
    .where('e.approve_by', '<=', now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('sharing_approvals as a')
          .select('a.id')
          .whereRef('a.decision_id', '=', 'e.decision_id')
          .where('a.status', '=', 'pending'),
      ),
    )
    .orderBy('e.approve_by')
    .forUpdate('e')
    .skipLocked()
    .execute();
}

export async function markEscalated(trx: SharingTransaction, id: string, at: Date): Promise<void> {
  await trx.updateTable('sharing_emergencies').set({ escalated_at: at }).where('id', '=', id).execute();
}
