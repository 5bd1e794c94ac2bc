import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';

/** The SQL of need-to-know (who may open which records) and of reasons for access ("break-glass"). */

export type OpeningBasis = 'allocated' | 'team' | 'family-member' | 'break-glass';

/**
 * Everyone in the viewer's organisation whose record an open allocation to the viewer, to one of
 * their team, a one-step family relationship to someone allocated to either, or an unexpired reason
 * for access lets the viewer open, with each basis found. A caseload's worth of rows: it does not
 * grow with the organisation.
 */
export async function openablePeople(
  db: Executor,
  viewer: { readonly userId: string; readonly organisationId: string; readonly team: readonly string[] },
  now: Date,
): Promise<{ id: string; basis: OpeningBasis }[]> {
  // The caseholders: the viewer, and (for a line manager) their direct reports in the organisation,
  // as the staff service names them.
  const result = await sql<{ id: string; basis: OpeningBasis }>`
    WITH caseholders AS MATERIALIZED (
      SELECT ${viewer.userId}::uuid AS id
      UNION ALL
      SELECT unnest(${[...viewer.team]}::uuid[])
    ),
    open_allocations AS MATERIALIZED (
      SELECT a.person_id, a.user_id FROM allocations AS a
      WHERE a.user_id IN (SELECT id FROM caseholders) AND a.ended_at IS NULL AND a.organisation_id = ${viewer.organisationId}
    )
    SELECT person_id AS id, CASE WHEN user_id = ${viewer.userId} THEN 'allocated' ELSE 'team' END AS basis FROM open_allocations
    UNION ALL
    SELECT r.related_person_id, 'family-member' FROM open_allocations AS a JOIN person_relationships AS r ON r.person_id = a.person_id
    UNION ALL
    SELECT r.person_id, 'family-member' FROM open_allocations AS a JOIN person_relationships AS r ON r.related_person_id = a.person_id
    UNION ALL
    SELECT b.person_id, 'break-glass' FROM break_glass_access AS b
    WHERE b.user_id = ${viewer.userId} AND b.expires_at > ${now} AND b.organisation_id = ${viewer.organisationId}`.execute(
    db,
  );
  return result.rows;
}

export async function latestGrantExpiry(
  db: Executor,
  userId: string,
  personId: string,
  now: Date,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('break_glass_access')
    .select((eb) => eb.fn.max('expires_at').as('expires_at'))
    .where('user_id', '=', userId)
    .where('person_id', '=', personId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.expires_at ?? undefined;
}

export async function insertGrant(
  db: Executor,
  grant: {
    organisationId: string;
    personId: string;
    userId: string;
    reason: string;
    grantedAt: Date;
    expiresAt: Date;
  },
): Promise<string> {
  const row = await db
    .insertInto('break_glass_access')
    .values({
      organisation_id: grant.organisationId,
      person_id: grant.personId,
      user_id: grant.userId,
      reason: grant.reason,
      granted_at: grant.grantedAt,
      expires_at: grant.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface GrantRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly person_id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly line_manager_id: string | null;
  readonly reason: string;
  readonly granted_at: Date;
  readonly expires_at: Date;
  readonly reviewed_at: Date | null;
  readonly reviewer_name: string | null;
}

/** Reasons for access with who gave them and who reviewed them. */
function grantsQuery(db: Executor) {
  return db
    .selectFrom('break_glass_access as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('users as reviewer', 'reviewer.id', 'b.reviewed_by')
    .select([
      'b.id',
      'b.organisation_id',
      'b.person_id',
      'b.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'b.reason',
      'b.granted_at',
      'b.expires_at',
      'b.reviewed_at',
      'reviewer.display_name as reviewer_name',
    ]);
}

/** Reasons for access to review: the organisation's (a DPO), or those of the manager's direct reports. Unreviewed first. */
export async function grantsForReview(
  db: Executor,
  organisationId: string,
  scope: 'organisation' | { readonly managerId: string },
  limit: number,
): Promise<GrantRow[]> {
  let query = grantsQuery(db).where('b.organisation_id', '=', organisationId);
  if (scope !== 'organisation') query = query.where('u.line_manager_id', '=', scope.managerId);
  return query
    .orderBy(sql`b.reviewed_at IS NULL`, 'desc')
    .orderBy('b.granted_at', 'desc')
    .limit(limit)
    .execute();
}

export async function lockGrant(trx: Executor, grantId: string): Promise<GrantRow | undefined> {
  return grantsQuery(trx).where('b.id', '=', grantId).forUpdate('b').executeTakeFirst();
}

export async function markGrantReviewed(
  db: Executor,
  grantId: string,
  reviewerId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('break_glass_access')
    .set({ reviewed_by: reviewerId, reviewed_at: now })
    .where('id', '=', grantId)
    .where('reviewed_at', 'is', null)
    .execute();
}
