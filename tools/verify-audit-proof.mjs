#!/usr/bin/env node
/**
 * Checks Safeshare's audit proofs without Safeshare, its database or any package: one file, Node.js
 * 18 or later, its own modules only (the cryptography is node:crypto's). Copy it next to the proofs
 * and keep it with them; docs/operations.md ("Signed audit checkpoints") shows it at work.
 *
 *   node verify-audit-proof.mjs --key <verifier key, or a file holding it or a PEM public key> <file>...
 *
 * Each file is one of:
 *   - a proof that an event is in a checkpoint (`safeshare audit prove --event`),
 *   - a proof that one checkpoint is the beginning of another (`safeshare audit prove --from --to`),
 *   - a checkpoint, or an export of them, one a line (`safeshare audit checkpoints --export`).
 * It prints OK or FAILED for each, and exits 0 when all are OK, 1 when one is not, 2 when asked wrongly.
 *
 * What it checks (ADR 0023):
 *   - a checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose Ed25519 signature
 *     verifies with a trusted key, and whose text is a Safeshare checkpoint
 *     (`safeshare-audit/<organisation>`, tree size, base64 root, `time <ISO 8601>`);
 *   - the Merkle proofs as RFC 9162 section 2.1 defines them: leaves hashed SHA-256(0x00 || leaf),
 *     nodes SHA-256(0x01 || left || right); an event's leaf is the 32 bytes of its chained hash;
 *   - given the event's canonical text (`--with-event`), that its SHA-256 is the event's hash.
 */
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** @param {...Uint8Array} parts */
function sha256(...parts) {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest();
}

/** RFC 9162 2.1.1: the hash of a leaf. @param {Uint8Array} leaf */
export function hashLeaf(leaf) {
  return sha256(Buffer.from([0]), leaf);
}

/** RFC 9162 2.1.1: the hash of an interior node. @param {Uint8Array} left @param {Uint8Array} right */
export function hashChildren(left, right) {
  return sha256(Buffer.from([1]), left, right);
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function same(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** @param {bigint} n */
const lsb = (n) => (n & 1n) === 1n;

/**
 * RFC 9162 2.1.3.2: whether `proof` shows that `leafHash` is leaf `index` (from 0) of the tree of
 * `size` leaves whose root is `root`.
 * @param {number} index @param {number} size @param {Uint8Array} leafHash
 * @param {readonly Uint8Array[]} proof @param {Uint8Array} root
 */
export function verifyInclusion(index, size, leafHash, proof, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leafHash.length !== 32) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!lsb(fn))
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && same(r, root);
}

/**
 * RFC 9162 2.1.4.2: whether `proof` shows that the tree of `size1` leaves with root `root1` is the
 * beginning of the tree of `size2` leaves with root `root2` (0 < size1 <= size2).
 * @param {number} size1 @param {number} size2 @param {Uint8Array} root1 @param {Uint8Array} root2
 * @param {readonly Uint8Array[]} proof
 */
export function verifyConsistency(size1, size2, root1, root2, proof) {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2)
    return false;
  if (size1 === size2) return proof.length === 0 && same(root1, root2);
  if (proof.length === 0) return false;
  const first = BigInt(size1);
  const path = (first & (first - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = BigInt(size2 - 1);
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = Buffer.from(path[0] ?? []);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!lsb(fn))
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && same(fr, root1) && same(sr, root2);
}

/**
 * @typedef {{ name: string, keyId: string, publicKey: import('node:crypto').KeyObject }} TrustedKey
 */

/** The signed-note key id: SHA-256(name || 0x0A || 0x01 || key), first 4 bytes. @param {string} name @param {Uint8Array} raw */
function keyIdOf(name, raw) {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([1]), raw)
    .subarray(0, 4)
    .toString('hex');
}

/**
 * A trusted key from a signed-note verifier key (`name+keyid+base64`, as `safeshare audit key`
 * prints it), or from a PEM public key (`safeshare audit key --pem`), named `name`.
 * @param {string} text @param {string} [name]
 * @returns {TrustedKey}
 */
export function parseKey(text, name = 'safeshare-audit') {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const publicKey = createPublicKey(trimmed);
    const jwk = publicKey.export({ format: 'jwk' });
    if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
      throw new Error('the PEM key is not an Ed25519 public key');
    return { name, keyId: keyIdOf(name, Buffer.from(jwk.x, 'base64url')), publicKey };
  }
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(trimmed);
  if (match === null) throw new Error('a verifier key looks like safeshare-audit+1a2b3c4d+AQ...');
  const keyName = match[1] ?? '';
  const keyId = match[2] ?? '';
  const material = Buffer.from(match[3] ?? '', 'base64');
  if (material.length !== 33 || material[0] !== 1) throw new Error('the verifier key is not an Ed25519 key');
  const raw = material.subarray(1);
  if (keyIdOf(keyName, raw) !== keyId) throw new Error('the verifier key id does not match its name and key');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { name: keyName, keyId, publicKey };
}

/**
 * Opens a C2SP signed note: its text, if a signature line on it verifies with one of the keys.
 * @param {string} note @param {readonly TrustedKey[]} keys
 * @returns {{ ok: true, text: string } | { ok: false, reason: string }}
 */
export function openNote(note, keys) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, reason: 'it is not a signed note' };
  const text = note.slice(0, split + 1);
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (match === null) continue;
    const blob = Buffer.from(match[2] ?? '', 'base64');
    if (blob.length !== 68) continue;
    const id = blob.subarray(0, 4).toString('hex');
    for (const key of keys)
      if (
        key.name === match[1] &&
        key.keyId === id &&
        verifySignature(null, Buffer.from(text, 'utf8'), key.publicKey, blob.subarray(4))
      )
        return { ok: true, text };
  }
  return { ok: false, reason: 'no signature on it verifies with the given key' };
}

/**
 * @typedef {{ organisationId: string, treeSize: number, rootHash: string, signedAt: string }} Checkpoint
 */

/** @param {unknown} value @param {string} name @returns {unknown} */
function get(value, name) {
  return typeof value === 'object' && value !== null
    ? /** @type {Record<string, unknown>} */ (value)[name]
    : undefined;
}

/** @param {unknown} value */
const isHash = (value) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

/**
 * Checks a checkpoint record: its note's signature, its text, and that its fields say what the
 * signed text says. Returns what it says, or why it cannot be trusted.
 * @param {unknown} record @param {readonly TrustedKey[]} keys
 * @returns {{ ok: true, checkpoint: Checkpoint } | { ok: false, reason: string }}
 */
export function checkCheckpoint(record, keys) {
  const note = get(record, 'note');
  if (typeof note !== 'string') return { ok: false, reason: 'it has no signed note' };
  const opened = openNote(note, keys);
  if (!opened.ok) return opened;
  const match =
    /^safeshare-audit\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/]{43}=)\ntime (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\n$/.exec(
      opened.text,
    );
  if (match === null) return { ok: false, reason: 'its signed text is not a Safeshare audit checkpoint' };
  const checkpoint = {
    organisationId: match[1] ?? '',
    treeSize: Number(match[2]),
    rootHash: Buffer.from(match[3] ?? '', 'base64').toString('hex'),
    signedAt: match[4] ?? '',
  };
  for (const field of /** @type {const} */ (['organisationId', 'treeSize', 'rootHash', 'signedAt']))
    if (get(record, field) !== checkpoint[field])
      return { ok: false, reason: `its ${field} differs from the signed text's` };
  return { ok: true, checkpoint };
}

/** @param {unknown} list @returns {Buffer[] | undefined} */
function hashes(list) {
  if (!Array.isArray(list) || !list.every(isHash)) return undefined;
  return list.map((item) => Buffer.from(String(item), 'hex'));
}

/** @param {Checkpoint} c */
const describe = (c) => `the checkpoint of ${String(c.treeSize)} events signed ${c.signedAt}`;

/**
 * Checks one document: an inclusion proof, a consistency proof or a checkpoint.
 * @param {unknown} document @param {readonly TrustedKey[]} keys
 * @returns {{ ok: boolean, message: string }}
 */
export function verifyDocument(document, keys) {
  const type = get(document, 'type');
  const organisationId = get(document, 'organisationId');
  if (type === 'safeshare-audit-inclusion-proof') {
    const checked = checkCheckpoint(get(document, 'checkpoint'), keys);
    if (!checked.ok)
      return { ok: false, message: `inclusion proof: the checkpoint cannot be trusted: ${checked.reason}` };
    const { checkpoint } = checked;
    const event = get(document, 'event');
    const seq = get(event, 'seq');
    const hash = get(event, 'hash');
    const path = hashes(get(document, 'inclusionPath'));
    if (typeof seq !== 'number' || !isHash(hash) || path === undefined)
      return { ok: false, message: 'inclusion proof: it lacks the event, its hash or the inclusion path' };
    if (organisationId !== checkpoint.organisationId || get(document, 'treeSize') !== checkpoint.treeSize)
      return {
        ok: false,
        message: 'inclusion proof: it names another organisation or tree size than its checkpoint',
      };
    if (get(document, 'leafIndex') !== seq - 1)
      return {
        ok: false,
        message: 'inclusion proof: its leaf index is not the event before its sequence number',
      };
    const canonical = get(event, 'canonical');
    if (canonical !== undefined) {
      if (typeof canonical !== 'string' || sha256(Buffer.from(canonical, 'utf8')).toString('hex') !== hash)
        return {
          ok: false,
          message: `inclusion proof: the event's text does not hash to event ${String(seq)}'s hash`,
        };
      /** @type {unknown} */
      let parsed;
      try {
        parsed = /** @type {unknown} */ (JSON.parse(canonical));
      } catch {
        parsed = undefined;
      }
      if (get(parsed, 'seq') !== seq || get(parsed, 'organisationId') !== checkpoint.organisationId)
        return {
          ok: false,
          message: "inclusion proof: the event's text is of another event or organisation",
        };
    }
    const leaf = hashLeaf(Buffer.from(String(hash), 'hex'));
    if (!verifyInclusion(seq - 1, checkpoint.treeSize, leaf, path, Buffer.from(checkpoint.rootHash, 'hex')))
      return {
        ok: false,
        message: `inclusion proof: event ${String(seq)} is NOT shown to be in ${describe(checkpoint)}`,
      };
    return {
      ok: true,
      message: `event ${String(seq)} (hash ${String(hash)}${canonical === undefined ? '' : ', its text matching'}) of organisation ${checkpoint.organisationId} is in ${describe(checkpoint)}`,
    };
  }
  if (type === 'safeshare-audit-consistency-proof') {
    const older = checkCheckpoint(get(document, 'from'), keys);
    const newer = checkCheckpoint(get(document, 'to'), keys);
    if (!older.ok)
      return {
        ok: false,
        message: `consistency proof: the first checkpoint cannot be trusted: ${older.reason}`,
      };
    if (!newer.ok)
      return {
        ok: false,
        message: `consistency proof: the second checkpoint cannot be trusted: ${newer.reason}`,
      };
    const path = hashes(get(document, 'consistencyPath'));
    if (path === undefined) return { ok: false, message: 'consistency proof: it lacks the consistency path' };
    const [a, b] = [older.checkpoint, newer.checkpoint];
    if (a.organisationId !== b.organisationId || organisationId !== a.organisationId)
      return { ok: false, message: 'consistency proof: its checkpoints are of different organisations' };
    const consistent = verifyConsistency(
      a.treeSize,
      b.treeSize,
      Buffer.from(a.rootHash, 'hex'),
      Buffer.from(b.rootHash, 'hex'),
      path,
    );
    if (!consistent)
      return {
        ok: false,
        message: `consistency proof: ${describe(a)} is NOT shown to be the beginning of ${describe(b)}`,
      };
    return {
      ok: true,
      message: `${describe(a)} is the beginning of ${describe(b)}, organisation ${a.organisationId}: nothing in between was changed`,
    };
  }
  const checked = checkCheckpoint(document, keys);
  if (!checked.ok) return { ok: false, message: `checkpoint: it cannot be trusted: ${checked.reason}` };
  return {
    ok: true,
    message: `${describe(checked.checkpoint)} for organisation ${checked.checkpoint.organisationId} is signed`,
  };
}

/**
 * Checks a file: one JSON document, or JSON lines (a checkpoint export), each line checked.
 * @param {string} text @param {readonly TrustedKey[]} keys
 * @returns {{ ok: boolean, message: string }[]}
 */
export function verifyText(text, keys) {
  /** @param {string} json */
  const parse = (json) => {
    try {
      return { ok: true, value: /** @type {unknown} */ (JSON.parse(json)) };
    } catch {
      return { ok: false, value: undefined };
    }
  };
  const whole = parse(text);
  if (whole.ok) return [verifyDocument(whole.value, keys)];
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    const parsed = parse(line);
    const result = parsed.ok ? verifyDocument(parsed.value, keys) : { ok: false, message: 'it is not JSON' };
    return [{ ok: result.ok, message: `line ${String(index + 1)}: ${result.message}` }];
  });
}

/** @param {readonly string[]} args @returns {number} the exit code */
export function main(args) {
  /** @type {string[]} */
  const keyTexts = [];
  /** @type {string[]} */
  const files = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--key') keyTexts.push(args[(index += 1)] ?? '');
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'node verify-audit-proof.mjs --key <verifier key or file> <proof or checkpoints file>...\n',
      );
      return 0;
    } else files.push(arg);
  }
  if (keyTexts.length === 0 || files.length === 0) {
    process.stderr.write(
      'usage: node verify-audit-proof.mjs --key <verifier key or file> <proof or checkpoints file>...\n',
    );
    return 2;
  }
  /** @type {TrustedKey[]} */
  const keys = [];
  for (const given of keyTexts) {
    let text = given;
    try {
      text = readFileSync(given, 'utf8');
    } catch {
      // Not a file: the key itself.
    }
    try {
      keys.push(parseKey(text));
    } catch (error) {
      process.stderr.write(`--key ${given}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  let failed = false;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      process.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
    for (const result of verifyText(text, keys)) {
      process.stdout.write(`${result.ok ? 'OK' : 'FAILED'} ${file}: ${result.message}\n`);
      if (!result.ok) failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** Whether this file is the program being run (not imported by a test). @param {string | undefined} script */
function isMain(script) {
  try {
    return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain(process.argv[1])) process.exitCode = main(process.argv.slice(2));
