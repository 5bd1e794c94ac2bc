import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The key-encryption keys of the secure exchange (ADR 0020), kept outside the database: in a folder
 * of their own (`KEY_DIR`, by default `keys` in the data folder; in production a separate mounted
 * secret), one file per key (`<id>.kek`, 32 random bytes as hex, mode 600) and an `active` file naming
 * the key that wraps new data keys. Wrapping is AES-256-GCM with the object's id and the key's id as
 * associated data, so a wrapped key moved to another object, or labelled with another key, fails.
 */
export class Keyring {
  readonly #dir: string;
  readonly #keys: Map<string, Buffer>;
  #active: string;

  private constructor(dir: string, keys: Map<string, Buffer>, active: string) {
    this.#dir = dir;
    this.#keys = keys;
    this.#active = active;
  }

  /** Reads the folder; the first time, makes it and its first key. */
  static async open(dir: string): Promise<Keyring> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const keys = new Map<string, Buffer>();
    for (const name of await fs.readdir(dir)) {
      const id = /^([0-9a-z-]{1,64})\.kek$/.exec(name)?.[1];
      if (id === undefined) continue;
      const hex = (await fs.readFile(path.join(dir, name), 'utf8')).trim();
      if (!/^[0-9a-f]{64}$/.test(hex))
        throw new Error(`the key file ${name} does not hold a 32-byte key in hex`);
      keys.set(id, Buffer.from(hex, 'hex'));
    }
    const named = (await fs.readFile(path.join(dir, 'active'), 'utf8').catch(() => '')).trim();
    if (named !== '' && keys.has(named)) return new Keyring(dir, keys, named);
    if (named !== '') throw new Error(`the active key ${named} has no key file in ${dir}`);
    if (keys.size > 0)
      throw new Error(`the key folder ${dir} names no active key: write its id to ${dir}/active`);
    const ring = new Keyring(dir, keys, '');
    await ring.addKey();
    return ring;
  }

  /** The id of the key that wraps new data keys. */
  get activeId(): string {
    return this.#active;
  }

  /** Whether the ring holds a key, by id. */
  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** Makes a new key, writes it, and makes it the active one. Returns its id. */
  async addKey(): Promise<string> {
    const id = `${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
    const key = randomBytes(32);
    await fs.writeFile(path.join(this.#dir, `${id}.kek`), `${key.toString('hex')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    const pointer = path.join(this.#dir, 'active.next');
    await fs.writeFile(pointer, `${id}\n`, { mode: 0o600 });
    await fs.rename(pointer, path.join(this.#dir, 'active'));
    this.#keys.set(id, key);
    this.#active = id;
    return id;
  }

  /** Wraps a data key under the active key, bound to the object. */
  wrap(dataKey: Buffer, objectId: string): { readonly kekId: string; readonly wrapped: string } {
    const kek = this.#key(this.#active);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, iv);
    cipher.setAAD(Buffer.from(`${objectId}|${this.#active}`, 'utf8'));
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return {
      kekId: this.#active,
      wrapped: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'),
    };
  }

  /** Unwraps a data key; throws when the key is unknown or the wrapping was altered or moved. */
  unwrap(kekId: string, wrapped: string, objectId: string): Buffer {
    const kek = this.#key(kekId);
    const bytes = Buffer.from(wrapped, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${objectId}|${kekId}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (key === undefined) throw new Error(`the key-encryption key ${id} is not in the key folder`);
    return key;
  }
}
