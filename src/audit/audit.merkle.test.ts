import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base64,
  standaloneVerifier,
  vectors,
  vectorsFound,
  type StandaloneVerifier,
} from '../../test/support/audit-proofs.ts';
import {
  CompactRange,
  consistencyRanges,
  emptyRoot,
  eventLeafHash,
  inclusionRanges,
  leafHash,
  nodeHash,
  rootOfLeafHashes,
  subtreeHash,
  verifyConsistency,
  verifyInclusion,
  type CompletedSubtree,
  type NodeRange,
  type SubtreeSource,
} from './audit.merkle.ts';

/**
 * The Merkle tree of ADR 0023 against published RFC 9162 / RFC 6962 vectors (transparency-dev's,
 * read from beside the checkout: see test/support/audit-proofs.ts), both in Safeshare and in the
 * stand-alone verifier that
 * councils keep: the same proofs are accepted and refused by both, and Safeshare's proofs are the
 * published ones, node for node.
 */

let standalone: StandaloneVerifier;
beforeAll(async () => {
  standalone = await standaloneVerifier();
});

const published = vectors.leafInputs.map((hex) => leafHash(Buffer.from(hex, 'hex')));

/** The hash of a node of a tree of leaf hashes, computed from the leaves themselves. */
const hashOf = (leaves: readonly Buffer[], range: NodeRange) =>
  rootOfLeafHashes(leaves.slice(range.start, range.end));

describe.skipIf(!vectorsFound)('hashing (RFC 9162 2.1.1)', () => {
  it('gives the published empty root, leaf and node hashes', () => {
    for (const vector of vectors.hasher) {
      const got =
        vector.kind === 'empty'
          ? emptyRoot
          : vector.kind === 'leaf'
            ? leafHash(Buffer.from(vector.input, 'utf8'))
            : nodeHash(Buffer.from(vector.left, 'utf8'), Buffer.from(vector.right, 'utf8'));
      expect(got.toString('hex'), vector.desc).toBe(vector.want);
      if (vector.kind === 'leaf')
        expect(standalone.hashLeaf(Buffer.from(vector.input, 'utf8')).toString('hex')).toBe(vector.want);
      if (vector.kind === 'node')
        expect(
          standalone
            .hashChildren(Buffer.from(vector.left, 'utf8'), Buffer.from(vector.right, 'utf8'))
            .toString('hex'),
        ).toBe(vector.want);
    }
  });

  it("takes an event's leaf to be the 32 bytes of its chained hash", () => {
    const hash = createHash('sha256').update('an audit event').digest('hex');
    expect(eventLeafHash(hash).equals(leafHash(Buffer.from(hash, 'hex')))).toBe(true);
    expect(() => eventLeafHash(hash.toUpperCase())).toThrow(TypeError);
    expect(() => eventLeafHash(hash.slice(2))).toThrow(TypeError);
  });

  it('gives the published root of every tree of the eight published leaves, directly and by appending', () => {
    const range = new CompactRange();
    expect(range.root().toString('hex')).toBe(vectors.rootHashes[0]);
    for (let size = 1; size <= 8; size += 1) {
      expect(rootOfLeafHashes(published.slice(0, size)).toString('hex')).toBe(vectors.rootHashes[size]);
      range.append(published[size - 1] ?? Buffer.alloc(0));
      expect(range.root().toString('hex'), `size ${String(size)}`).toBe(vectors.rootHashes[size]);
      // Starting again from the stored edge gives the same tree.
      expect(new CompactRange(range.size, range.nodes).root().equals(range.root())).toBe(true);
    }
  });
});

describe.skipIf(!vectorsFound)('inclusion proofs (RFC 9162 2.1.3)', () => {
  it.each(vectors.inclusion.map((vector) => [vector.file, vector] as const))(
    'answers %s as published, in Safeshare and in the stand-alone verifier',
    (_file, vector) => {
      const proof = (vector.proof ?? []).map(base64);
      const args = [
        vector.leafIdx,
        vector.treeSize,
        base64(vector.leafHash),
        proof,
        base64(vector.root),
      ] as const;
      expect(verifyInclusion(...args)).toBe(!vector.wantErr);
      expect(standalone.verifyInclusion(...args)).toBe(!vector.wantErr);
    },
  );

  it('builds exactly the published proofs from the published leaves', () => {
    const happy = vectors.inclusion.filter((vector) => vector.desc === 'happy path' && vector.treeSize > 0);
    expect(happy.length).toBeGreaterThanOrEqual(5);
    for (const vector of happy) {
      const leaves = published.slice(0, vector.treeSize);
      const proof = inclusionRanges(vector.leafIdx, vector.treeSize).map((range) => hashOf(leaves, range));
      expect(
        proof.map((node) => node.toString('base64')),
        vector.file,
      ).toEqual(vector.proof ?? []);
    }
  });
});

describe.skipIf(!vectorsFound)('consistency proofs (RFC 9162 2.1.4)', () => {
  it.each(vectors.consistency.map((vector) => [vector.file, vector] as const))(
    'answers %s as published, in Safeshare and in the stand-alone verifier',
    (_file, vector) => {
      const proof = (vector.proof ?? []).map(base64);
      const roots = [base64(vector.root1), base64(vector.root2)] as const;
      expect(verifyConsistency(vector.size1, vector.size2, ...roots, proof)).toBe(!vector.wantErr);
      expect(standalone.verifyConsistency(vector.size1, vector.size2, ...roots, proof)).toBe(!vector.wantErr);
    },
  );

  it('builds exactly the published proofs from the published leaves', () => {
    const happy = vectors.consistency.filter((vector) => vector.desc === 'happy path');
    expect(happy.length).toBeGreaterThanOrEqual(5);
    for (const vector of happy) {
      const leaves = published.slice(0, vector.size2);
      const proof =
        vector.size1 === vector.size2
          ? []
          : consistencyRanges(vector.size1, vector.size2).map((range) => hashOf(leaves, range));
      expect(
        proof.map((node) => node.toString('base64')),
        vector.file,
      ).toEqual(vector.proof ?? []);
    }
  });
});

describe('trees of any size', () => {
  const leavesOf = (size: number, seed: number) =>
    Array.from({ length: size }, (_, index) =>
      leafHash(
        createHash('sha256')
          .update(`${String(seed)}:${String(index)}`)
          .digest(),
      ),
    );

  it('appends to the same root as the definition, and tells of every perfect subtree it completes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer(), (size, seed) => {
        const leaves = leavesOf(size, seed);
        const range = new CompactRange();
        const completed: CompletedSubtree[] = [];
        for (const leaf of leaves) range.append(leaf, (subtree) => completed.push(subtree));
        expect(range.root().equals(rootOfLeafHashes(leaves))).toBe(true);
        for (const subtree of completed) {
          const width = 2 ** subtree.level;
          expect(
            subtree.hash.equals(
              hashOf(leaves, { start: subtree.index * width, end: (subtree.index + 1) * width }),
            ),
          ).toBe(true);
        }
        // Every perfect subtree of two leaves or more, once each.
        let expected = 0;
        for (let width = 2; width <= size; width *= 2) expected += Math.floor(size / width);
        expect(completed).toHaveLength(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('proves every leaf and every pair of sizes, and both verifiers accept the proofs and refuse them altered', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer(),
        fc.nat(),
        fc.nat(),
        (size, seed, pick, flip) => {
          const leaves = leavesOf(size, seed);
          const root = rootOfLeafHashes(leaves);
          const index = pick % size;
          const leaf = leaves[index] ?? Buffer.alloc(0);
          const proof = inclusionRanges(index, size).map((range) => hashOf(leaves, range));
          expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
          expect(standalone.verifyInclusion(index, size, leaf, proof, root)).toBe(true);

          const from = (pick % size) + 1;
          const fromRoot = rootOfLeafHashes(leaves.slice(0, from));
          const consistency =
            from === size ? [] : consistencyRanges(from, size).map((range) => hashOf(leaves, range));
          expect(verifyConsistency(from, size, fromRoot, root, consistency)).toBe(true);
          expect(standalone.verifyConsistency(from, size, fromRoot, root, consistency)).toBe(true);

          // One bit changed anywhere in a proof and it fails.
          for (const [kind, nodes] of [
            ['inclusion', proof],
            ['consistency', consistency],
          ] as const) {
            if (nodes.length === 0) continue;
            const altered = nodes.map((node) => Buffer.from(node));
            const at = flip % altered.length;
            const node = altered[at] ?? Buffer.alloc(32);
            node.writeUInt8(node.readUInt8(flip % 32) ^ (1 << (flip % 8)), flip % 32);
            const ok =
              kind === 'inclusion'
                ? verifyInclusion(index, size, leaf, altered, root) ||
                  standalone.verifyInclusion(index, size, leaf, altered, root)
                : verifyConsistency(from, size, fromRoot, root, altered) ||
                  standalone.verifyConsistency(from, size, fromRoot, root, altered);
            expect(ok, `${kind} proof with a bit changed`).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('builds a node from stored subtrees where they are kept, and from the leaves where not', async () => {
    const size = 1_100;
    const leaves = leavesOf(size, 7);
    const stored = new Map<string, Buffer>();
    const range = new CompactRange();
    for (const leaf of leaves)
      range.append(leaf, (subtree) => {
        // Keep level 8 (256 leaves), but lose the third such subtree, as if never stored.
        if (subtree.level === 8 && subtree.index !== 2)
          stored.set(`8:${String(subtree.index)}`, subtree.hash);
      });
    let leavesRead = 0;
    const source: SubtreeSource = {
      storedLevels: [8],
      stored: async (level, first, count) =>
        Array.from({ length: count }, (_, offset) =>
          stored.get(`${String(level)}:${String(first + offset)}`),
        ),
      leaves: async (start, end) => {
        leavesRead += end - start;
        return leaves.slice(start, end);
      },
    };
    expect((await subtreeHash(source, { start: 0, end: size })).equals(rootOfLeafHashes(leaves))).toBe(true);
    // Only the lost subtree (256 leaves) and the last, partial one (76) were read leaf by leaf.
    expect(leavesRead).toBe(256 + 76);
    for (const index of [0, 300, 700, 1_099]) {
      const proof = await Promise.all(inclusionRanges(index, size).map((node) => subtreeHash(source, node)));
      expect(
        verifyInclusion(index, size, leaves[index] ?? Buffer.alloc(0), proof, rootOfLeafHashes(leaves)),
      ).toBe(true);
    }
  });
});
