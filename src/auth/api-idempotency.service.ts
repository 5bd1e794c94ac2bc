import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import {
  claimKey,
  findKey,
  purgeKeys,
  releaseKey,
  storeAnswer,
  type StoredAnswer,
} from './api-idempotency.repository.ts';

/** How long a key and its answer are kept: a client retries within this, or the request runs again. */
export const idempotencyKeyHours = 24;

/** What became of a request's claim on its key. */
export type KeyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'answered'; readonly answer: StoredAnswer & { readonly status_code: number } }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'other-request' };

/**
 * Idempotency keys on the API's POSTs (the IETF draft "The Idempotency-Key HTTP Header Field"),
 * per token: a retried request gets the first one's answer rather than recording twice.
 */
export function apiIdempotencyService(deps: { readonly db: Db; readonly clock: Clock }) {
  const { db, clock } = deps;
  return {
    async claim(tokenId: string, key: string, requestDigest: string): Promise<KeyClaim> {
      if (await claimKey(db, { tokenId, key, requestDigest, at: clock.now() })) return { kind: 'claimed' };
      const held = await findKey(db, tokenId, key);
      // Purged between the two statements: this request may take the key after all.
      if (held === undefined) return this.claim(tokenId, key, requestDigest);
      if (held.request_digest !== requestDigest) return { kind: 'other-request' };
      if (held.status_code === null) return { kind: 'in-progress' };
      return { kind: 'answered', answer: { ...held, status_code: held.status_code } };
    },

    async complete(
      tokenId: string,
      key: string,
      answer: { statusCode: number; contentType: string | null; location: string | null; body: string },
    ): Promise<void> {
      await storeAnswer(db, { tokenId, key, ...answer });
    },

    release(tokenId: string, key: string): Promise<void> {
      return releaseKey(db, tokenId, key);
    },

    /** Deletes keys and answers older than a day: the answers may hold personal data. */
    purgeExpired(): Promise<number> {
      return purgeKeys(db, new Date(clock.now().getTime() - idempotencyKeyHours * 3_600_000));
    },
  };
}
