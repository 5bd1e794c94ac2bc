import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';

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
