import type { Executor } from '../db/client.ts';
import type { WithdrawalNoticeMethod } from './disclosures.table.ts';

/** The SQL of telling recipients that consent was withdrawn (R3.3). */

/** What was recorded of telling recipients about a withdrawn consent, with who told them. */
export async function noticesFor(db: Executor, consentId: string) {
  return db
    .selectFrom('disclosure_withdrawal_notices')
    .innerJoin('users as teller', 'teller.id', 'disclosure_withdrawal_notices.told_by')
    .where('disclosure_withdrawal_notices.consent_id', '=', consentId)
    .select([
      'disclosure_withdrawal_notices.disclosure_id',
      'disclosure_withdrawal_notices.method',
      'disclosure_withdrawal_notices.told_on',
      'disclosure_withdrawal_notices.recorded_at',
      'teller.display_name as told_by_name',
    ])
    .execute();
}

/** Records that a disclosure's recipient was told; false when it had been already. */
export async function insertNotice(
  trx: Executor,
  notice: {
    readonly organisationId: string;
    readonly consentId: string;
    readonly disclosureId: string;
    readonly recipientOrganisationId: string;
    readonly method: WithdrawalNoticeMethod;
    readonly toldOn: string;
    readonly toldBy: string;
    readonly at: Date;
  },
): Promise<boolean> {
  const row = await trx
    .insertInto('disclosure_withdrawal_notices')
    .values({
      organisation_id: notice.organisationId,
      consent_id: notice.consentId,
      disclosure_id: notice.disclosureId,
      recipient_organisation_id: notice.recipientOrganisationId,
      method: notice.method,
      told_on: notice.toldOn,
      told_by: notice.toldBy,
      recorded_at: notice.at,
    })
    .onConflict((conflict) => conflict.columns(['consent_id', 'disclosure_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
