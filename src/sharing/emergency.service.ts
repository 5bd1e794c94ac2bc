import { systemActor } from '../audit/index.ts';
import { formatDateTime } from '../lib/time.ts';
import { markEscalated, overdueEmergencies } from './emergency.repository.ts';
import type { SharingContext } from './sharing.context.ts';
import { sharingPaths } from './sharing.paths.ts';

/** The emergency route's watch (ADR 0019): an approval not given in time is escalated, once. */
export function emergencyService(context: SharingContext) {
  const { db, clock, audit, colleagues, policy } = context;
  return {
    /**
     * Escalates every emergency share whose public-interest approval is overdue: the pack's
     * `escalateTo` roles and the practitioner's line manager are told, and it is audited, once.
     * Run by the `emergency-approvals` job. Returns how many were escalated.
     */
    async escalateOverdueEmergencies(): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const overdue = await overdueEmergencies(trx, now);
        for (const emergency of overdue) {
          const manager = await colleagues.lineManagerOf(emergency.organisation_id, emergency.started_by);
          const told = await colleagues.membersFor(
            emergency.organisation_id,
            policy.sharing.approvals.emergency.escalateTo,
            null,
            emergency.started_by,
          );
          await colleagues.notifyAll(
            trx,
            emergency.organisation_id,
            [...told, ...(manager?.active === true ? [manager.id] : []), emergency.started_by],
            {
              kind: 'decision.emergency_overdue',
              subject: `Emergency share ${emergency.reference}: approval overdue`,
              body: `Information was shared in an emergency and its public-interest approval was due by ${formatDateTime(emergency.approve_by)}; it has not been given. No more information may be disclosed under the decision until it is.`,
              link: sharingPaths.decision(emergency.decision_id),
            },
          );
          await markEscalated(trx, emergency.id, now);
          await audit.record(trx, {
            organisationId: emergency.organisation_id,
            actor: systemActor,
            action: 'decision.emergency_escalated',
            entity: { type: 'sharing_decision', id: emergency.decision_id },
            change: { reference: emergency.reference, approveBy: emergency.approve_by.toISOString() },
          });
        }
        return overdue.length;
      });
    },
  };
}
