import type { Executor } from '../db/client.ts';
import { personColumns, type PersonRow } from './people.repository.ts';

/** The SQL of allocations: who holds a person's case, and each member of staff's caseload. */

export interface AllocationRow {
  readonly id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly line_manager_id: string | null;
  readonly started_at: Date;
  readonly ended_at: Date | null;
}

export async function allocationsOf(db: Executor, personId: string): Promise<AllocationRow[]> {
  return db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'a.started_at',
      'a.ended_at',
    ])
    .where('a.person_id', '=', personId)
    .orderBy('a.ended_at', (order) => order.desc().nullsFirst())
    .orderBy('a.started_at', 'desc')
    .limit(50)
    .execute();
}

export async function insertAllocation(
  db: Executor,
  allocation: { organisationId: string; personId: string; userId: string },
  now: Date,
): Promise<string> {
  const row = await db
    .insertInto('allocations')
    .values({
      organisation_id: allocation.organisationId,
      person_id: allocation.personId,
      user_id: allocation.userId,
      started_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function lockOpenAllocation(
  db: Executor,
  personId: string,
  allocationId: string,
): Promise<AllocationRow | undefined> {
  return db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'a.started_at',
      'a.ended_at',
    ])
    .where('a.id', '=', allocationId)
    .where('a.person_id', '=', personId)
    .where('a.ended_at', 'is', null)
    .forUpdate('a')
    .executeTakeFirst();
}

export async function endAllocation(db: Executor, allocationId: string, now: Date): Promise<void> {
  await db
    .updateTable('allocations')
    .set({ ended_at: now })
    .where('id', '=', allocationId)
    .where('ended_at', 'is', null)
    .execute();
}

export interface CaseloadRow extends PersonRow {
  readonly allocation_id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly started_at: Date;
}

/** People with an open allocation to any of these members of staff. */
export async function caseload(
  db: Executor,
  organisationId: string,
  userIds: readonly string[],
  limit: number,
): Promise<CaseloadRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('allocations as a')
    .innerJoin('people', 'people.id', 'a.person_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      ...personColumns,
      'a.id as allocation_id',
      'a.user_id',
      'u.display_name as user_name',
      'a.started_at',
    ])
    .where('a.user_id', 'in', userIds)
    .where('a.ended_at', 'is', null)
    .where('people.organisation_id', '=', organisationId)
    .orderBy('people.family_name')
    .orderBy('people.given_names')
    .orderBy('u.display_name')
    .limit(limit)
    .execute();
}

export async function allocatedPeopleIds(db: Executor, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('allocations')
    .select('person_id')
    .distinct()
    .where('user_id', 'in', userIds)
    .where('ended_at', 'is', null)
    .execute();
  return rows.map((row) => row.person_id);
}

/** Each person's open allocations: who holds their case now. */
export async function openAllocationsOf(
  db: Executor,
  personIds: readonly string[],
): Promise<{ person_id: string; user_id: string }[]> {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('allocations')
    .select(['person_id', 'user_id'])
    .where('person_id', 'in', [...new Set(personIds)])
    .where('ended_at', 'is', null)
    .execute();
}
