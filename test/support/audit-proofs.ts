import { existsSync, readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Published test vectors for RFC 9162 Merkle proofs and C2SP signed notes, each with its source, and
 * the stand-alone verifier (tools/verify-audit-proof.mjs) loaded as a council would run it: a plain
 * JavaScript file. The vectors are published data that Safeshare does not commit: they are read from
 * `../shared/fixtures/rfc9162-vectors.json` beside the checkout (or the file RFC9162_VECTORS names),
 * and the tests that need them are skipped where it is absent; the property tests against the RFC's
 * own definitions run everywhere.
 */

export interface PublishedInclusion {
  readonly file: string;
  readonly leafIdx: number;
  readonly treeSize: number;
  readonly root: string;
  readonly leafHash: string;
  readonly proof: readonly string[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

export interface PublishedConsistency {
  readonly file: string;
  readonly size1: number;
  readonly size2: number;
  readonly root1: string;
  readonly root2: string;
  readonly proof: readonly string[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

interface Vectors {
  readonly source: string;
  readonly signedNote: {
    readonly verifierKey: string;
    readonly signerKey: string;
    readonly text: string;
    readonly note: string;
  };
  readonly hasher: readonly (
    | { readonly kind: 'empty'; readonly desc: string; readonly want: string }
    | { readonly kind: 'leaf'; readonly desc: string; readonly input: string; readonly want: string }
    | {
        readonly kind: 'node';
        readonly desc: string;
        readonly left: string;
        readonly right: string;
        readonly want: string;
      }
  )[];
  /** Hexadecimal. */
  readonly leafInputs: readonly string[];
  /** Hexadecimal, by tree size from 0. */
  readonly rootHashes: readonly string[];
  readonly inclusion: readonly PublishedInclusion[];
  readonly consistency: readonly PublishedConsistency[];
}

const vectorsFile =
  process.env['RFC9162_VECTORS'] ??
  fileURLToPath(new URL('../../../shared/fixtures/rfc9162-vectors.json', import.meta.url));

/** Whether the published vectors are at hand. */
export const vectorsFound = existsSync(vectorsFile);

export const vectors: Vectors = vectorsFound
  ? (JSON.parse(readFileSync(vectorsFile, 'utf8')) as Vectors)
  : {
      source: '',
      signedNote: { verifierKey: '', signerKey: '', text: '', note: '' },
      hasher: [],
      leafInputs: [],
      rootHashes: [],
      inclusion: [],
      consistency: [],
    };

/** Base64 as the vectors publish their hashes. */
export const base64 = (text: string): Buffer => Buffer.from(text, 'base64');

export const verifierPath = fileURLToPath(new URL('../../tools/verify-audit-proof.mjs', import.meta.url));

interface TrustedKey {
  readonly name: string;
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

/** What tools/verify-audit-proof.mjs exports. */
export interface StandaloneVerifier {
  hashLeaf(leaf: Uint8Array): Buffer;
  hashChildren(left: Uint8Array, right: Uint8Array): Buffer;
  verifyInclusion(
    index: number,
    size: number,
    leafHash: Uint8Array,
    proof: readonly Uint8Array[],
    root: Uint8Array,
  ): boolean;
  verifyConsistency(
    size1: number,
    size2: number,
    root1: Uint8Array,
    root2: Uint8Array,
    proof: readonly Uint8Array[],
  ): boolean;
  parseKey(text: string, name?: string): TrustedKey;
  openNote(
    note: string,
    keys: readonly TrustedKey[],
  ): { ok: true; text: string } | { ok: false; reason: string };
  verifyDocument(document: unknown, keys: readonly TrustedKey[]): { ok: boolean; message: string };
  verifyText(text: string, keys: readonly TrustedKey[]): { ok: boolean; message: string }[];
}

/** The stand-alone verifier, imported from its file (it has no types of its own: it is plain JavaScript). */
export async function standaloneVerifier(): Promise<StandaloneVerifier> {
  return (await import(pathToFileURL(verifierPath).href)) as StandaloneVerifier;
}
