import type { CheckpointRecord } from './audit.checkpoints.service.ts';
import { openCheckpoint, type TrustedKey } from './audit.signing.ts';
import type { TrustedCheckpoint } from './audit.verification.ts';

/**
 * An export of signed checkpoints (`safeshare audit checkpoints --export <file>`): JSON lines, one
 * checkpoint a line, only ever appended to. Safeshare trusts a line for what its signature covers,
 * never for its other fields, which repeat the signed text for people reading the file.
 */

/** A line of the file that cannot be trusted, and why. */
export interface CheckpointFileProblem {
  /** From 1. */
  readonly line: number;
  readonly reason: string;
}

/** One checkpoint as a line of the file. */
export function checkpointLine(record: CheckpointRecord): string {
  const { organisationId, treeSize, rootHash, signedAt, keyId, note } = record;
  return `${JSON.stringify({ organisationId, treeSize, rootHash, signedAt, keyId, note })}\n`;
}

function parsedLines(text: string): { line: number; value: unknown }[] {
  const lines = text.split('\n');
  const parsed: { line: number; value: unknown }[] = [];
  lines.forEach((content, index) => {
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      value = undefined;
    }
    parsed.push({ line: index + 1, value });
  });
  return parsed;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The largest tree size the file already holds for each organisation (what an export appends after). */
export function exportedSizes(text: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const { value } of parsedLines(text)) {
    const organisationId = field(value, 'organisationId');
    const treeSize = field(value, 'treeSize');
    if (typeof organisationId !== 'string' || typeof treeSize !== 'number') continue;
    sizes.set(organisationId, Math.max(sizes.get(organisationId) ?? 0, treeSize));
  }
  return sizes;
}

/**
 * The checkpoints of a file that verify with the trusted keys, and a problem for every line that
 * does not: not JSON, no valid signature, fields that differ from what the signature covers, or a
 * second checkpoint of one size with another root (which only the signing key could make: a fork).
 */
export function readCheckpointFile(
  text: string,
  keys: readonly TrustedKey[],
): { readonly checkpoints: TrustedCheckpoint[]; readonly problems: CheckpointFileProblem[] } {
  const checkpoints: TrustedCheckpoint[] = [];
  const problems: CheckpointFileProblem[] = [];
  const seen = new Map<string, { rootHash: string; line: number }>();
  for (const { line, value } of parsedLines(text)) {
    const note = field(value, 'note');
    if (typeof note !== 'string') {
      problems.push({ line, reason: 'it is not a checkpoint (a JSON object with a signed note)' });
      continue;
    }
    const opened = openCheckpoint(note, keys);
    if (!opened.ok) {
      problems.push({ line, reason: `its checkpoint cannot be trusted: ${opened.reason}` });
      continue;
    }
    const { statement } = opened;
    if (
      field(value, 'organisationId') !== statement.organisationId ||
      field(value, 'treeSize') !== statement.treeSize ||
      field(value, 'rootHash') !== statement.rootHash ||
      field(value, 'signedAt') !== statement.signedAt.toISOString()
    ) {
      problems.push({ line, reason: 'its fields differ from the signed checkpoint it carries' });
      continue;
    }
    const key = `${statement.organisationId} ${String(statement.treeSize)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      if (earlier.rootHash !== statement.rootHash)
        problems.push({
          line,
          reason: `it signs another root for ${String(statement.treeSize)} events of organisation ${statement.organisationId} than line ${String(earlier.line)}: two histories were signed (a fork)`,
        });
      continue;
    }
    seen.set(key, { rootHash: statement.rootHash, line });
    checkpoints.push(statement);
  }
  return { checkpoints, problems };
}
