import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Signed checkpoints (ADR 0023) are C2SP signed notes (https://c2sp.org/signed-note) whose text is
 * a C2SP transparency-log checkpoint (https://c2sp.org/tlog-checkpoint) with one extension line, the
 * time it was signed:
 *
 * ```
 * safeshare-audit/<organisation id>
 * <tree size>
 * <root hash, base64>
 * time <ISO 8601, UTC>
 *
 * — safeshare-audit <base64 of key id (4 bytes) and Ed25519 signature (64 bytes)>
 * ```
 *
 * The signature covers the text (the four lines), so anything that can check an Ed25519 signed
 * note (Go's golang.org/x/mod/sumdb/note, and tools/verify-audit-proof.mjs) can check a checkpoint.
 */

/** The key's name in signatures and in its verifier key. */
export const checkpointKeyName = 'safeshare-audit';

/** The first line of an organisation's checkpoints: the log it belongs to. */
export function checkpointOrigin(organisationId: string): string {
  return `${checkpointKeyName}/${organisationId}`;
}

/** What a checkpoint says. */
export interface CheckpointStatement {
  readonly organisationId: string;
  readonly treeSize: number;
  /** 64 hexadecimal characters. */
  readonly rootHash: string;
  readonly signedAt: Date;
}

/** The note text a checkpoint signs. */
export function checkpointText(statement: CheckpointStatement): string {
  return (
    `${checkpointOrigin(statement.organisationId)}\n` +
    `${String(statement.treeSize)}\n` +
    `${Buffer.from(statement.rootHash, 'hex').toString('base64')}\n` +
    `time ${statement.signedAt.toISOString()}\n`
  );
}

/** The key that signs checkpoints, and what a reader needs to check them. */
export interface CheckpointSigner {
  /** The key's id in signatures: 8 hexadecimal characters. */
  readonly keyId: string;
  /** `safeshare-audit+<key id>+<base64 of 0x01 and the public key>`, the signed-note verifier key. */
  readonly verifierKey: string;
  /** The public key as PEM (SubjectPublicKeyInfo). */
  readonly publicKeyPem: string;
  /** The signed note of a text: the text, a blank line and the signature line. */
  signNote(text: string): string;
}

/** The signed-note key id of an Ed25519 public key: SHA-256(name || 0x0A || 0x01 || key), first 4 bytes. */
function keyIdOf(name: string, rawPublicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x01]), rawPublicKey]))
    .digest()
    .subarray(0, 4);
}

function rawPublicKeyOf(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || jwk.x === undefined)
    throw new Error('the audit signing key is not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** A signer over an Ed25519 private key. */
export function checkpointSigner(privateKey: KeyObject, name = checkpointKeyName): CheckpointSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('the audit signing key is not an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKeyOf(publicKey);
  const id = keyIdOf(name, raw);
  return {
    keyId: id.toString('hex'),
    verifierKey: `${name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([0x01]), raw]).toString('base64')}`,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    signNote(text: string): string {
      if (!text.endsWith('\n') || text.includes('\n\n'))
        throw new Error('a note text is non-empty lines, each ended');
      const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
      return `${text}\n— ${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
    },
  };
}

/** The 16-byte PKCS #8 prefix of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 private key from its 32-byte seed (AUDIT_SIGNING_KEY). */
export function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** Where the signing key comes from (src/config.ts). */
export type SigningKeySetting =
  | { readonly seed: Buffer }
  | {
      readonly file: string;
      /** Make the key when the file is absent (outside production, in the data folder). */
      readonly generate: boolean;
    };

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/**
 * Loads the signing key: from AUDIT_SIGNING_KEY, from AUDIT_SIGNING_KEY_FILE (PKCS #8 PEM, as
 * `openssl genpkey -algorithm ed25519` writes it), or from the data folder, where it is made the
 * first time outside production (mode 600; two app servers making it at once keep the first).
 */
export async function loadSigningKey(setting: SigningKeySetting): Promise<KeyObject> {
  if ('seed' in setting) return privateKeyFromSeed(setting.seed);
  const existing = await fs.readFile(setting.file, 'utf8').catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return parsePrivateKey(existing, setting.file);
  if (!setting.generate)
    throw new SigningKeyError(
      `there is no audit signing key at ${setting.file}: set AUDIT_SIGNING_KEY_FILE to the key's file, or AUDIT_SIGNING_KEY (docs/operations.md, "Signed audit checkpoints")`,
    );
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await fs.mkdir(path.dirname(setting.file), { recursive: true });
  try {
    await fs.writeFile(setting.file, pem, { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    return parsePrivateKey(await fs.readFile(setting.file, 'utf8'), setting.file);
  }
}

/** The signer of the configured key (made first, in the data folder, outside production). */
export async function loadCheckpointSigner(setting: SigningKeySetting): Promise<CheckpointSigner> {
  return checkpointSigner(await loadSigningKey(setting));
}

function parsePrivateKey(pem: string, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`the audit signing key file ${file} does not hold a private key in PEM form`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `the audit signing key file ${file} holds a ${String(key.asymmetricKeyType)} key, not Ed25519`,
    );
  return key;
}

/** A key that checks signatures: parsed from a verifier key (`name+id+base64`) or a PEM public key. */
export interface TrustedKey {
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

/** Parses `safeshare-audit+<id>+<key>` (or PEM, given the name) into a key that checks checkpoints. */
export function trustedKey(text: string, name = checkpointKeyName): TrustedKey {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const publicKey = createPublicKey(trimmed);
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError('the public key is not Ed25519');
    return { name, keyId: keyIdOf(name, rawPublicKeyOf(publicKey)).toString('hex'), publicKey };
  }
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(trimmed);
  if (match === null) throw new SigningKeyError('a verifier key looks like safeshare-audit+1a2b3c4d+AQ...');
  const [, keyName = '', id = '', encoded = ''] = match;
  const material = Buffer.from(encoded, 'base64');
  if (material.length !== 33 || material[0] !== 0x01)
    throw new SigningKeyError('the verifier key is not an Ed25519 key (type 0x01 and 32 bytes)');
  const raw = material.subarray(1);
  if (keyIdOf(keyName, raw).toString('hex') !== id)
    throw new SigningKeyError('the verifier key id does not match its name and key');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { name: keyName, keyId: id, publicKey };
}

/** The trusted key of a signer, to check what it signed. */
export function trustedKeyOf(signer: CheckpointSigner): TrustedKey {
  return trustedKey(signer.verifierKey);
}

/**
 * Opens a signed checkpoint: checks that one of its signature lines is a valid signature by one of
 * the trusted keys, and reads its text. Returns what it says, or why it cannot be trusted.
 */
export function openCheckpoint(
  note: string,
  keys: readonly TrustedKey[],
):
  | { readonly ok: true; readonly statement: CheckpointStatement }
  | { readonly ok: false; readonly reason: string } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, reason: 'it is not a signed note' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signed = lines.some((line) => {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (match === null) return false;
    const [, name = '', encoded = ''] = match;
    const blob = Buffer.from(encoded, 'base64');
    if (blob.length !== 68) return false;
    const id = blob.subarray(0, 4).toString('hex');
    return keys.some(
      (key) =>
        key.name === name &&
        key.keyId === id &&
        verify(null, Buffer.from(text, 'utf8'), key.publicKey, blob.subarray(4)),
    );
  });
  if (!signed) return { ok: false, reason: 'no signature on it verifies with the trusted keys' };
  const match =
    /^safeshare-audit\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/]{43}=)\ntime (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\n$/.exec(
      text,
    );
  if (match === null) return { ok: false, reason: 'its text is not a Safeshare audit checkpoint' };
  const [, organisationId = '', size = '', root = '', time = ''] = match;
  return {
    ok: true,
    statement: {
      organisationId,
      treeSize: Number(size),
      rootHash: Buffer.from(root, 'base64').toString('hex'),
      signedAt: new Date(time),
    },
  };
}
