import type { Executor } from '../db/client.ts';
import type { SharingTransaction } from './decision.repository.ts';

/** The SQL of marking decisions whose consent was withdrawn (R3.3). */

/** Every decision, in any status, about a person in an organisation. */
export async function decisionsAbout(trx: SharingTransaction, organisationId: string, personId: string) {
  return trx
    .selectFrom('sharing_decisions')
    .innerJoin('sharing_decision_people', 'sharing_decision_people.decision_id', 'sharing_decisions.id')
    .where('sharing_decision_people.person_id', '=', personId)
    .where('sharing_decisions.organisation_id', '=', organisationId)
    .select([
      'sharing_decisions.id',
      'sharing_decisions.organisation_id',
      'sharing_decisions.reference',
      'sharing_decisions.status',
      'sharing_decisions.outcome',
      'sharing_decisions.answers',
      'sharing_decisions.assessment',
      'sharing_decisions.started_by',
    ])
    .orderBy('sharing_decisions.created_at')
    .execute();
}

/** Marks the decision once per consent; false when it was marked already. */
export async function insertMark(
  trx: SharingTransaction,
  mark: {
    readonly organisationId: string;
    readonly decisionId: string;
    readonly consentId: string;
    readonly personId: string;
    readonly withdrawnOn: string;
    readonly at: Date;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('sharing_decision_consent_withdrawals')
    .values({
      organisation_id: mark.organisationId,
      decision_id: mark.decisionId,
      consent_id: mark.consentId,
      person_id: mark.personId,
      withdrawn_on: mark.withdrawnOn,
      marked_at: mark.at,
    })
    .onConflict((conflict) => conflict.columns(['decision_id', 'consent_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The withdrawals of consent a decision relied on, earliest first. */
export async function marksOf(db: Executor, decisionId: string) {
  return db
    .selectFrom('sharing_decision_consent_withdrawals')
    .where('decision_id', '=', decisionId)
    .select(['consent_id', 'person_id', 'withdrawn_on', 'marked_at'])
    .orderBy('withdrawn_on')
    .orderBy('marked_at')
    .execute();
}

/** The decisions of an organisation marked for a withdrawn consent. */
export async function decisionsMarkedFor(db: Executor, organisationId: string, consentId: string) {
  const rows = await db
    .selectFrom('sharing_decision_consent_withdrawals')
    .where('organisation_id', '=', organisationId)
    .where('consent_id', '=', consentId)
    .select('decision_id')
    .orderBy('marked_at')
    .execute();
  return rows.map((row) => row.decision_id);
}
