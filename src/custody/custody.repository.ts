import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { CustodyItemsTable } from './custody.table.ts';

const columns = [
  'custody_items.id',
  'custody_items.organisation_id',
  'custody_items.reference',
  'custody_items.taken_by',
  'custody_items.form',
  'custody_items.what',
  'custody_items.reason_id',
  'custody_items.reason_detail',
  'custody_items.destination',
  'custody_items.due_back_at',
  'custody_items.logged_at',
  'custody_items.status',
  'custody_items.agreement',
  'custody_items.decided_by',
  'custody_items.decided_at',
  'custody_items.refusal_reason',
  'custody_items.returned_at',
  'custody_items.lost_at',
  'custody_items.follow_ups',
] as const;

function withPeople(db: Executor) {
  return db
    .selectFrom('custody_items')
    .innerJoin('users as taker', 'taker.id', 'custody_items.taken_by')
    .leftJoin('users as decider', 'decider.id', 'custody_items.decided_by')
    .select(columns)
    .select([
      'taker.display_name as taker_name',
      'taker.line_manager_id as taker_manager_id',
      'decider.display_name as decider_name',
    ]);
}

export async function insertItem(db: Executor, values: Insertable<CustodyItemsTable>) {
  return db
    .insertInto('custody_items')
    .values(values)
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

export async function findItem(
  db: Executor,
  organisationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
) {
  let query = withPeople(db)
    .where('custody_items.organisation_id', '=', organisationId)
    .where('custody_items.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate(['custody_items']);
  return query.executeTakeFirst();
}

export type CustodyRow = NonNullable<Awaited<ReturnType<typeof findItem>>>;

/** What a member of staff took, and what their reports took: newest first. */
export async function itemsFor(db: Executor, organisationId: string, userId: string, everyone: boolean) {
  let query = withPeople(db).where('custody_items.organisation_id', '=', organisationId);
  if (!everyone)
    query = query.where((eb) =>
      eb.or([eb('custody_items.taken_by', '=', userId), eb('taker.line_manager_id', '=', userId)]),
    );
  return query.orderBy('custody_items.logged_at', 'desc').limit(500).execute();
}

export async function updateItem(
  db: Executor,
  id: string,
  values: Updateable<CustodyItemsTable>,
): Promise<void> {
  await db.updateTable('custody_items').set(values).where('id', '=', id).execute();
}

/** Items off site past their time, across organisations, locked so two runs follow each up once. */
export async function overdue(db: Executor, now: Date) {
  return withPeople(db)
    .where('custody_items.status', '=', 'out')
    .where('custody_items.due_back_at', '<', now)
    .forUpdate(['custody_items'])
    .skipLocked()
    .execute();
}
