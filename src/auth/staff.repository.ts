import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { Role } from '../lib/roles.ts';

/** A member of staff with their organisation's and line manager's names, as administrators list them. */
export interface StaffRow {
  readonly id: string;
  readonly email: string;
  readonly display_name: string;
  readonly job_title: string | null;
  readonly roles: Role[];
  readonly organisation_id: string;
  readonly organisation_name: string;
  readonly line_manager_id: string | null;
  readonly line_manager_name: string | null;
  readonly active: boolean;
  readonly mfa_enrolled_at: Date | null;
  readonly demo: boolean;
  readonly created_at: Date;
  readonly data_protection_training_on: string | null;
}

/** A line manager's direct report, as the team page shows them. */
export interface TeamRow {
  readonly id: string;
  readonly display_name: string;
  readonly job_title: string | null;
  readonly data_protection_training_on: string | null;
}

function staffQuery(db: Executor) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .leftJoin('users as managers', 'managers.id', 'users.line_manager_id')
    .select([
      'users.id',
      'users.email',
      'users.display_name',
      'users.job_title',
      'users.roles',
      'users.organisation_id',
      'organisations.name as organisation_name',
      'users.line_manager_id',
      'managers.display_name as line_manager_name',
      'users.active',
      'users.mfa_enrolled_at',
      'users.demo',
      'users.created_at',
      'users.data_protection_training_on',
    ]);
}

/** One organisation's staff, by name. */
export function listStaff(db: Executor, organisationId: string): Promise<StaffRow[]> {
  return staffQuery(db)
    .where('users.organisation_id', '=', organisationId)
    .orderBy('users.display_name')
    .orderBy('users.id')
    .execute();
}

/** How many accounts an organisation has, by state, counted in the database (the administrator's home page). */
export async function staffCounts(
  db: Executor,
  organisationId: string,
): Promise<{ active: number; notEnrolled: number; inactive: number }> {
  const row = await db
    .selectFrom('users')
    .select((eb) => [
      eb.fn.count<string>('id').filterWhere('active', '=', true).as('active'),
      eb.fn
        .count<string>('id')
        .filterWhere((inner) => inner.and([inner('active', '=', true), inner('mfa_enrolled_at', 'is', null)]))
        .as('not_enrolled'),
      eb.fn.count<string>('id').filterWhere('active', '=', false).as('inactive'),
    ])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return {
    active: Number(row.active),
    notEnrolled: Number(row.not_enrolled),
    inactive: Number(row.inactive),
  };
}

/** A member of staff; only within one organisation when `organisationId` is given. */
export function findStaff(
  db: Executor,
  id: string,
  organisationId: string | undefined,
): Promise<StaffRow | undefined> {
  let query = staffQuery(db).where('users.id', '=', id);
  if (organisationId !== undefined) query = query.where('users.organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

/** The line manager a member of staff has in their own organisation, if any: one statement. */
export function findLineManager(
  db: Executor,
  organisationId: string,
  userId: string,
): Promise<StaffRow | undefined> {
  return staffQuery(db)
    .where('users.organisation_id', '=', organisationId)
    .where('users.id', '=', (eb) =>
      eb
        .selectFrom('users as member')
        .select('member.line_manager_id')
        .where('member.id', '=', userId)
        .where('member.organisation_id', '=', organisationId),
    )
    .executeTakeFirst();
}

/**
 * Whether an organisation's staff use Safeshare (it is hosted). Staff accounts sit below the partner
 * directory, so this one flag is read here rather than through the directory's service.
 */
export async function organisationIsHosted(db: Executor, organisationId: string): Promise<boolean> {
  const organisation = await db
    .selectFrom('organisations')
    .select('hosted')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return organisation?.hosted === true;
}

/** The day a member of staff last completed data protection training; null when none is recorded or they are unknown. */
export async function trainingCompletedOn(db: Executor, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('users')
    .select('data_protection_training_on')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.data_protection_training_on ?? null;
}

/** A line manager's active direct reports, by name. */
export function directReports(db: Executor, managerId: string): Promise<TeamRow[]> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'job_title', 'data_protection_training_on'])
    .where('line_manager_id', '=', managerId)
    .where('active', '=', true)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

/** What other capabilities read of a colleague: who they are, where, whom they report to, what they hold. */
export interface ColleagueRow {
  readonly id: string;
  readonly display_name: string;
  readonly organisation_id: string;
  readonly line_manager_id: string | null;
  readonly roles: Role[];
  readonly active: boolean;
}

const colleagueColumns = [
  'id',
  'display_name',
  'organisation_id',
  'line_manager_id',
  'roles',
  'active',
] as const;

export function colleague(db: Executor, userId: string): Promise<ColleagueRow | undefined> {
  return db.selectFrom('users').select(colleagueColumns).where('id', '=', userId).executeTakeFirst();
}

export function colleagues(db: Executor, ids: readonly string[]): Promise<ColleagueRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(colleagueColumns)
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/** Everyone who reports to a line manager, active or not, by name. */
export function reportsOf(db: Executor, managerId: string): Promise<ColleagueRow[]> {
  return db
    .selectFrom('users')
    .select(colleagueColumns)
    .where('line_manager_id', '=', managerId)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

/** The active holders of a role in an organisation. */
export async function activeHolders(db: Executor, organisationId: string, role: Role): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .where(sql<boolean>`roles @> ARRAY[${role}]::text[]`)
    .execute();
  return rows.map((row) => row.id);
}

/** Which of these members of staff are active. */
export async function activeAmong(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('id', 'in', [...new Set(ids)])
    .where('active', '=', true)
    .execute();
  return new Set(rows.map((row) => row.id));
}
