import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { JsonValue } from '../lib/canonical-json.ts';
import { noteAuditAction } from '../lib/request-context.ts';
import { describeChange, type ChangeLine } from './audit.change.ts';
import { randomBytes } from 'node:crypto';
import { changeDigest, committedTextBeforeChain, storableChange, storableText } from './audit.hash.ts';
import { verifyChains, type VerificationOptions, type VerificationResult } from './audit.verification.ts';
import {
  appendChained,
  type AuditTransaction,
  chainHead,
  distinctActions,
  entityHistory,
  eraseEventContent,
  eventBySeq,
  organisationStaff,
  eventsToErase,
  trailPage,
  type AuditEventRow,
  type TrailCursor,
  type TrailFilter,
} from './audit.repository.ts';

export type { TrailCursor, TrailFilter } from './audit.repository.ts';
export {
  type ChainFinding,
  type Problem,
  type TrustedCheckpoint,
  type VerificationResult,
} from './audit.verification.ts';

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

/**
 * The records about a person whose events may name them only in their change (the decisions about
 * them, perhaps with others, and what hangs off those decisions), as the audit trail names them. The
 * trail imports no capability: the composition gives it this (src/services.ts).
 */
export type RecordsAbout = (
  organisationId: string,
  personId: string,
) => Promise<readonly { readonly type: string; readonly id: string }[]>;

/** A trail filter on a person widened to the records about them, so their decisions' events are found too. */
export async function scopeToPerson(
  recordsAbout: RecordsAbout | undefined,
  organisationId: string,
  filter: TrailFilter,
): Promise<TrailFilter> {
  if (filter.personId === null || recordsAbout === undefined) return filter;
  return { ...filter, personRecords: await recordsAbout(organisationId, filter.personId) };
}

export function auditService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly recordsAbout?: RecordsAbout;
}) {
  const { db, clock } = deps;

  const service = {
    /**
     * Appends an event to its organisation's chain inside the caller's transaction, so the change
     * and its audit event commit or roll back together (invariant 2). The chain head is taken by the
     * append's one statement and stays locked until the caller commits: record the event last in
     * the transaction where you can.
     */
    async record(trx: AuditTransaction, event: AuditEvent): Promise<void> {
      const change = storableChange(event.change);
      const fields = {
        organisationId: event.organisationId,
        occurredAt: clock.now(),
        actorUserId: event.actor.userId,
        actorLabel: storableText(event.actor.label),
        action: storableText(event.action),
        entityType: storableText(event.entity.type),
        entityId: event.entity.id === null ? null : storableText(event.entity.id),
        personId: event.personId ?? null,
      };
      // Version 2 (ADR 0025): the hash covers a salted digest of the change, so the change can later be erased.
      const salt = randomBytes(16);
      const digest = changeDigest(salt, change);
      await appendChained(
        trx,
        {
          organisation_id: fields.organisationId,
          occurred_at: fields.occurredAt,
          actor_user_id: fields.actorUserId,
          actor_label: fields.actorLabel,
          action: fields.action,
          entity_type: fields.entityType,
          entity_id: fields.entityId,
          person_id: fields.personId,
          change,
          hash_version: 2,
          change_salt: salt,
          change_digest: digest,
        },
        committedTextBeforeChain({ ...fields, changeDigest: digest }, fields.occurredAt.toISOString()),
      );
      // The web shell checks each request against the events its route declares (src/web/access.ts).
      noteAuditAction(event.action);
    },

    /**
     * Erases the content of the events a disposal reaches in one chain, inside the caller's
     * transaction (ADR 0025): those about the person, and those about the records it erased
     * (`entities`: a decision's or a disclosure's events name a person only in their change). Each
     * version 2 event's change becomes the tombstone, its erasure recorded against the disposal; the
     * envelope and hashes stay, so the chain still verifies. Version 1 events cannot be erased in
     * place: they are counted, for the disposal to report.
     */
    async eraseEvents(
      trx: AuditTransaction,
      erasure: {
        readonly organisationId: string;
        readonly personId: string | null;
        readonly entities: readonly { readonly type: string; readonly id: string }[];
        readonly disposalId: string;
        readonly by: AuditActor;
      },
    ): Promise<{ readonly erased: number; readonly alreadyErased: number; readonly keptVersion1: number }> {
      const events = await eventsToErase(trx, erasure.organisationId, erasure);
      const erasedAt = clock.now();
      let erased = 0;
      let alreadyErased = 0;
      let keptVersion1 = 0;
      for (const event of events) {
        if (event.hash_version !== 2) keptVersion1 += 1;
        else if (event.erased) alreadyErased += 1;
        else if (
          await eraseEventContent(trx, {
            organisationId: erasure.organisationId,
            seq: event.seq,
            disposalId: erasure.disposalId,
            erasedAt,
            byUserId: erasure.by.userId,
            byLabel: erasure.by.label,
          })
        )
          erased += 1;
      }
      return { erased, alreadyErased, keptVersion1 };
    },

    /**
     * Recomputes every chain and lists every break in it (audit.verification.ts), up to
     * `findingLimit` of them, with a count of the rest; given checkpoints kept outside the database,
     * also what they prove was cut away, deleted or re-hashed.
     */
    verify(options: VerificationOptions = {}): Promise<VerificationResult> {
      return verifyChains(db, options);
    },

    /** Verifies every chain, and records that it was done, and what was found, in the viewer's chain. */
    async verifyAndRecord(actor: AuditActor, organisationId: string): Promise<VerificationResult> {
      const result = await service.verify();
      const change = result.ok
        ? { ok: true, events: result.events, chains: result.chains, erased: result.erased }
        : {
            ok: false,
            events: result.events,
            chains: result.chains,
            erased: result.erased,
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
      const rows = await trailPage(
        db,
        organisationId,
        await scopeToPerson(deps.recordsAbout, organisationId, filter),
        cursor,
        trailPageSize,
      );
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

    /** What happened to one thing (a package, say), oldest first: who did what, when. At most `limit` events. */
    async historyOf(
      organisationId: string,
      entity: { readonly type: string; readonly id: string },
      limit = 200,
    ): Promise<{ readonly action: string; readonly actorLabel: string; readonly occurredAt: Date }[]> {
      const rows = await entityHistory(db, organisationId, entity, limit);
      return rows.map((row) => ({
        action: row.action,
        actorLabel: row.actor_label,
        occurredAt: row.occurred_at,
      }));
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
