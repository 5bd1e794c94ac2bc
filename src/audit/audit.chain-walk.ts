import type pg from 'pg';
import { copyChain } from './audit.chain-copy.ts';
import {
  canonicalCommittedText,
  canonicalEventText,
  changeDigest,
  committedHashWithTime,
  genesisHash,
  hashWithTime,
  isErasedChange,
} from './audit.hash.ts';
import { CompactRange, leafHash } from './audit.merkle.ts';
import type { VerifiableRow } from './audit.repository.ts';

/**
 * What is wrong at a place in a chain: `altered` (the event's content, or only its previous-hash
 * link, no longer matches its hash), `missing` (a gap in the sequence numbers), `out of order` (the
 * event does not follow the one before it: re-ordered, or the one before altered and re-hashed),
 * `truncated` (the chain head records more events, or another hash, than the last event present).
 */
export type Problem = 'altered' | 'missing' | 'out of order' | 'truncated';

/** A signed checkpoint whose signature has been checked: what the chain must still hash to (ADR 0023). */
export interface TrustedCheckpoint {
  readonly organisationId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signedAt: Date;
}

/** A break as one chain's walk finds it; verification adds the organisation. */
export interface ChainBreak {
  /** The first event of the break; `lastSeq` is its last (the same for a break of one event). */
  readonly seq: number;
  readonly lastSeq: number;
  readonly problem: Problem;
  readonly detail: string;
}

const single = (seq: number, problem: Problem, detail: string): ChainBreak => ({
  seq,
  lastSeq: seq,
  problem,
  detail,
});

/** One chain to verify: its organisation, its length as its head records it, its trusted checkpoints. */
export interface ChainTask {
  readonly organisationId: string;
  readonly length: number;
  readonly checkpoints: readonly TrustedCheckpoint[];
}

/** What one chain's walk found: its first `limit` breaks in walk order, and how many more. */
export interface ChainWalkResult {
  readonly events: number;
  readonly erased: number;
  readonly findings: readonly ChainBreak[];
  readonly moreFindings: number;
}

/**
 * Verifies one chain on a connection of its own: in one read-only REPEATABLE READ snapshot, reads
 * its head, then streams its events in sequence order through a `ChainWalk`.
 */
export async function verifyChainOn(
  client: pg.ClientBase,
  task: ChainTask,
  limit: number,
): Promise<ChainWalkResult> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const head = await client.query<{ seq: string; hash: string }>(
      'SELECT seq::text, hash FROM audit_chain_heads WHERE organisation_id = $1',
      [task.organisationId],
    );
    const walk = new ChainWalk(task.organisationId, task.checkpoints, limit);
    await copyChain(client, task.organisationId, (row) => walk.visit(row));
    const headRow = head.rows[0];
    return walk.end(headRow === undefined ? undefined : { seq: Number(headRow.seq), hash: headRow.hash });
  } finally {
    await client.query('COMMIT');
  }
}

/**
 * Walks one chain in sequence order and keeps each break it finds, the first `limit` of them (no
 * more of one chain can be listed), counting the rest.
 *
 * After a break the walk re-anchors on the next event's own previous hash rather than on the hash
 * of the broken event, so one break is reported once and not again at every later event.
 */
export class ChainWalk {
  private expectedSeq = 1;
  /** The hash the next event must link to, or null where the link cannot be checked (after a break). */
  private anchor: string | null = genesisHash;
  private events = 0;
  private erased = 0;
  private readonly findings: ChainBreak[] = [];
  private moreFindings = 0;
  private readonly tree: ReturnType<typeof checkpointWalk> | undefined;

  constructor(
    private readonly organisationId: string,
    checkpoints: readonly TrustedCheckpoint[],
    private readonly limit: number,
  ) {
    this.tree =
      checkpoints.length === 0 ? undefined : checkpointWalk(checkpoints, (found) => this.report(found));
  }

  private report(found: ChainBreak): void {
    if (this.findings.length < this.limit) this.findings.push(found);
    else this.moreFindings += 1;
  }

  visit(row: VerifiableRow): void {
    const expectedSeq = this.expectedSeq;
    this.events += 1;
    if (row.change_salt === null && row.hash_version === 2) this.erased += 1;
    if (row.seq !== expectedSeq) {
      if (row.seq < expectedSeq) {
        // The chain is read in rising order of its primary key, so this is only a guard.
        this.report(single(row.seq, 'out of order', `event ${row.seq} appears after ${expectedSeq - 1}`));
        return;
      }
      this.report(
        row.seq === expectedSeq + 1
          ? single(
              expectedSeq,
              'missing',
              `event ${expectedSeq} is missing (the next event found is ${row.seq})`,
            )
          : {
              seq: expectedSeq,
              lastSeq: row.seq - 1,
              problem: 'missing',
              detail: `events ${expectedSeq} to ${row.seq - 1} are missing (the next event found is ${row.seq})`,
            },
      );
      this.anchor = null;
    }
    const problem = checkRow(row, this.anchor, this.organisationId);
    if (problem !== undefined) this.report(problem);
    this.anchor = problem === undefined ? row.hash : null;
    this.expectedSeq = row.seq + 1;
    this.tree?.append(row.hash);
  }

  /** Holds the end of the chain to its head (as read in the same snapshot) and to its checkpoints. */
  end(head: { readonly seq: number; readonly hash: string } | undefined): ChainWalkResult {
    this.tree?.end();
    const last = this.expectedSeq - 1;
    const headSeq = head?.seq ?? 0;
    if (last < headSeq) {
      this.report({
        seq: last + 1,
        lastSeq: headSeq,
        problem: 'truncated',
        detail: `the chain ends at event ${last} but its head records ${headSeq} events: events ${last + 1} to ${headSeq} are missing`,
      });
    } else if (last > headSeq) {
      const beyond = last === headSeq + 1 ? `event ${last} lies` : `events ${headSeq + 1} to ${last} lie`;
      this.report({
        seq: headSeq + 1,
        lastSeq: last,
        problem: 'altered',
        detail: `${beyond} beyond the chain head, which records ${headSeq} events`,
      });
    } else if (head !== undefined && last > 0 && this.anchor !== null && this.anchor !== head.hash) {
      // A last event already reported broken is not reported again against the head.
      this.report(
        single(
          last,
          'truncated',
          `the chain head records a different hash from event ${last}: later events were removed, or event ${last} was altered and re-hashed`,
        ),
      );
    }
    return {
      events: this.events,
      erased: this.erased,
      findings: this.findings,
      moreFindings: this.moreFindings,
    };
  }
}

/**
 * The chain's Merkle tree, built as its events are read, checked against each checkpoint as the walk
 * reaches its size. The first checkpoint the chain no longer matches is reported with the last one it
 * still matched: the first altered event lies between them. Later checkpoints are not reported again
 * (an event re-hashed changes every root after it). Checkpoints beyond the chain's end say how much
 * of it was cut away.
 */
function checkpointWalk(checkpoints: readonly TrustedCheckpoint[], report: (found: ChainBreak) => void) {
  const range = new CompactRange();
  let next = 0;
  let matched: TrustedCheckpoint | undefined;
  let mismatched = false;
  const compare = () => {
    for (
      let checkpoint = checkpoints[next];
      checkpoint?.treeSize === range.size;
      checkpoint = checkpoints[next]
    ) {
      next += 1;
      if (mismatched) continue;
      if (range.root().toString('hex') === checkpoint.rootHash) {
        matched = checkpoint;
        continue;
      }
      mismatched = true;
      const from = (matched?.treeSize ?? 0) + 1;
      const since =
        matched === undefined
          ? ''
          : ` (it still matches the one of ${String(matched.treeSize)} events signed ${matched.signedAt.toISOString()})`;
      report({
        seq: from,
        lastSeq: checkpoint.treeSize,
        problem: 'altered',
        detail: `the chain no longer matches the checkpoint of ${String(checkpoint.treeSize)} events signed ${checkpoint.signedAt.toISOString()}${since}: an event from ${String(from)} to ${String(checkpoint.treeSize)} was altered, removed or inserted, and every later event re-hashed`,
      });
    }
  };
  compare();
  return {
    append(hash: string): void {
      // A hash that is not 64 hexadecimal characters was altered; it must still give a leaf of its own.
      range.append(
        leafHash(/^[0-9a-f]{64}$/.test(hash) ? Buffer.from(hash, 'hex') : Buffer.from(hash, 'utf8')),
      );
      compare();
    },
    end(): void {
      const last = checkpoints[checkpoints.length - 1];
      if (last === undefined || last.treeSize <= range.size) return;
      report({
        seq: range.size + 1,
        lastSeq: last.treeSize,
        problem: 'truncated',
        detail: `the chain has ${String(range.size)} events but the checkpoint signed ${last.signedAt.toISOString()} records ${String(last.treeSize)}: events ${String(range.size + 1)} to ${String(last.treeSize)} were cut away`,
      });
    },
  };
}

/** The time of an event as its hash covers it, from the ISO text (with microseconds) verification reads. */
function hashedTime(row: VerifiableRow): string {
  // Microseconds are never written (JavaScript times are in milliseconds), so any are an alteration: keep them in the hashed text.
  const micro = row.occurred_at.slice(23);
  return micro === '000' ? `${row.occurred_at.slice(0, 23)}Z` : `${row.occurred_at}Z`;
}

/** Every field either version's hash covers, in one object: verification builds it once per event. */
function hashedFields(row: VerifiableRow, organisationId: string, prevHash: string) {
  return {
    organisationId,
    seq: row.seq,
    prevHash,
    actorUserId: row.actor_user_id,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    personId: row.person_id,
    change: row.change,
    changeDigest: row.change_digest ?? '',
  };
}

/**
 * The hash the event should have with the given previous hash: version 1 over the change itself,
 * version 2 over the stored digest of the change (ADR 0025). Undefined for an unknown version.
 */
function expectedHash(row: VerifiableRow, organisationId: string, occurredAt: string, prevHash: string) {
  if (row.hash_version === 1) return hashWithTime(hashedFields(row, organisationId, prevHash), occurredAt);
  if (row.hash_version === 2 && row.change_digest !== null)
    return committedHashWithTime(hashedFields(row, organisationId, prevHash), occurredAt);
  return undefined;
}

/**
 * What is wrong with a version 2 event's change against its digest, if anything: present, it must
 * hash to the digest with its salt; erased, it must be the tombstone and its erasure recorded.
 */
function contentProblem(row: VerifiableRow): string | undefined {
  if (row.hash_version !== 2) return undefined;
  if (row.change_salt !== null)
    return changeDigest(row.change_salt, row.change) === row.change_digest
      ? undefined
      : `the content of event ${row.seq} has been altered`;
  if (row.erasure_recorded !== true)
    return `the content of event ${row.seq} was removed without a recorded erasure`;
  if (!isErasedChange(row.change)) return `the erased content of event ${row.seq} has been altered`;
  return undefined;
}

/** The canonical text an event's hash is the SHA-256 of (src/audit/audit.hash.ts), as stored now. */
export function canonicalTextOf(row: VerifiableRow, organisationId: string): string {
  const fields = hashedFields(row, organisationId, row.prev_hash);
  return row.hash_version === 2 && row.change_digest !== null
    ? canonicalCommittedText(fields, hashedTime(row))
    : canonicalEventText(fields, hashedTime(row));
}

/**
 * Checks one event's hash against its content, and its previous-hash link against `anchor` (the
 * hash of the event before it), unless the link cannot be checked because that event is broken or missing.
 */
export function checkRow(
  row: VerifiableRow,
  anchor: string | null,
  organisationId: string,
): ChainBreak | undefined {
  const occurredAt = hashedTime(row);
  if (anchor !== null && row.prev_hash !== anchor) {
    // Only the link was changed if the event hashes true with the link it should have.
    if (expectedHash(row, organisationId, occurredAt, anchor) === row.hash) {
      return single(row.seq, 'altered', `the previous-hash link of event ${row.seq} has been altered`);
    }
    return single(
      row.seq,
      'out of order',
      `event ${row.seq} does not follow event ${row.seq - 1}: the events were re-ordered, or event ${row.seq - 1} was altered and re-hashed`,
    );
  }
  if (expectedHash(row, organisationId, occurredAt, row.prev_hash) !== row.hash) {
    return single(row.seq, 'altered', `event ${row.seq} has been altered`);
  }
  const content = contentProblem(row);
  return content === undefined ? undefined : single(row.seq, 'altered', content);
}
