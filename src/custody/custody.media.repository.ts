import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { MediaItemsTable } from './custody.table.ts';

/** The SQL of the register of removable media and devices. */

function withHolder(db: Executor) {
  return db
    .selectFrom('media_items')
    .innerJoin('users as holder', 'holder.id', 'media_items.holder')
    .leftJoin('users as disposer', 'disposer.id', 'media_items.disposed_by')
    .selectAll('media_items')
    .select([
      'holder.display_name as holder_name',
      'holder.line_manager_id as holder_manager_id',
      'disposer.display_name as disposer_name',
    ]);
}

export async function insertMedia(db: Executor, values: Insertable<MediaItemsTable>) {
  return db.insertInto('media_items').values(values).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

export async function findMedia(
  db: Executor,
  organisationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
) {
  let query = withHolder(db)
    .where('media_items.organisation_id', '=', organisationId)
    .where('media_items.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate(['media_items']);
  return query.executeTakeFirst();
}

export type MediaRow = NonNullable<Awaited<ReturnType<typeof findMedia>>>;

/** The media a member of staff holds and their reports hold (everyone's for overseers), newest first. */
export async function mediaFor(db: Executor, organisationId: string, userId: string, everyone: boolean) {
  let query = withHolder(db).where('media_items.organisation_id', '=', organisationId);
  if (!everyone)
    query = query.where((eb) =>
      eb.or([eb('media_items.holder', '=', userId), eb('holder.line_manager_id', '=', userId)]),
    );
  return query.orderBy('media_items.registered_at', 'desc').limit(500).execute();
}

export async function updateMedia(
  db: Executor,
  id: string,
  values: Updateable<MediaItemsTable>,
): Promise<void> {
  await db.updateTable('media_items').set(values).where('id', '=', id).execute();
}

/** Media in use past the date they were needed until, not yet flagged to their holder. */
export async function pastNeedUnflagged(db: Executor, today: string) {
  return withHolder(db)
    .where('media_items.status', '=', 'in-use')
    .where('media_items.needed_until', '<', today)
    .where('media_items.past_need_flagged_at', 'is', null)
    .forUpdate(['media_items'])
    .skipLocked()
    .execute();
}
