import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import type { Role } from './roles.ts';
import type { SessionStage, UsersTable } from './auth.table.ts';
import type { Selectable } from 'kysely';
export type UserRow = Selectable<UsersTable>;

export interface SessionWithUser {
  readonly id_digest: string;
  readonly stage: SessionStage;
  readonly created_at: Date;
  readonly last_seen_at: Date;
  readonly user_id: string;
  readonly email: string;
  readonly display_name: string;
  readonly roles: Role[];
  readonly active: boolean;
  readonly organisation_id: string;
  readonly organisation_name: string;
}

export function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockUser(trx: Transaction<Database>, id: string): Promise<UserRow | undefined> {
  return trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertSession(
  db: Executor,
  session: { id_digest: string; user_id: string; stage: SessionStage; at: Date },
): Promise<unknown> {
  return db
    .insertInto('sessions')
    .values({
      id_digest: session.id_digest,
      user_id: session.user_id,
      stage: session.stage,
      created_at: session.at,
      last_seen_at: session.at,
    })
    .execute();
}

export function findSession(db: Executor, idDigest: string): Promise<SessionWithUser | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select([
      'sessions.id_digest',
      'sessions.stage',
      'sessions.created_at',
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.email',
      'users.display_name',
      'users.roles',
      'users.active',
      'users.organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('sessions.id_digest', '=', idDigest)
    .executeTakeFirst();
}

export function touchSession(db: Executor, idDigest: string, at: Date): Promise<unknown> {
  return db.updateTable('sessions').set({ last_seen_at: at }).where('id_digest', '=', idDigest).execute();
}

export function deleteSession(db: Executor, idDigest: string): Promise<unknown> {
  return db.deleteFrom('sessions').where('id_digest', '=', idDigest).execute();
}

export function deleteSessionsOfUser(db: Executor, userId: string): Promise<unknown> {
  return db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export function deleteExpiredSessions(db: Executor, idleBefore: Date, createdBefore: Date): Promise<unknown> {
  return db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('last_seen_at', '<', idleBefore), eb('created_at', '<', createdBefore)]))
    .execute();
}

/**
 * Arbitrary first half of the advisory lock key, so that these locks never meet another feature's.
 * The second half is a hash of the account key.
 */
const accountLockClass = 0x5a_1e;

/**
 * Counts the recent failures of an account and, when it is under the limit, records this attempt as
 * a failure before anything is checked: the count and the increment are one step under a lock held
 * by the transaction, so parallel attempts queue and at most `limit` are ever checked in the window.
 * An attempt that then succeeds gives its place back (`releaseAttempt`).
 * Returns the id of the recorded attempt, or undefined when the account is throttled.
 */
export async function reserveAttempt(
  trx: Transaction<Database>,
  accountKey: string,
  window: { readonly since: Date; readonly at: Date; readonly limit: number },
): Promise<number | undefined> {
  await sql`SELECT pg_advisory_xact_lock(${accountLockClass}::int, hashtext(${accountKey}))`.execute(trx);
  const row = await trx
    .selectFrom('sign_in_failures')
    .select(sql<number>`count(*)::int`.as('failures'))
    .where('account_key', '=', accountKey)
    .where('failed_at', '>=', window.since)
    .executeTakeFirst();
  if ((row?.failures ?? 0) >= window.limit) return undefined;
  const recorded = await trx
    .insertInto('sign_in_failures')
    .values({ account_key: accountKey, failed_at: window.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return recorded.id;
}

/** An attempt that succeeded (or was never checked) is not a failure. */
export function releaseAttempt(db: Executor, attemptId: number): Promise<unknown> {
  return db.deleteFrom('sign_in_failures').where('id', '=', attemptId).execute();
}

export function forgetFailures(db: Executor, before: Date): Promise<unknown> {
  return db.deleteFrom('sign_in_failures').where('failed_at', '<', before).execute();
}

/** Counts one more attempt from an address in a window and returns the window's count so far, in one statement. */
export async function countAddressAttempt(
  db: Executor,
  addressKey: string,
  windowStart: Date,
): Promise<number> {
  const row = await db
    .insertInto('sign_in_address_attempts')
    .values({ address_key: addressKey, window_start: windowStart, attempts: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['address_key', 'window_start'])
        .doUpdateSet({ attempts: sql<number>`sign_in_address_attempts.attempts + 1` }),
    )
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

/** Forgets the windows that have ended: those that started before the current one. */
export function forgetAddressAttempts(db: Executor, currentWindowStart: Date): Promise<unknown> {
  return db.deleteFrom('sign_in_address_attempts').where('window_start', '<', currentWindowStart).execute();
}

export function markPasswordChosen(
  db: Executor,
  userId: string,
  passwordHash: string,
  at: Date,
): Promise<unknown> {
  return db
    .updateTable('users')
    .set({ password_hash: passwordHash, must_change_password: false, updated_at: at })
    .where('id', '=', userId)
    .execute();
}
