import type { Db, Executor } from '../db/client.ts';
import { genesisHash, hashWithTime } from './audit.hash.ts';
import {
  chainHead,
  chainHeads,
  chainPage,
  chainsWithoutHead,
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
  | { readonly ok: true; readonly events: number; readonly chains: number }
  | {
      readonly ok: false;
      /** Events read and checked: verification goes on past a break to the end of every chain. */
      readonly events: number;
      readonly chains: number;
      /** The first breaks found, in report order (chains by organisation name, then sequence number), at most the limit. */
      readonly findings: readonly ChainFinding[];
      /** How many further breaks were found but not listed. */
      readonly moreFindings: number;
    };

/** How many breaks a verification lists; the rest are counted. */
export const verificationFindingLimit = 100;

/**
 * Recomputes every chain and lists every break in it: altered, missing, re-ordered and
 * truncated events, up to `findingLimit` of them, with a count of the rest. Each chain is read
 * in one read-only snapshot (REPEATABLE READ), so events appended while it runs are neither
 * half-seen nor mistaken for tampering.
 */
export async function verifyChains(
  db: Db,
  options: { readonly pageSize?: number; readonly findingLimit?: number } = {},
): Promise<VerificationResult> {
  const pageSize = options.pageSize ?? 10_000;
  const limit = options.findingLimit ?? verificationFindingLimit;
  const findings: ChainFinding[] = [];
  let moreFindings = 0;
  // Past the limit breaks are only counted, so memory stays bounded however much was tampered with.
  const tally = (found: ChainFinding) => {
    if (findings.length < limit) findings.push(found);
    else moreFindings += 1;
  };
  const heads = await chainHeads(db);
  let events = 0;
  for (const head of heads) {
    const chain = { organisationId: head.organisation_id, organisationName: head.name };
    events += await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) =>
        verifyChain(trx, head.organisation_id, pageSize, (found) => tally({ ...chain, ...found })),
      );
  }
  for (const headless of await chainsWithoutHead(db)) {
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
  const chains = heads.length;
  return findings.length === 0
    ? { ok: true, events, chains }
    : { ok: false, events, chains, findings, moreFindings };
}

/** A break as one chain's walk finds it; the caller adds the organisation. */
type ChainBreak = Omit<ChainFinding, 'organisationId' | 'organisationName'>;

const single = (seq: number, problem: Problem, detail: string): ChainBreak => ({
  seq,
  lastSeq: seq,
  problem,
  detail,
});

/**
 * Walks one chain in sequence order, reports each break, and returns how many events it read. The
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
): Promise<number> {
  const head = await chainHead(trx, organisationId);
  let expectedSeq = 1;
  /** The hash the next event must link to, or null where the link cannot be checked (after a break). */
  let anchor: string | null = genesisHash;
  let events = 0;
  let next: Promise<VerifiableRow[]> = chainPage(trx, organisationId, 0, pageSize);
  for (;;) {
    const page = await next;
    const lastRow = page[page.length - 1];
    if (lastRow === undefined) break;
    next =
      page.length < pageSize ? Promise.resolve([]) : chainPage(trx, organisationId, lastRow.seq, pageSize);
    for (const row of page) {
      events += 1;
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
    }
  }
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
  return events;
}

/**
 * Checks one event's hash against its content, and its previous-hash link against `anchor` (the
 * hash of the event before it), unless the link cannot be checked because that event is broken or missing.
 */
function checkRow(row: VerifiableRow, anchor: string | null, organisationId: string): ChainBreak | undefined {
  // Microseconds are never written (JavaScript times are in milliseconds), so any are an alteration: keep them in the hashed text.
  const micro = row.occurred_at.slice(23);
  const occurredAt = micro === '000' ? `${row.occurred_at.slice(0, 23)}Z` : `${row.occurred_at}Z`;
  const fields = {
    organisationId,
    seq: row.seq,
    prevHash: row.prev_hash,
    actorUserId: row.actor_user_id,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    personId: row.person_id,
    change: row.change,
  };
  if (anchor !== null && row.prev_hash !== anchor) {
    // Only the link was changed if the event hashes true with the link it should have.
    if (hashWithTime({ ...fields, prevHash: anchor }, occurredAt) === row.hash) {
      return single(row.seq, 'altered', `the previous-hash link of event ${row.seq} has been altered`);
    }
    return single(
      row.seq,
      'out of order',
      `event ${row.seq} does not follow event ${row.seq - 1}: the events were re-ordered, or event ${row.seq - 1} was altered and re-hashed`,
    );
  }
  if (hashWithTime(fields, occurredAt) !== row.hash) {
    return single(row.seq, 'altered', `event ${row.seq} has been altered`);
  }
  return undefined;
}
