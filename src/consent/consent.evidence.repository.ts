import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { ConsentEvidenceTable } from './consent.table.ts';

export type EvidenceRow = Selectable<ConsentEvidenceTable>;
export type NewEvidenceRow = Insertable<ConsentEvidenceTable>;
/** What the consent page lists of each file: never its content. */
export type EvidenceListRow = Pick<
  EvidenceRow,
  'id' | 'file_name' | 'content_type' | 'size_bytes' | 'uploaded_by' | 'uploaded_at'
>;

/** A consent's evidence in its organisation, oldest first. */
export async function evidenceFor(
  db: Executor,
  organisationId: string,
  consentId: string,
): Promise<EvidenceListRow[]> {
  return db
    .selectFrom('consent_evidence')
    .select(['id', 'file_name', 'content_type', 'size_bytes', 'uploaded_by', 'uploaded_at'])
    .where('consent_id', '=', consentId)
    .where('organisation_id', '=', organisationId)
    .orderBy('uploaded_at')
    .orderBy('id')
    .execute();
}

export async function insertEvidence(trx: Executor, row: NewEvidenceRow): Promise<string> {
  const inserted = await trx
    .insertInto('consent_evidence')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** One file of a consent, with its sealed content. */
export async function findEvidence(
  db: Executor,
  organisationId: string,
  consentId: string,
  evidenceId: string,
): Promise<EvidenceRow | undefined> {
  return db
    .selectFrom('consent_evidence')
    .selectAll()
    .where('id', '=', evidenceId)
    .where('consent_id', '=', consentId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}
