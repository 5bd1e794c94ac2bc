import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { SealedStreamError } from '../lib/sealed-stream.ts';
import { Keyring } from './exchange.keyring.ts';
import { fileObjectStore } from './exchange.store.ts';
import { exchangeVault, ObjectGoneError, type ExchangeVault } from './exchange.vault.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/safeshare.js');

let context: TestContext;
let dataDir: string;
let keyring: Keyring;
let vault: ExchangeVault;
let organisationId: string;

beforeAll(async () => {
  context = await testApp();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-vault-'));
  keyring = await Keyring.open(path.join(dataDir, 'keys'));
  vault = exchangeVault({
    db: context.db,
    clock: context.clock,
    audit: context.services.audit,
    keyring: () => Promise.resolve(keyring),
    objects: fileObjectStore(path.join(dataDir, 'exchange')),
  });
  organisationId = await createOrganisation(context);
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const storedFile = (id: string) => path.join(dataDir, 'exchange', id.slice(0, 2), id);

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sealBytes(bytes: Buffer) {
  return context.db.transaction().execute((trx) => vault.seal(trx, organisationId, Readable.from([bytes])));
}

describe('the exchange vault (ADR 0020)', () => {
  it('seals a file under its own key and gives it back whole, with its size and digest', async () => {
    const plaintext = Buffer.concat([Buffer.from('Case notes: Amelia Hughes. '), randomBytes(300_000)]);
    const sealed = await sealBytes(plaintext);
    expect(sealed.plaintextBytes).toBe(plaintext.length);
    expect(sealed.sha256).toBe(createHash('sha256').update(plaintext).digest('hex'));
    const onDisk = await fs.readFile(storedFile(sealed.id));
    expect(onDisk.includes(Buffer.from('Amelia'))).toBe(false);
    expect((await read(await vault.open(sealed.id))).equals(plaintext)).toBe(true);
    const row = await context.db
      .selectFrom('exchange_objects')
      .selectAll()
      .where('id', '=', sealed.id)
      .executeTakeFirstOrThrow();
    expect(row.kek_id).toBe(keyring.activeId);
    expect(row.wrapped_key).not.toContain(plaintext.subarray(0, 8).toString('base64url'));
  });

  it('refuses stored bytes that were tampered with, or swapped between two objects', async () => {
    const first = await sealBytes(randomBytes(200_000));
    const second = await sealBytes(randomBytes(200_000));
    const bytes = await fs.readFile(storedFile(first.id));
    const flipped = Buffer.from(bytes);
    flipped[100_000] = (flipped[100_000] ?? 0) ^ 1;
    await fs.writeFile(storedFile(first.id), flipped);
    await expect(read(await vault.open(first.id))).rejects.toBeInstanceOf(SealedStreamError);
    await fs.writeFile(storedFile(first.id), await fs.readFile(storedFile(second.id)));
    await expect(read(await vault.open(first.id))).rejects.toBeInstanceOf(SealedStreamError);
    await fs.writeFile(storedFile(first.id), bytes);
    expect((await read(await vault.open(first.id))).length).toBe(200_000);
  });

  it('shreds: the key is gone, the bytes can be removed, the record stays and cannot be undone or deleted', async () => {
    const sealed = await sealBytes(Buffer.from('to be shredded'));
    expect(await context.db.transaction().execute((trx) => vault.shred(trx, sealed.id))).toBe(true);
    expect(await context.db.transaction().execute((trx) => vault.shred(trx, sealed.id))).toBe(false);
    await vault.removeBytes(sealed.id);
    await expect(vault.open(sealed.id)).rejects.toBeInstanceOf(ObjectGoneError);
    await expect(fs.stat(storedFile(sealed.id))).rejects.toThrow(/ENOENT/);
    await expect(
      context.db
        .updateTable('exchange_objects')
        .set({ shredded_at: null })
        .where('id', '=', sealed.id)
        .execute(),
    ).rejects.toThrow(/cannot change/);
    await expect(
      context.db.deleteFrom('exchange_objects').where('id', '=', sealed.id).execute(),
    ).rejects.toThrow(/kept/);
  });

  it('re-wraps every data key under a new key, resumably, without touching the stored bytes', async () => {
    const objects = await Promise.all([1, 2, 3].map(() => sealBytes(randomBytes(10_000))));
    const files = await Promise.all(objects.map((object) => fs.readFile(storedFile(object.id))));
    const old = keyring.activeId;
    const fresh = await keyring.addKey();
    // Interrupted after two: the rest stay under the old key and still open.
    expect(await vault.rewrapAll({ batch: 1, limit: 2 })).toBe(2);
    expect((await vault.objectsByKey()).get(old)).toBeGreaterThan(0);
    expect(await vault.rewrapAll({ batch: 2 })).toBeGreaterThan(0);
    expect((await vault.objectsByKey()).get(old)).toBeUndefined();
    for (const [index, object] of objects.entries()) {
      expect((await fs.readFile(storedFile(object.id))).equals(files[index] ?? Buffer.alloc(0))).toBe(true);
    }
    // With the old key file gone, everything still opens under the new one.
    await fs.rm(path.join(dataDir, 'keys', `${old}.kek`));
    const reopened = await Keyring.open(path.join(dataDir, 'keys'));
    expect(reopened.activeId).toBe(fresh);
    expect(reopened.has(old)).toBe(false);
    const again = exchangeVault({
      db: context.db,
      clock: context.clock,
      audit: context.services.audit,
      keyring: () => Promise.resolve(reopened),
      objects: fileObjectStore(path.join(dataDir, 'exchange')),
    });
    for (const object of objects) expect((await read(await again.open(object.id))).length).toBe(10_000);
    const audited = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'exchange.keys_rewrapped')
      .execute();
    expect(audited.length).toBeGreaterThan(0);
  });
});

describe('safeshare keys rotate', () => {
  it('makes a new key, re-wraps every data key under it, and says which keys are still in use', async () => {
    // A database of its own, whose every object is under this one key folder, as in a deployment.
    const context = await testApp();
    const organisationId = await createOrganisation(context);
    const cliData = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-keys-'));
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: context.url,
      DATA_DIR: cliData,
      LOG_LEVEL: 'silent',
    };
    const ring = await Keyring.open(path.join(cliData, 'keys'));
    const cliVault = exchangeVault({
      db: context.db,
      clock: context.clock,
      audit: context.services.audit,
      keyring: () => Promise.resolve(ring),
      objects: fileObjectStore(path.join(cliData, 'exchange')),
    });
    const sealed = await context.db
      .transaction()
      .execute((trx) => cliVault.seal(trx, organisationId, Readable.from([Buffer.from('rotate me')])));
    const rotated = await run(process.execPath, [bin, 'keys', 'rotate'], { env, timeout: 60_000 });
    expect(rotated.stdout).toMatch(/data keys re-wrapped under key \S+ \(was /);
    const row = await context.db
      .selectFrom('exchange_objects')
      .select('kek_id')
      .where('id', '=', sealed.id)
      .executeTakeFirstOrThrow();
    expect(row.kek_id).not.toBe(ring.activeId);
    const after = await Keyring.open(path.join(cliData, 'keys'));
    expect(row.kek_id).toBe(after.activeId);
    const status = await run(process.execPath, [bin, 'keys', 'status'], { env, timeout: 60_000 });
    expect(status.stdout).toContain(`active key: ${after.activeId}`);
    await fs.rm(cliData, { recursive: true, force: true });
  }, 120_000);
});
