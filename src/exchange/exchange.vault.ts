import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { systemActor, type AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { openStream, sealStream } from '../lib/sealed-stream.ts';
import type { Keyring } from './exchange.keyring.ts';
import * as store from './exchange.objects.repository.ts';
import type { ObjectStore } from './exchange.store.ts';

/** The object is not there, or was shredded: its content can never be read again. */
export class ObjectGoneError extends Error {
  override readonly name: string = 'ObjectGoneError';
}

export interface SealedObject {
  readonly id: string;
  readonly plaintextBytes: number;
  readonly sha256: string;
}

/**
 * The secure exchange's sealed storage (ADR 0020): every file and message is sealed with
 * AES-256-GCM in segments (src/lib/sealed-stream.ts) under a data key of its own, and the data key
 * is wrapped by the keyring's active key-encryption key. Bytes stream in and out: nothing is held
 * whole in memory.
 */
export function exchangeVault(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  /** The keyring, read from its folder on first use. */
  readonly keyring: () => Promise<Keyring>;
  readonly objects: ObjectStore;
}) {
  const { db, clock, audit, objects } = deps;
  const context = (id: string) => `exchange-object:${id}`;

  return {
    /**
     * Seals a stream and stores it, then records it in `executor` (the caller's transaction, which
     * audits what the object is for). When the row is not committed the bytes stay unreadable: no
     * key to them exists anywhere else.
     */
    async seal(executor: Executor, organisationId: string, source: Readable): Promise<SealedObject> {
      const id = randomUUID();
      const dataKey = randomBytes(32);
      const digest = createHash('sha256');
      let plaintextBytes = 0;
      const counted = new PassThrough();
      counted.on('data', (chunk: Buffer) => {
        plaintextBytes += chunk.length;
        digest.update(chunk);
      });
      source.on('error', (error) => counted.destroy(error));
      const sealedBytes = await objects.write(
        id,
        source.pipe(counted).pipe(sealStream(dataKey, context(id))),
      );
      const wrapping = (await deps.keyring()).wrap(dataKey, id);
      dataKey.fill(0);
      const sha256 = digest.digest('hex');
      await store.insertObject(executor, {
        id,
        organisationId,
        kekId: wrapping.kekId,
        wrappedKey: wrapping.wrapped,
        plaintextBytes,
        sealedBytes,
        sha256,
        at: clock.now(),
      });
      return { id, plaintextBytes, sha256 };
    },

    /** The object's plaintext as a stream; it errors (SealedStreamError) if the stored bytes were tampered with. */
    async open(id: string): Promise<Readable> {
      const row = await store.findObject(db, id);
      if (row === undefined || row.kek_id === null || row.wrapped_key === null) throw new ObjectGoneError();
      const dataKey = (await deps.keyring()).unwrap(row.kek_id, row.wrapped_key, id);
      return objects.read(id).pipe(openStream(dataKey, context(id)));
    },

    /**
     * Crypto-shredding: the wrapped key is cleared in `executor` (with the caller's audit event), and
     * the sealed bytes removed once that commits. Returns false when it was shredded already.
     */
    async shred(executor: Executor, id: string): Promise<boolean> {
      return store.shredObject(executor, id, clock.now());
    },

    /** Removes the sealed bytes of a shredded object (after the shredding has committed). */
    async removeBytes(id: string): Promise<void> {
      await objects.remove(id);
    },

    /**
     * Re-wraps every data key still wrapped by an older key-encryption key under the active one, in
     * batches, each its own transaction with its audit event: interrupted, it resumes where it
     * stopped. The files are not touched. `limit` stops after so many (for tests and slow windows).
     */
    async rewrapAll(options: { readonly batch?: number; readonly limit?: number } = {}): Promise<number> {
      const batch = options.batch ?? 500;
      const keyring = await deps.keyring();
      let done = 0;
      for (;;) {
        const size = Math.min(batch, (options.limit ?? Number.POSITIVE_INFINITY) - done);
        if (size <= 0) return done;
        const count = await db.transaction().execute(async (trx) => {
          const rows = await store.objectsToRewrap(trx, keyring.activeId, size);
          const byOrganisation = new Map<string, number>();
          for (const row of rows) {
            if (row.kek_id === null || row.wrapped_key === null) continue;
            const dataKey = keyring.unwrap(row.kek_id, row.wrapped_key, row.id);
            await store.rewrapObject(trx, row.id, keyring.wrap(dataKey, row.id));
            dataKey.fill(0);
            byOrganisation.set(row.organisation_id, (byOrganisation.get(row.organisation_id) ?? 0) + 1);
          }
          for (const [organisationId, rewrapped] of byOrganisation)
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'exchange.keys_rewrapped',
              entity: { type: 'exchange_key', id: keyring.activeId },
              change: { rewrapped, kekId: keyring.activeId },
            });
          return rows.length;
        });
        done += count;
        if (count < size) return done;
      }
    },

    /** How many live objects each key-encryption key wraps (a key that wraps none can be removed). */
    objectsByKey(): Promise<Map<string, number>> {
      return store.objectsByKey(db);
    },
  };
}

export type ExchangeVault = ReturnType<typeof exchangeVault>;
