import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where the sealed bytes of exchange objects live (ADR 0020): a small interface, so that an
 * S3-compatible object store can stand in for councils that run several app servers without a
 * shared file system. Only sealed bytes ever reach it; it never sees a key.
 */
export interface ObjectStore {
  /** Stores the bytes under the id, whole or not at all; returns how many were stored. */
  write(id: string, source: Readable): Promise<number>;
  /** The stored bytes, as a stream. */
  read(id: string): Readable;
  /** Removes them; removing what is not there is not an error. */
  remove(id: string): Promise<void>;
}

const objectId = /^[0-9a-f-]{36}$/;

/** The object store on the local file system, under `root` (the data folder's `exchange` by default). */
export function fileObjectStore(root: string): ObjectStore {
  const where = (id: string) => {
    if (!objectId.test(id)) throw new Error('an exchange object id is a UUID');
    return path.join(root, id.slice(0, 2), id);
  };
  return {
    async write(id, source) {
      const file = where(id);
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const partial = `${file}.partial`;
      let bytes = 0;
      source.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      try {
        await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
        await fs.rename(partial, file);
      } catch (error) {
        await fs.rm(partial, { force: true });
        throw error;
      }
      return bytes;
    },
    read(id) {
      return createReadStream(where(id));
    },
    async remove(id) {
      await fs.rm(where(id), { force: true });
    },
  };
}
