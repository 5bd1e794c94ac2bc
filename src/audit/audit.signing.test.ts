import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  standaloneVerifier,
  vectors,
  vectorsFound,
  type StandaloneVerifier,
} from '../../test/support/audit-proofs.ts';
import {
  checkpointSigner,
  checkpointText,
  loadCheckpointSigner,
  openCheckpoint,
  privateKeyFromSeed,
  SigningKeyError,
  trustedKey,
  trustedKeyOf,
} from './audit.signing.ts';

/**
 * The checkpoints' signatures (ADR 0023): C2SP signed notes with Ed25519, checked against the Go
 * sumdb/note example (read from beside the checkout: test/support/audit-proofs.ts), and the key kept outside the database.
 */

let standalone: StandaloneVerifier;
let folder: string;
beforeAll(async () => {
  standalone = await standaloneVerifier();
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-signing-'));
});
afterAll(async () => {
  await fs.rm(folder, { recursive: true, force: true });
});

describe.skipIf(!vectorsFound)('signed notes (C2SP signed-note, Ed25519)', () => {
  const { verifierKey, signerKey, text, note } = vectors.signedNote;
  // PRIVATE+KEY+<name>+<id>+<base64 of 0x01 and the 32-byte seed> (the base64 may hold a '+' itself).
  // Read when the tests run: where the vectors are absent the block is skipped and this never runs.
  let privateKey: ReturnType<typeof privateKeyFromSeed>;
  beforeAll(() => {
    privateKey = privateKeyFromSeed(
      Buffer.from(signerKey.split('+').slice(4).join('+'), 'base64').subarray(1),
    );
  });

  it("signs the published note byte for byte, with the published key's id", () => {
    const signer = checkpointSigner(privateKey, 'PeterNeumann');
    expect(signer.verifierKey).toBe(verifierKey);
    expect(signer.signNote(text)).toBe(note);
  });

  it('opens the published note with its verifier key, in the stand-alone verifier, and refuses it altered', () => {
    const key = standalone.parseKey(verifierKey);
    expect(standalone.openNote(note, [key])).toEqual({ ok: true, text });
    expect(standalone.openNote(note.replace('cryptography', 'cryptographY'), [key]).ok).toBe(false);
    expect(
      standalone.openNote(note, [standalone.parseKey(checkpointSigner(privateKey, 'Someone').verifierKey)])
        .ok,
    ).toBe(false);
    // Safeshare's own reader checks the signature the same way (the text is no checkpoint, so it says so).
    expect(openCheckpoint(note, [trustedKey(verifierKey)])).toEqual({
      ok: false,
      reason: 'its text is not a Safeshare audit checkpoint',
    });
    expect(() => trustedKey(verifierKey.replace('c74f20a3', 'c74f20a4'))).toThrow(/key id/);
  });
});

describe('checkpoints', () => {
  const organisationId = '2f7c6f0e-4c1a-4a53-9d0e-6b1f0c2d3e4f';
  const statement = {
    organisationId,
    treeSize: 1000,
    rootHash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    signedAt: new Date('2026-12-04T10:15:00.000Z'),
  };

  it('signs the four lines of a checkpoint, which Safeshare and the stand-alone verifier open to what they say', () => {
    const signer = checkpointSigner(privateKeyFromSeed(Buffer.alloc(32, 9)));
    const text = checkpointText(statement);
    expect(text).toBe(
      `safeshare-audit/${organisationId}\n1000\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2026-12-04T10:15:00.000Z\n`,
    );
    const note = signer.signNote(text);
    expect(openCheckpoint(note, [trustedKeyOf(signer)])).toEqual({ ok: true, statement });
    expect(standalone.openNote(note, [standalone.parseKey(signer.verifierKey)])).toEqual({ ok: true, text });
    // The PEM form of the public key names the same key.
    expect(trustedKey(signer.publicKeyPem).keyId).toBe(signer.keyId);
    expect(standalone.parseKey(signer.publicKeyPem).keyId).toBe(signer.keyId);
    for (const altered of [
      note.replace('\n1000\n', '\n1001\n'),
      note.replace('10:15', '10:16'),
      note.slice(0, -3) + 'A=\n',
    ])
      expect(openCheckpoint(altered, [trustedKeyOf(signer)]).ok).toBe(false);
  });

  it('refuses a text that is not a checkpoint, even signed by the right key', () => {
    const signer = checkpointSigner(privateKeyFromSeed(Buffer.alloc(32, 9)));
    expect(
      openCheckpoint(signer.signNote('safeshare-audit/not-an-id\n1\nAAAA\n'), [trustedKeyOf(signer)]),
    ).toEqual({
      ok: false,
      reason: 'its text is not a Safeshare audit checkpoint',
    });
    expect(() => signer.signNote('two\n\nparagraphs\n')).toThrow(/non-empty lines/);
  });
});

describe('the signing key, outside the database', () => {
  it('is made once in the data folder (mode 600), and two app servers making it at once keep one', async () => {
    const file = path.join(folder, 'data', 'audit-signing-key.pem');
    const [first, second] = await Promise.all([
      loadCheckpointSigner({ file, generate: true }),
      loadCheckpointSigner({ file, generate: true }),
    ]);
    expect(first.verifierKey).toBe(second.verifierKey);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadCheckpointSigner({ file, generate: true })).verifierKey).toBe(first.verifierKey);
  });

  it('reads a key made by openssl or given as a seed, and refuses what is missing or not Ed25519, saying what to set', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = path.join(folder, 'openssl.pem');
    await fs.writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect((await loadCheckpointSigner({ file, generate: false })).verifierKey).toBe(
      checkpointSigner(privateKey).verifierKey,
    );
    const seed = Buffer.alloc(32, 3);
    expect((await loadCheckpointSigner({ seed })).verifierKey).toBe(
      checkpointSigner(privateKeyFromSeed(seed)).verifierKey,
    );
    await expect(
      loadCheckpointSigner({ file: path.join(folder, 'absent.pem'), generate: false }),
    ).rejects.toThrow(SigningKeyError);
    await expect(
      loadCheckpointSigner({ file: path.join(folder, 'absent.pem'), generate: false }),
    ).rejects.toThrow(/set AUDIT_SIGNING_KEY_FILE/);
    const rsa = path.join(folder, 'rsa.pem');
    await fs.writeFile(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    await expect(loadCheckpointSigner({ file: rsa, generate: false })).rejects.toThrow(
      /holds a rsa key, not Ed25519/,
    );
    const junk = path.join(folder, 'junk.pem');
    await fs.writeFile(junk, 'not a key');
    await expect(loadCheckpointSigner({ file: junk, generate: false })).rejects.toThrow(
      /does not hold a private key/,
    );
  });
});
