import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { JsonValue } from '../lib/canonical-json.ts';
import { describeChange, type ChangeLine } from './audit.change.ts';
import { eventHash, genesisHash, hashWithTime, storableChange, storableText } from './audit.hash.ts';
import {
  appendEvent,
  chainHead,
  chainHeads,
  chainPage,
  chainsWithoutHead,
  distinctActions,
  eventBySeq,
  lockChainHead,
  organisationStaff,
  trailPage,
  type AuditEventRow,
  type TrailCursor,
  type TrailFilter,
  type VerifiableRow,
} from './audit.repository.ts';

export type { TrailCursor, TrailFilter } from './audit.repository.ts';

/** Who did it: a signed-in user, or Safeshare itself (jobs, the command line, demo data). */
export interface AuditActor {
  readonly userId: string | null;
  readonly label: string;
}

export interface AuditEvent {
  /** The organisation whose chain records the event (the one the entity belongs to). */
  readonly organisationId: string;
  readonly actor: AuditActor;
  /** Dotted past tense: `user.created`, `person.viewed`, `audit.verified`. */
  readonly action: string;
  readonly entity: { readonly type: string; readonly id: string | null };
  /** The person (child or family member) the event concerns, so a person's trail can be found. */
  readonly personId?: string | null;
  /** What changed, or why it was read. Never secrets (password hashes, MFA keys, tokens). */
  readonly change: { readonly [key: string]: JsonValue | undefined };
}

export const systemActor: AuditActor = { userId: null, label: 'Safeshare' };

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

/** An event as the audit pages show it. */
export interface TrailEvent {
  readonly seq: number;
  readonly occurredAt: Date;
  readonly actor: AuditActor;
  readonly action: string;
  readonly entity: { readonly type: string; readonly id: string | null };
  readonly personId: string | null;
  readonly change: readonly ChangeLine[];
  readonly hash: string;
  readonly prevHash: string;
}

export interface TrailPage {
  readonly events: readonly TrailEvent[];
  /** The sequence numbers to page from: `newer` for the previous (newer) page, `older` for the next. */
  readonly newer: number | null;
  readonly older: number | null;
}

export interface FilterChoices {
  readonly actions: readonly string[];
  readonly staff: readonly { readonly id: string; readonly name: string; readonly active: boolean }[];
}

export const trailPageSize = 50;

export function auditService(deps: { readonly db: Db; readonly clock: Clock }) {
  const { db, clock } = deps;

  const service = {
    /**
     * Appends an event to its organisation's chain inside the caller's transaction, so the change
     * and its audit event commit or roll back together (invariant 2). The chain head stays locked
     * until the caller commits: record the event last in the transaction where you can.
     */
    async record(trx: Transaction<Database>, event: AuditEvent): Promise<void> {
      const change = storableChange(event.change);
      const head = await lockChainHead(trx, event.organisationId);
      const fields = {
        organisationId: event.organisationId,
        seq: head.seq + 1,
        prevHash: head.hash,
        occurredAt: clock.now(),
        actorUserId: event.actor.userId,
        actorLabel: storableText(event.actor.label),
        action: storableText(event.action),
        entityType: storableText(event.entity.type),
        entityId: event.entity.id === null ? null : storableText(event.entity.id),
        personId: event.personId ?? null,
        change,
      };
      await appendEvent(trx, {
        organisation_id: fields.organisationId,
        seq: fields.seq,
        prev_hash: fields.prevHash,
        hash: eventHash(fields),
        occurred_at: fields.occurredAt,
        actor_user_id: fields.actorUserId,
        actor_label: fields.actorLabel,
        action: fields.action,
        entity_type: fields.entityType,
        entity_id: fields.entityId,
        person_id: fields.personId,
        change,
      });
    },

    /**
     * Recomputes every chain and lists every break in it: altered, missing, re-ordered and
     * truncated events, up to `findingLimit` of them, with a count of the rest. Each chain is read
     * in one read-only snapshot (REPEATABLE READ), so events appended while it runs are neither
     * half-seen nor mistaken for tampering.
     */
    async verify(
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
    },

    /** Verifies every chain, and records that it was done, and what was found, in the viewer's chain. */
    async verifyAndRecord(actor: AuditActor, organisationId: string): Promise<VerificationResult> {
      const result = await service.verify();
      const change = result.ok
        ? { ok: true, events: result.events, chains: result.chains }
        : {
            ok: false,
            events: result.events,
            chains: result.chains,
            breaks: result.findings.length + result.moreFindings,
            // What a reader of the trail needs to find each break again; the detail is re-derived by verifying.
            findings: result.findings.map((found) => ({
              organisationId: found.organisationId,
              seq: found.seq,
              lastSeq: found.lastSeq,
              problem: found.problem,
            })),
            moreFindings: result.moreFindings,
          };
      await db.transaction().execute((trx) =>
        service.record(trx, {
          organisationId,
          actor,
          action: 'audit.verified',
          entity: { type: 'audit_trail', id: null },
          change,
        }),
      );
      return result;
    },

    /** A page of the organisation's trail, newest first. */
    async trail(organisationId: string, filter: TrailFilter, cursor: TrailCursor): Promise<TrailPage> {
      const rows = await trailPage(db, organisationId, filter, cursor, trailPageSize);
      const more = rows.length > trailPageSize;
      // Paging back to the newest events gives the first page itself, full, without a cursor.
      if (cursor !== null && 'after' in cursor && !more) return service.trail(organisationId, filter, null);
      // Paging back towards newer events, the extra row is the newest; otherwise it is the oldest.
      const shown =
        cursor !== null && 'after' in cursor ? rows.slice(more ? 1 : 0) : rows.slice(0, trailPageSize);
      const first = shown[0];
      const last = shown[shown.length - 1];
      const hasNewer = cursor === null ? false : 'after' in cursor ? more : true;
      const hasOlder = cursor !== null && 'after' in cursor ? true : more;
      return {
        events: shown.map(toTrailEvent),
        newer: hasNewer && first !== undefined ? first.seq : null,
        older: hasOlder && last !== undefined ? last.seq : null,
      };
    },

    async event(organisationId: string, seq: number): Promise<TrailEvent | undefined> {
      const row = await eventBySeq(db, organisationId, seq);
      return row === undefined ? undefined : toTrailEvent(row);
    },

    /** The sequence number of the organisation's latest event (0 before its first). */
    async latestSeq(organisationId: string): Promise<number> {
      return (await chainHead(db, organisationId))?.seq ?? 0;
    },

    async filterChoices(organisationId: string): Promise<FilterChoices> {
      const [actions, staff] = await Promise.all([
        distinctActions(db, organisationId),
        organisationStaff(db, organisationId),
      ]);
      return {
        actions,
        staff: staff.map((member) => ({ id: member.id, name: member.display_name, active: member.active })),
      };
    },
  };
  return service;
}

export type AuditService = ReturnType<typeof auditService>;

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

function toTrailEvent(row: AuditEventRow): TrailEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    actor: { userId: row.actor_user_id, label: row.actor_label },
    action: row.action,
    entity: { type: row.entity_type, id: row.entity_id },
    personId: row.person_id,
    change: describeChange(row.change),
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}
