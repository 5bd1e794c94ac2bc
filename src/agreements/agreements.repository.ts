import type { Insertable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type {
  DpiasTable,
  SharingAgreementDocumentsTable,
  SharingAgreementsTable,
} from './agreements.table.ts';

/** The SQL of the register of sharing agreements and DPIAs. */

export async function insertAgreement(db: Executor, values: Insertable<SharingAgreementsTable>) {
  return db
    .insertInto('sharing_agreements')
    .values(values)
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

function agreements(db: Executor) {
  return db
    .selectFrom('sharing_agreements')
    .selectAll('sharing_agreements')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('sharing_agreement_documents')
            .select('sharing_agreement_documents.id')
            .whereRef('sharing_agreement_documents.agreement_id', '=', 'sharing_agreements.id'),
        )
        .$castTo<boolean>()
        .as('has_signed_copy'),
    );
}

export type AgreementRow = Awaited<ReturnType<ReturnType<typeof agreements>['executeTakeFirstOrThrow']>>;

/** An organisation's agreements, the latest to end first. */
export async function agreementsOf(db: Executor, organisationId: string): Promise<AgreementRow[]> {
  return agreements(db)
    .where('organisation_id', '=', organisationId)
    .orderBy('ends_on', 'desc')
    .orderBy('reference')
    .execute();
}

export async function findAgreement(
  db: Executor,
  organisationId: string,
  id: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<AgreementRow | undefined> {
  const query = agreements(db).where('organisation_id', '=', organisationId).where('id', '=', id);
  return (options.forUpdate === true ? query.forUpdate() : query).executeTakeFirst();
}

/** The organisation's agreements naming this partner and purpose, in force on the day (not ended, within their dates). */
export async function agreementsCovering(
  db: Executor,
  organisationId: string,
  share: { readonly recipientOrganisationId: string; readonly purposeId: string; readonly on: string },
): Promise<AgreementRow[]> {
  return agreements(db)
    .where('organisation_id', '=', organisationId)
    .where((eb) => eb(eb.val(share.recipientOrganisationId), '=', eb.fn.any('partner_organisation_ids')))
    .where((eb) => eb(eb.val(share.purposeId), '=', eb.fn.any('purpose_ids')))
    .where('starts_on', '<=', share.on)
    .where('ends_on', '>=', share.on)
    .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>', share.on)]))
    .orderBy('reference')
    .execute();
}

export async function endAgreement(
  db: Executor,
  id: string,
  values: { ended_on: string; ended_reason: string; ended_by: string },
): Promise<void> {
  await db.updateTable('sharing_agreements').set(values).where('id', '=', id).execute();
}

export async function insertDocument(db: Executor, values: Insertable<SharingAgreementDocumentsTable>) {
  return db
    .insertInto('sharing_agreement_documents')
    .values(values)
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** The latest signed copy of an agreement, sealed. */
export async function latestDocument(db: Executor, agreementId: string) {
  return db
    .selectFrom('sharing_agreement_documents')
    .selectAll()
    .where('agreement_id', '=', agreementId)
    .orderBy('uploaded_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertDpia(db: Executor, values: Insertable<DpiasTable>) {
  return db.insertInto('dpias').values(values).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

export async function dpiasOf(db: Executor, organisationId: string) {
  return db
    .selectFrom('dpias')
    .leftJoin('sharing_agreements', 'sharing_agreements.id', 'dpias.agreement_id')
    .selectAll('dpias')
    .select('sharing_agreements.reference as agreement_reference')
    .where('dpias.organisation_id', '=', organisationId)
    .orderBy('dpias.review_on')
    .execute();
}
