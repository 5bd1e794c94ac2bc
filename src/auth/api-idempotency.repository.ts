import type { Executor } from '../db/client.ts';

export interface StoredAnswer {
  readonly request_digest: string;
  readonly status_code: number | null;
  readonly content_type: string | null;
  readonly location: string | null;
  readonly body: string | null;
}

/** Claims a token's key for a request; false when the key is already held (answered or not). */
export async function claimKey(
  db: Executor,
  claim: { tokenId: string; key: string; requestDigest: string; at: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('api_idempotency_keys')
    .values({
      token_id: claim.tokenId,
      key: claim.key,
      request_digest: claim.requestDigest,
      created_at: claim.at,
    })
    .onConflict((conflict) => conflict.columns(['token_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findKey(db: Executor, tokenId: string, key: string): Promise<StoredAnswer | undefined> {
  return db
    .selectFrom('api_idempotency_keys')
    .select(['request_digest', 'status_code', 'content_type', 'location', 'body'])
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function storeAnswer(
  db: Executor,
  answer: {
    tokenId: string;
    key: string;
    statusCode: number;
    contentType: string | null;
    location: string | null;
    body: string;
  },
): Promise<void> {
  await db
    .updateTable('api_idempotency_keys')
    .set({
      status_code: answer.statusCode,
      content_type: answer.contentType,
      location: answer.location,
      body: answer.body,
    })
    .where('token_id', '=', answer.tokenId)
    .where('key', '=', answer.key)
    .where('status_code', 'is', null)
    .execute();
}

/** Frees a claimed key whose request failed on Safeshare's side, so that a retry runs. */
export async function releaseKey(db: Executor, tokenId: string, key: string): Promise<void> {
  await db
    .deleteFrom('api_idempotency_keys')
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .where('status_code', 'is', null)
    .execute();
}

export async function purgeKeys(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('api_idempotency_keys')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
