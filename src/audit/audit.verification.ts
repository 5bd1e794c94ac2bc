import type { Db, Executor } from '../db/client.ts';
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
import {
  chainHead,
  chainHeads,
  chainPage,
  chainsWithoutHead,
  organisationNames,
  type VerifiableRow,
} from './audit.repository.ts';

/**
 * What is wrong at a place in a chain: `altered` (the event's content, or only its previous-hash
 * link, no longer matches its hash), `missing` (a gap in the sequence numbers), `out of order` (the
 * event does not follow the one before it: re-ordered, or the one before altered and re-hashed),
 * `truncated` (the chain head records more events, or another hash, than the last event present).
 */
export type Problem = 'altered' | 'missing' | 'out of order' | 'truncated';

/** One break in one organisation's chain. */
export interface ChainFinding {
  readonly organisationId: string;
  readonly organisationName: string;
  /** The first event of the break; `lastSeq` is its last (the same for a break of one event). */
  readonly seq: number;
  readonly lastSeq: number;
  readonly problem: Problem;
  readonly detail: string;
}

export type VerificationResult =
  | {
      readonly ok: true;
      readonly events: number;
      readonly chains: number;
      /** Events whose content was erased by a disposal (ADR 0025): their envelopes were checked. */
      readonly erased: number;
    }
  | {
      readonly ok: false;
      /** Events read and checked: verification goes on past a break to the end of every chain. */
      readonly events: number;
      readonly chains: number;
      readonly erased: number;
      /** The first breaks found, in report order (chains by organisation name, then sequence number), at most the limit. */
      readonly findings: readonly ChainFinding[];
      /** How many further breaks were found but not listed. */
      readonly moreFindings: number;
    };

/** How many breaks a verification lists; the rest are counted. */
export const verificationFindingLimit = 100;

/** A signed checkpoint whose signature has been checked: what the chain must still hash to (ADR 0023). */
export interface TrustedCheckpoint {
  readonly organisationId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly signedAt: Date;
}

export interface VerificationOptions {
  readonly pageSize?: number;
  readonly findingLimit?: number;
  /**
   * Checkpoints kept outside the database (an exported file): each chain's first `treeSize` events
   * must still have the Merkle root it signed, and no chain may be shorter than its checkpoints or
   * gone. This finds what the chain alone cannot: a tail cut with its head moved back, a whole
   * chain deleted with its head, an event forged with every later event re-hashed.
   */
  readonly checkpoints?: readonly TrustedCheckpoint[];
}

/**
 * Recomputes every chain and lists every break in it: altered, missing, re-ordered and
 * truncated events, up to `findingLimit` of them, with a count of the rest. Each chain is read
 * in one read-only snapshot (REPEATABLE READ), so events appended while it runs are neither
 * half-seen nor mistaken for tampering.
 */
export async function verifyChains(db: Db, options: VerificationOptions = {}): Promise<VerificationResult> {
  const pageSize = options.pageSize ?? 10_000;
  const limit = options.findingLimit ?? verificationFindingLimit;
  const checkpoints = checkpointsByChain(options.checkpoints ?? []);
  const findings: ChainFinding[] = [];
  let moreFindings = 0;
  // Past the limit breaks are only counted, so memory stays bounded however much was tampered with.
  const tally = (found: ChainFinding) => {
    if (findings.length < limit) findings.push(found);
    else moreFindings += 1;
  };
  const heads = await chainHeads(db);
  let events = 0;
  let erased = 0;
  for (const head of heads) {
    const chain = { organisationId: head.organisation_id, organisationName: head.name };
    const counted = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) =>
        verifyChain(
          trx,
          head.organisation_id,
          pageSize,
          (found) => tally({ ...chain, ...found }),
          checkpoints.get(head.organisation_id),
        ),
      );
    events += counted.events;
    erased += counted.erased;
    checkpoints.delete(head.organisation_id);
  }
  for (const headless of await chainsWithoutHead(db)) {
    checkpoints.delete(headless.organisation_id);
    tally({
      organisationId: headless.organisation_id,
      organisationName: headless.name,
      ...single(
        headless.first_seq,
        'missing',
        `the chain head is missing: its events from ${headless.first_seq} on cannot be checked to their end`,
      ),
    });
  }
  // Checkpoints of chains that are gone altogether, their heads with them.
  const names = await organisationNames(db, [...checkpoints.keys()]);
  for (const [organisationId, signed] of checkpoints) {
    const last = signed[signed.length - 1];
    if (last === undefined) continue;
    tally({
      organisationId,
      organisationName: names.get(organisationId) ?? '(unknown organisation)',
      seq: 1,
      lastSeq: last.treeSize,
      problem: 'missing',
      detail: `the whole chain is gone, its head with it: the checkpoint signed ${last.signedAt.toISOString()} records ${String(last.treeSize)} events`,
    });
  }
  const chains = heads.length;
  return findings.length === 0
    ? { ok: true, events, chains, erased }
    : { ok: false, events, chains, erased, findings, moreFindings };
}

/** A break as one chain's walk finds it; the caller adds the organisation. */
export type ChainBreak = Omit<ChainFinding, 'organisationId' | 'organisationName'>;

const single = (seq: number, problem: Problem, detail: string): ChainBreak => ({
  seq,
  lastSeq: seq,
  problem,
  detail,
});

/**
 * Walks one chain in sequence order, reports each break, and returns how many events it read (and
 * how many of them were erased). The
 * next page is requested before this one is hashed, so the database reads while Node hashes.
 *
 * After a break the walk re-anchors on the next event's own previous hash rather than on the hash
 * of the broken event, so one break is reported once and not again at every later event.
 */
async function verifyChain(
  trx: Executor,
  organisationId: string,
  pageSize: number,
  report: (found: ChainBreak) => void,
  checkpoints: readonly TrustedCheckpoint[] = [],
): Promise<{ events: number; erased: number }> {
  const tree = checkpoints.length === 0 ? undefined : checkpointWalk(checkpoints, report);
  const head = await chainHead(trx, organisationId);
  let expectedSeq = 1;
  /** The hash the next event must link to, or null where the link cannot be checked (after a break). */
  let anchor: string | null = genesisHash;
  let events = 0;
  let erased = 0;
  let next: Promise<VerifiableRow[]> = chainPage(trx, organisationId, 0, pageSize);
  for (;;) {
    const page = await next;
    const lastRow = page[page.length - 1];
    if (lastRow === undefined) break;
    next =
      page.length < pageSize ? Promise.resolve([]) : chainPage(trx, organisationId, lastRow.seq, pageSize);
    for (const row of page) {
      events += 1;
      if (row.change_salt === null && row.hash_version === 2) erased += 1;
      if (row.seq !== expectedSeq) {
        if (row.seq < expectedSeq) {
          // Keyset paging on the primary key reads in rising order, so this is only a guard.
          report(single(row.seq, 'out of order', `event ${row.seq} appears after ${expectedSeq - 1}`));
          continue;
        }
        report(
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
        anchor = null;
      }
      const problem = checkRow(row, anchor, organisationId);
      if (problem !== undefined) report(problem);
      anchor = problem === undefined ? row.hash : null;
      expectedSeq = row.seq + 1;
      tree?.append(row.hash);
    }
  }
  tree?.end();
  const last = expectedSeq - 1;
  const headSeq = head?.seq ?? 0;
  if (last < headSeq) {
    report({
      seq: last + 1,
      lastSeq: headSeq,
      problem: 'truncated',
      detail: `the chain ends at event ${last} but its head records ${headSeq} events: events ${last + 1} to ${headSeq} are missing`,
    });
  } else if (last > headSeq) {
    const beyond = last === headSeq + 1 ? `event ${last} lies` : `events ${headSeq + 1} to ${last} lie`;
    report({
      seq: headSeq + 1,
      lastSeq: last,
      problem: 'altered',
      detail: `${beyond} beyond the chain head, which records ${headSeq} events`,
    });
  } else if (head !== undefined && last > 0 && anchor !== null && anchor !== head.hash) {
    // A last event already reported broken is not reported again against the head.
    report(
      single(
        last,
        'truncated',
        `the chain head records a different hash from event ${last}: later events were removed, or event ${last} was altered and re-hashed`,
      ),
    );
  }
  return { events, erased };
}

function checkpointsByChain(checkpoints: readonly TrustedCheckpoint[]): Map<string, TrustedCheckpoint[]> {
  const byChain = new Map<string, TrustedCheckpoint[]>();
  for (const checkpoint of checkpoints) {
    const list = byChain.get(checkpoint.organisationId) ?? [];
    list.push(checkpoint);
    byChain.set(checkpoint.organisationId, list);
  }
  for (const list of byChain.values()) list.sort((a, b) => a.treeSize - b.treeSize);
  return byChain;
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
