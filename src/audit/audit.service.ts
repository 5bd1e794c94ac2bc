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

export type Problem = 'altered' | 'missing' | 'out of order' | 'truncated';

export type VerificationResult =
  | { readonly ok: true; readonly events: number; readonly chains: number }
  | {
      readonly ok: false;
      readonly events: number;
      readonly organisationId: string;
      readonly organisationName: string;
      readonly seq: number;
      readonly problem: Problem;
      readonly detail: string;
    };

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
     * Recomputes every chain and names the first event that is altered, missing or out of order.
     * Each chain is read in one read-only snapshot (REPEATABLE READ), so events appended while it
     * runs are neither half-seen nor mistaken for tampering.
     */
    async verify(options: { readonly pageSize?: number } = {}): Promise<VerificationResult> {
      const pageSize = options.pageSize ?? 10_000;
      const heads = await chainHeads(db);
      let events = 0;
      for (const head of heads) {
        const outcome = await db
          .transaction()
          .setIsolationLevel('repeatable read')
          .setAccessMode('read only')
          .execute((trx) => verifyChain(trx, head.organisation_id, pageSize));
        events += outcome.events;
        if (outcome.failure !== undefined) {
          return { ok: false, events, organisationId: head.organisation_id, organisationName: head.name, ...outcome.failure };
        }
      }
      const [headless] = await chainsWithoutHead(db);
      if (headless !== undefined) {
        return {
          ok: false,
          events,
          organisationId: headless.organisation_id,
          organisationName: headless.name,
          seq: headless.first_seq,
          problem: 'missing',
          detail: `the chain head is missing: its events from ${headless.first_seq} on cannot be checked to their end`,
        };
      }
      return { ok: true, events, chains: heads.length };
    },

    /** Verifies every chain, and records that it was done, and what was found, in the viewer's chain. */
    async verifyAndRecord(actor: AuditActor, organisationId: string): Promise<VerificationResult> {
      const result = await service.verify();
      const change = result.ok
        ? { ok: true, events: result.events, chains: result.chains }
        : { ok: false, events: result.events, organisationId: result.organisationId, organisationName: result.organisationName, seq: result.seq, problem: result.problem, detail: result.detail };
      await db.transaction().execute((trx) => service.record(trx, { organisationId, actor, action: 'audit.verified', entity: { type: 'audit_trail', id: null }, change }));
      return result;
    },

    /** A page of the organisation's trail, newest first. */
    async trail(organisationId: string, filter: TrailFilter, cursor: TrailCursor): Promise<TrailPage> {
      const rows = await trailPage(db, organisationId, filter, cursor, trailPageSize);
      const more = rows.length > trailPageSize;
      // Paging back to the newest events gives the first page itself, full, without a cursor.
      if (cursor !== null && 'after' in cursor && !more) return service.trail(organisationId, filter, null);
      // Paging back towards newer events, the extra row is the newest; otherwise it is the oldest.
      const shown = cursor !== null && 'after' in cursor ? rows.slice(more ? 1 : 0) : rows.slice(0, trailPageSize);
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
      const [actions, staff] = await Promise.all([distinctActions(db, organisationId), organisationStaff(db, organisationId)]);
      return { actions, staff: staff.map((member) => ({ id: member.id, name: member.display_name, active: member.active })) };
    },
  };
  return service;
}

export type AuditService = ReturnType<typeof auditService>;

type ChainFailure = { readonly seq: number; readonly problem: Problem; readonly detail: string };

/**
 * Walks one chain in sequence order. The next page is requested before this one is hashed, so the
 * database reads while Node hashes.
 */
async function verifyChain(trx: Executor, organisationId: string, pageSize: number): Promise<{ events: number; failure?: ChainFailure }> {
  const head = await chainHead(trx, organisationId);
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let events = 0;
  const fail = (seq: number, problem: Problem, detail: string) => ({ events, failure: { seq, problem, detail } });
  let next: Promise<VerifiableRow[]> = chainPage(trx, organisationId, 0, pageSize);
  for (;;) {
    const page = await next;
    const lastRow = page[page.length - 1];
    if (lastRow === undefined) break;
    next = page.length < pageSize ? Promise.resolve([]) : chainPage(trx, organisationId, lastRow.seq, pageSize);
    for (const row of page) {
      const problem = checkRow(row, expectedSeq, prevHash, organisationId);
      if (problem !== undefined) {
        await next.catch(() => undefined);
        return fail(problem.seq, problem.problem, problem.detail);
      }
      prevHash = row.hash;
      expectedSeq += 1;
      events += 1;
    }
  }
  const last = expectedSeq - 1;
  const headSeq = head?.seq ?? 0;
  if (last < headSeq) return fail(last + 1, 'truncated', `the chain ends at event ${last} but its head records ${headSeq} events: events ${last + 1} to ${headSeq} are missing`);
  if (last > headSeq) return fail(headSeq + 1, 'altered', `event ${headSeq + 1} lies beyond the chain head, which records ${headSeq} events`);
  if (head !== undefined && last > 0 && prevHash !== head.hash) return fail(last, 'altered', `event ${last} does not match the chain head`);
  return { events };
}

function checkRow(row: VerifiableRow, expectedSeq: number, prevHash: string, organisationId: string): ChainFailure | undefined {
  if (row.seq !== expectedSeq) {
    return row.seq > expectedSeq
      ? { seq: expectedSeq, problem: 'missing', detail: `event ${expectedSeq} is missing (the next event found is ${row.seq})` }
      : { seq: row.seq, problem: 'out of order', detail: `event ${row.seq} appears after ${expectedSeq - 1}` };
  }
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
  if (row.prev_hash !== prevHash) {
    // Only the link was changed if the event hashes true with the link it should have.
    if (hashWithTime({ ...fields, prevHash }, occurredAt) === row.hash) {
      return { seq: row.seq, problem: 'altered', detail: `the previous-hash link of event ${row.seq} has been altered` };
    }
    return { seq: row.seq, problem: 'out of order', detail: `event ${row.seq} does not follow event ${row.seq - 1}` };
  }
  if (hashWithTime(fields, occurredAt) !== row.hash) {
    return { seq: row.seq, problem: 'altered', detail: `event ${row.seq} has been altered` };
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
