import type { ExpressionBuilder, Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { everyColumn } from '../db/columns.ts';
import type { Database } from '../db/database.ts';
import type { DisclosuresTable, MisdirectedInformationTable } from './disclosures.table.ts';

/** All SQL of the disclosure log. Takes a database or a transaction. */
type Executor = Kysely<Database> | Transaction<Database>;

export type DisclosureRow = Selectable<DisclosuresTable> & {
  readonly disclosed_by_name: string;
  readonly receipt_confirmed_by_name: string | null;
  readonly recipient_organisation_name: string;
  readonly decision_reference: string;
};

/**
 * The names a disclosure is shown with: who disclosed it, who confirmed its receipt, the recipient
 * organisation's and the decision's reference. One definition for reading disclosures and for the
 * row an insert hands back.
 */
function names(eb: ExpressionBuilder<Database, 'disclosures'>) {
  return [
    eb
      .selectFrom('users')
      .select('users.display_name')
      .whereRef('users.id', '=', 'disclosures.disclosed_by')
      .$asScalar()
      .$notNull()
      .as('disclosed_by_name'),
    eb
      .selectFrom('users')
      .select('users.display_name')
      .whereRef('users.id', '=', 'disclosures.receipt_confirmed_by')
      .$asScalar()
      .as('receipt_confirmed_by_name'),
    eb
      .selectFrom('organisations')
      .select('organisations.name')
      .whereRef('organisations.id', '=', 'disclosures.recipient_organisation_id')
      .$asScalar()
      .$notNull()
      .as('recipient_organisation_name'),
    eb
      .selectFrom('sharing_decisions')
      .select('sharing_decisions.reference')
      .whereRef('sharing_decisions.id', '=', 'disclosures.decision_id')
      .$asScalar()
      .$notNull()
      .as('decision_reference'),
  ] as const;
}

/** Every column of a disclosure, named, so that reading and writing one can be prepared (ADR 0036). */
const disclosureColumns = everyColumn<DisclosuresTable>()('disclosures', [
  'id',
  'organisation_id',
  'decision_id',
  'method',
  'recipient_name',
  'recipient_role',
  'recipient_organisation_id',
  'recipient_contact',
  'purpose_id',
  'category_ids',
  'description',
  'checklist',
  'method_advice',
  'policy_version',
  'disclosed_at',
  'disclosed_by',
  'receipt_due_on',
  'receipt_confirmed_at',
  'receipt_confirmed_by',
  'receipt_how',
  'receipt_reminded_on',
  'custody_item_id',
  'created_at',
]);

function disclosures(db: Executor) {
  return db.selectFrom('disclosures').select(disclosureColumns).select(names);
}

export async function findDisclosure(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DisclosureRow | undefined> {
  const query = disclosures(db).where('disclosures.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('disclosures') : query).executeTakeFirst();
}

export async function disclosuresOf(db: Executor, decisionId: string): Promise<DisclosureRow[]> {
  return disclosures(db)
    .where('disclosures.decision_id', '=', decisionId)
    .orderBy('disclosures.disclosed_at', 'desc')
    .execute();
}

/** Every disclosure under these decisions, newest first. */
export async function disclosuresUnder(
  db: Executor,
  decisionIds: readonly string[],
): Promise<DisclosureRow[]> {
  if (decisionIds.length === 0) return [];
  return disclosures(db)
    .where('disclosures.decision_id', 'in', [...decisionIds])
    .orderBy('disclosures.disclosed_at', 'desc')
    .execute();
}

export type NewDisclosure = Omit<
  Insertable<DisclosuresTable>,
  'id' | 'receipt_confirmed_at' | 'receipt_confirmed_by' | 'receipt_how' | 'receipt_reminded_on'
>;

/** Inserts a disclosure and hands back the row as written, with its names: what reading it back would give. */
export async function insertDisclosure(trx: Executor, values: NewDisclosure): Promise<DisclosureRow> {
  return trx
    .insertInto('disclosures')
    .values({
      ...values,
      receipt_confirmed_at: null,
      receipt_confirmed_by: null,
      receipt_how: null,
      receipt_reminded_on: null,
    })
    .returning(disclosureColumns)
    .returning(names)
    .executeTakeFirstOrThrow();
}

export async function confirmReceipt(
  trx: Executor,
  id: string,
  values: { by: string; how: string; at: Date },
): Promise<void> {
  await trx
    .updateTable('disclosures')
    .set({ receipt_confirmed_at: values.at, receipt_confirmed_by: values.by, receipt_how: values.how })
    .where('id', '=', id)
    .execute();
}

/** Receipts not confirmed by their due date, oldest first; within one organisation or all (the daily job). */
export async function overdueReceipts(
  db: Executor,
  today: string,
  organisationId: string | undefined,
  limit: number,
): Promise<DisclosureRow[]> {
  let query = disclosures(db)
    .where('disclosures.receipt_due_on', '<', today)
    .where('disclosures.receipt_confirmed_at', 'is', null);
  if (organisationId !== undefined) query = query.where('disclosures.organisation_id', '=', organisationId);
  return query.orderBy('disclosures.receipt_due_on').limit(limit).execute();
}

/** Receipts still awaited (due or not), for a member of staff's list. */
export async function awaitedReceipts(
  db: Executor,
  organisationId: string,
  disclosedBy: string | undefined,
  limit: number,
): Promise<DisclosureRow[]> {
  let query = disclosures(db)
    .where('disclosures.organisation_id', '=', organisationId)
    .where('disclosures.receipt_due_on', 'is not', null)
    .where('disclosures.receipt_confirmed_at', 'is', null);
  if (disclosedBy !== undefined) query = query.where('disclosures.disclosed_by', '=', disclosedBy);
  return query.orderBy('disclosures.receipt_due_on').limit(limit).execute();
}

export async function markReminded(trx: Executor, id: string, on: string): Promise<void> {
  await trx.updateTable('disclosures').set({ receipt_reminded_on: on }).where('id', '=', id).execute();
}

export type MisdirectedRow = Selectable<MisdirectedInformationTable> & { readonly recorded_by_name: string };

export async function insertMisdirected(
  trx: Executor,
  values: Omit<MisdirectedInformationTable, 'id'>,
): Promise<string> {
  const row = await trx
    .insertInto('misdirected_information')
    .values(values)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One entry of the organisation's misdirected-information register. */
export async function findMisdirected(db: Executor, organisationId: string, id: string) {
  return db
    .selectFrom('misdirected_information')
    .innerJoin('users', 'users.id', 'misdirected_information.recorded_by')
    .selectAll('misdirected_information')
    .select('users.display_name as recorded_by_name')
    .where('misdirected_information.organisation_id', '=', organisationId)
    .where('misdirected_information.id', '=', id)
    .executeTakeFirst();
}

export async function misdirectedFor(
  db: Executor,
  organisationId: string,
  limit: number,
): Promise<MisdirectedRow[]> {
  return db
    .selectFrom('misdirected_information')
    .innerJoin('users', 'users.id', 'misdirected_information.recorded_by')
    .selectAll('misdirected_information')
    .select('users.display_name as recorded_by_name')
    .where('misdirected_information.organisation_id', '=', organisationId)
    .orderBy('misdirected_information.received_on', 'desc')
    .orderBy('misdirected_information.recorded_at', 'desc')
    .limit(limit)
    .execute();
}
