import type { Executor } from '../db/client.ts';

/** The SQL of recipients' one-time codes and sessions. */

export async function codesSince(db: Executor, packageId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('exchange_codes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('package_id', '=', packageId)
    .where('sent_at', '>', since)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** A new code supersedes any still pending for the package. */
export async function killPendingCodes(db: Executor, packageId: string): Promise<void> {
  await db
    .updateTable('exchange_codes')
    .set({ dead: true })
    .where('package_id', '=', packageId)
    .where('used_at', 'is', null)
    .where('dead', '=', false)
    .execute();
}

export async function insertCode(
  db: Executor,
  values: {
    readonly packageId: string;
    readonly address: string;
    readonly digest: string;
    readonly sentAt: Date;
    readonly expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('exchange_codes')
    .values({
      package_id: values.packageId,
      address: values.address,
      digest: values.digest,
      sent_at: values.sentAt,
      expires_at: values.expiresAt,
      used_at: null,
    })
    .execute();
}

/** The live code for the package and address, locked: unused, not dead, not expired. */
export async function pendingCode(db: Executor, packageId: string, address: string, now: Date) {
  return db
    .selectFrom('exchange_codes')
    .select(['id', 'digest', 'failures'])
    .where('package_id', '=', packageId)
    .where('address', '=', address)
    .where('used_at', 'is', null)
    .where('dead', '=', false)
    .where('expires_at', '>', now)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function countFailure(db: Executor, id: string, dies: boolean): Promise<void> {
  await db
    .updateTable('exchange_codes')
    .set((eb) => ({ failures: eb('failures', '+', 1), dead: dies }))
    .where('id', '=', id)
    .execute();
}

export async function useCode(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('exchange_codes').set({ used_at: at }).where('id', '=', id).execute();
}

export async function insertSession(
  db: Executor,
  values: {
    readonly digest: string;
    readonly packageId: string;
    readonly address: string;
    readonly at: Date;
  },
): Promise<void> {
  await db
    .insertInto('exchange_sessions')
    .values({
      digest: values.digest,
      package_id: values.packageId,
      address: values.address,
      created_at: values.at,
      last_seen_at: values.at,
      ended_at: null,
    })
    .execute();
}

export async function findSession(db: Executor, digest: string) {
  return db
    .selectFrom('exchange_sessions')
    .select(['package_id', 'address', 'last_seen_at', 'ended_at'])
    .where('digest', '=', digest)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, digest: string, at: Date): Promise<void> {
  await db.updateTable('exchange_sessions').set({ last_seen_at: at }).where('digest', '=', digest).execute();
}
