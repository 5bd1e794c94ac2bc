import type { Executor } from '../db/client.ts';

/** The SQL of sealed exchange objects (ADR 0020). */

export async function insertObject(
  db: Executor,
  values: {
    readonly id: string;
    readonly organisationId: string;
    readonly kekId: string;
    readonly wrappedKey: string;
    readonly plaintextBytes: number;
    readonly sealedBytes: number;
    readonly sha256: string;
    readonly at: Date;
  },
): Promise<void> {
  await db
    .insertInto('exchange_objects')
    .values({
      id: values.id,
      organisation_id: values.organisationId,
      kek_id: values.kekId,
      wrapped_key: values.wrappedKey,
      plaintext_bytes: values.plaintextBytes,
      sealed_bytes: values.sealedBytes,
      sha256: values.sha256,
      created_at: values.at,
    })
    .execute();
}

export async function findObject(db: Executor, id: string) {
  return db
    .selectFrom('exchange_objects')
    .select(['id', 'organisation_id', 'kek_id', 'wrapped_key', 'plaintext_bytes', 'sha256', 'shredded_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Clears the wrapped key: the object can never be read again. False when it was shredded already. */
export async function shredObject(db: Executor, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('exchange_objects')
    .set({ kek_id: null, wrapped_key: null, shredded_at: at })
    .where('id', '=', id)
    .where('shredded_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A batch of objects whose data key is still wrapped by another key than `activeId`, locked for re-wrapping. */
export async function objectsToRewrap(db: Executor, activeId: string, limit: number) {
  return db
    .selectFrom('exchange_objects')
    .select(['id', 'organisation_id', 'kek_id', 'wrapped_key'])
    .where('shredded_at', 'is', null)
    .where('kek_id', '<>', activeId)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function rewrapObject(
  db: Executor,
  id: string,
  wrapping: { readonly kekId: string; readonly wrapped: string },
): Promise<void> {
  await db
    .updateTable('exchange_objects')
    .set({ kek_id: wrapping.kekId, wrapped_key: wrapping.wrapped })
    .where('id', '=', id)
    .execute();
}

/** How many live objects each key-encryption key still wraps. */
export async function objectsByKey(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('exchange_objects')
    .select(['kek_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('shredded_at', 'is', null)
    .groupBy('kek_id')
    .execute();
  return new Map(rows.map((row) => [row.kek_id ?? '', row.count]));
}
