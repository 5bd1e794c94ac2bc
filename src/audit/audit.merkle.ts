import { createHash } from 'node:crypto';

/**
 * The Merkle tree of an organisation's audit trail, hashed as RFC 9162 (Certificate Transparency
 * version 2.0) section 2.1 does: a leaf hash is SHA-256(0x00 || leaf), an interior node
 * SHA-256(0x01 || left || right), and a tree of n leaves is split at the largest power of two
 * smaller than n. The leaves are the events' own chained hashes, in chain order (ADR 0023): leaf i
 * (from 0) is the 32 bytes of the hash of the event with sequence number i + 1.
 *
 * Pure: no I/O. Sizes stay far below 2^53, so plain numbers and arithmetic (never 32-bit bitwise
 * operators) are used throughout.
 */

const leafPrefix = Buffer.from([0x00]);
const nodePrefix = Buffer.from([0x01]);

function sha256(...parts: readonly Uint8Array[]): Buffer {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest();
}

/** The root of the empty tree: SHA-256 of nothing. */
export const emptyRoot: Buffer = sha256();

/** RFC 9162 2.1.1: the hash of one leaf. */
export function leafHash(leaf: Uint8Array): Buffer {
  return sha256(leafPrefix, leaf);
}

/** RFC 9162 2.1.1: the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(nodePrefix, left, right);
}

/** The leaf hash of an event: its chained hash (64 hexadecimal characters) as 32 bytes. */
export function eventLeafHash(eventHash: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(eventHash))
    throw new TypeError('an event hash is 64 lower-case hexadecimal characters');
  return leafHash(Buffer.from(eventHash, 'hex'));
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** A node of the tree: the leaves from `start` (inclusive) to `end` (exclusive), by position from 0. */
export interface NodeRange {
  readonly start: number;
  readonly end: number;
}

/**
 * RFC 9162 2.1.3.1: the nodes whose hashes make the inclusion proof of leaf `index` in the tree of
 * `size` leaves, lowest first (the order the proof lists them in).
 */
export function inclusionRanges(index: number, size: number): NodeRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    throw new RangeError(`leaf ${String(index)} is not in a tree of ${String(size)} leaves`);
  const ranges: NodeRange[] = [];
  const path = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, start + k);
      ranges.push({ start: start + k, end });
    } else {
      path(m - k, start + k, end);
      ranges.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return ranges;
}

/**
 * RFC 9162 2.1.4.1: the nodes whose hashes make the consistency proof from the tree of `from`
 * leaves to the tree of `to` leaves (0 < from <= to), in the order the proof lists them.
 */
export function consistencyRanges(from: number, to: number): NodeRange[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from > to)
    throw new RangeError(`no consistency proof from ${String(from)} leaves to ${String(to)}`);
  const ranges: NodeRange[] = [];
  const subproof = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) ranges.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, whole);
      ranges.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  subproof(from, 0, to, true);
  return ranges;
}

/** RFC 9162 2.1.1: the root of a list of leaf hashes (the reference computation, for tests and small trees). */
export function rootOfLeafHashes(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot;
  const subtree = (start: number, end: number): Buffer => {
    if (end - start === 1) {
      const leaf = leaves[start];
      if (leaf === undefined) throw new RangeError('leaf out of range');
      return leaf;
    }
    const k = splitPoint(end - start);
    return nodeHash(subtree(start, start + k), subtree(start + k, end));
  };
  return subtree(0, leaves.length);
}

/** A perfect subtree completed while appending: its level (0 is a leaf), its index on that level and its hash. */
export interface CompletedSubtree {
  readonly level: number;
  readonly index: number;
  readonly hash: Buffer;
}

/**
 * The right edge of a tree (a "compact range" from 0): the roots of the perfect subtrees that make
 * up its first `size` leaves, largest first, one for each bit set in `size`. Appending a leaf merges
 * the subtrees it completes, so the root of any size is known after one pass over the leaves, and
 * the next checkpoint starts from where the last one ended instead of from the first event.
 */
export class CompactRange {
  #size: number;
  readonly #nodes: Buffer[];

  constructor(size = 0, nodes: readonly Buffer[] = []) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('a tree size is a whole number');
    if (nodes.length !== bitsSet(size))
      throw new RangeError(
        `a tree of ${String(size)} leaves has ${String(bitsSet(size))} subtrees on its edge`,
      );
    this.#size = size;
    this.#nodes = [...nodes];
  }

  get size(): number {
    return this.#size;
  }

  /** The edge's subtree roots, largest first. */
  get nodes(): readonly Buffer[] {
    return this.#nodes;
  }

  /** Appends a leaf hash; `completed` is told of every perfect subtree of two or more leaves it completes. */
  append(leaf: Buffer, completed?: (subtree: CompletedSubtree) => void): void {
    let merged = leaf;
    let level = 0;
    let remaining = this.#size;
    // Each trailing 1 bit of the old size is a subtree of that height that the new leaf completes.
    while (remaining % 2 === 1) {
      const left = this.#nodes.pop();
      if (left === undefined) throw new Error('the compact range lost a subtree');
      merged = nodeHash(left, merged);
      level += 1;
      remaining = Math.floor(remaining / 2);
      completed?.({ level, index: Math.floor((this.#size + 1) / 2 ** level) - 1, hash: merged });
    }
    this.#nodes.push(merged);
    this.#size += 1;
  }

  /** The root of the tree of the leaves appended so far. */
  root(): Buffer {
    const last = this.#nodes[this.#nodes.length - 1];
    if (last === undefined) return emptyRoot;
    let root = last;
    for (let index = this.#nodes.length - 2; index >= 0; index -= 1) {
      const node = this.#nodes[index];
      if (node === undefined) throw new Error('the compact range lost a subtree');
      root = nodeHash(node, root);
    }
    return root;
  }
}

function bitsSet(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/**
 * Where a subtree hash comes from when a proof is built: a perfect subtree of 2^level leaves at
 * `index` on its level, when it is stored (undefined otherwise), and the leaf hashes of a range.
 */
export interface SubtreeSource {
  /** The levels stored, highest first (multiples of 8: subtrees of 256, 65,536 ... leaves). */
  readonly storedLevels: readonly number[];
  stored(level: number, first: number, count: number): Promise<readonly (Buffer | undefined)[]>;
  leaves(start: number, end: number): Promise<readonly Buffer[]>;
}

/**
 * The hash of the node over leaves [start, end), from stored subtrees where there are some and from
 * the leaves otherwise: a perfect subtree at a stored level is one row; a larger one is folded from
 * the highest stored level beneath it; below the lowest stored level the leaves are read.
 */
export async function subtreeHash(source: SubtreeSource, range: NodeRange): Promise<Buffer> {
  const n = range.end - range.start;
  if (n < 1) throw new RangeError('an empty range has no node');
  if (!isPowerOfTwo(n)) {
    const k = splitPoint(n);
    const [left, right] = await Promise.all([
      subtreeHash(source, { start: range.start, end: range.start + k }),
      subtreeHash(source, { start: range.start + k, end: range.end }),
    ]);
    return nodeHash(left, right);
  }
  const height = Math.log2(n);
  const level = source.storedLevels.find((stored) => stored <= height && range.start % 2 ** stored === 0);
  if (level === undefined) return rootOfLeafHashes(await source.leaves(range.start, range.end));
  const width = 2 ** level;
  const stored = await source.stored(level, range.start / width, n / width);
  if (stored.some((hash) => hash === undefined)) {
    // Not stored (not yet reached by a checkpoint): compute it from the level below.
    if (height === 0) return rootOfLeafHashes(await source.leaves(range.start, range.end));
    const half = n / 2;
    const [left, right] = await Promise.all([
      subtreeHash(source, { start: range.start, end: range.start + half }),
      subtreeHash(source, { start: range.start + half, end: range.end }),
    ]);
    return nodeHash(left, right);
  }
  return rootOfLeafHashes(stored as Buffer[]);
}

/**
 * RFC 9162 2.1.3.2: whether `proof` shows that the leaf hash `leaf` is leaf `index` of the tree of
 * `size` leaves whose root is `root`.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Buffer,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 2.1.4.2: whether `proof` shows that the tree of `from` leaves with root `fromRoot` is the
 * beginning of the tree of `to` leaves with root `toRoot`.
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Buffer,
  toRoot: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (from < 1 || from > to) return false;
  if (from === to) return proof.length === 0 && fromRoot.equals(toRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}
