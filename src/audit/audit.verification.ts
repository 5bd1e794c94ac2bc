import type pg from 'pg';
import { poolOf, type Db } from '../db/client.ts';
import {
  verifyChainOn,
  type ChainBreak,
  type ChainTask,
  type ChainWalkResult,
  type Problem,
  type TrustedCheckpoint,
} from './audit.chain-walk.ts';
import { chainHeads, chainsWithoutHead, organisationNames } from './audit.repository.ts';

export type { Problem, TrustedCheckpoint } from './audit.chain-walk.ts';

/** One break in one organisation's chain. */
export interface ChainFinding extends ChainBreak {
  readonly organisationId: string;
  readonly organisationName: string;
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

export interface VerificationOptions {
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
 * half-seen nor mistaken for tampering. Each chain is streamed whole in sequence order
 * (audit.chain-copy.ts); two chains are read side by side, so one server process reads while this
 * thread hashes the other's events.
 */
export async function verifyChains(db: Db, options: VerificationOptions = {}): Promise<VerificationResult> {
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
  const walked = await walkChains(
    poolOf(db),
    heads.map((head) => ({
      organisationId: head.organisation_id,
      length: head.seq,
      checkpoints: checkpoints.get(head.organisation_id) ?? [],
    })),
    limit,
  );
  let events = 0;
  let erased = 0;
  // In report order: chains by organisation name, each chain's breaks in the order its walk found them.
  heads.forEach((head, index) => {
    const chain = { organisationId: head.organisation_id, organisationName: head.name };
    const walk = walked[index];
    if (walk === undefined) throw new Error('a chain was not verified');
    events += walk.events;
    erased += walk.erased;
    for (const found of walk.findings) tally({ ...chain, ...found });
    moreFindings += walk.moreFindings;
    checkpoints.delete(head.organisation_id);
  });
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

/** How many chains are read at once: one server process reading while this thread hashes another chain. */
const lanes = 2;

/**
 * Walks every chain, longest first, `lanes` at a time, each on a connection of its own, and returns
 * the results in the order of `tasks`. Every lane is let finish (none is left holding a connection)
 * before a failure is thrown. (Worker threads were measured and gave nothing on 2 cores: reading the
 * rows in PostgreSQL, not hashing, is what bounds verification; docs/performance.md.)
 */
async function walkChains(
  pool: pg.Pool,
  tasks: readonly ChainTask[],
  limit: number,
): Promise<ChainWalkResult[]> {
  const results: (ChainWalkResult | undefined)[] = tasks.map(() => undefined);
  const order = tasks
    .map((_, index) => index)
    .sort((a, b) => (tasks[b]?.length ?? 0) - (tasks[a]?.length ?? 0));
  let next = 0;
  const lane = async () => {
    for (let index = order[next++]; index !== undefined; index = order[next++]) {
      const task = tasks[index];
      if (task === undefined) continue;
      const client = await pool.connect();
      let broken = false;
      try {
        results[index] = await verifyChainOn(client, task, limit);
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        // A connection that failed mid-COPY is closed rather than handed to the next query.
        client.release(broken);
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(lanes, tasks.length) }, lane));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => {
    if (result === undefined) throw new Error('a chain was not verified');
    return result;
  });
}

const single = (seq: number, problem: Problem, detail: string): ChainBreak => ({
  seq,
  lastSeq: seq,
  problem,
  detail,
});

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
