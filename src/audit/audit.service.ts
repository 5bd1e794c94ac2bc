import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { JsonValue } from '../lib/canonical-json.ts';
import { eventHash, genesisHash } from './audit.hash.ts';
import { appendEvent, chainHeads, chainPage, lockChainHead, type AuditEventRow } from './audit.repository.ts';

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

export type VerificationResult =
  | { readonly ok: true; readonly events: number; readonly chains: number }
  | {
      readonly ok: false;
      readonly events: number;
      readonly organisationId: string;
      readonly organisationName: string;
      readonly seq: number;
      readonly problem: 'altered' | 'missing' | 'out of order' | 'truncated';
      readonly detail: string;
    };

export function auditService(deps: { readonly db: Db; readonly clock: Clock }) {
  return {
    /**
     * Appends an event to its organisation's chain inside the caller's transaction, so the change
     * and its audit event commit or roll back together (invariant 2).
     */
    async record(trx: Transaction<Database>, event: AuditEvent): Promise<void> {
      const head = await lockChainHead(trx, event.organisationId);
      const change = JSON.parse(JSON.stringify(event.change)) as Record<string, JsonValue>;
      const fields = {
        organisationId: event.organisationId,
        seq: head.seq + 1,
        prevHash: head.hash,
        occurredAt: deps.clock.now(),
        actorUserId: event.actor.userId,
        actorLabel: event.actor.label,
        action: event.action,
        entityType: event.entity.type,
        entityId: event.entity.id,
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

    /** Recomputes every chain and names the first event that is altered, missing or out of order. */
    async verify(options: { readonly pageSize?: number } = {}): Promise<VerificationResult> {
      const pageSize = options.pageSize ?? 5000;
      let events = 0;
      const heads = await chainHeads(deps.db);
      for (const head of heads) {
        const fail = (seq: number, problem: Extract<VerificationResult, { ok: false }>['problem'], detail: string) =>
          ({ ok: false, events, organisationId: head.organisation_id, organisationName: head.name, seq, problem, detail }) as const;
        let expectedSeq = 1;
        let prevHash = genesisHash;
        for (;;) {
          const page = await chainPage(deps.db, head.organisation_id, expectedSeq - 1, pageSize);
          if (page.length === 0) break;
          for (const row of page) {
            if (row.seq !== expectedSeq) {
              return row.seq > expectedSeq
                ? fail(expectedSeq, 'missing', `event ${expectedSeq} is missing (next found is ${row.seq})`)
                : fail(row.seq, 'out of order', `event ${row.seq} appears after ${expectedSeq - 1}`);
            }
            if (row.prev_hash !== prevHash) {
              return fail(row.seq, 'out of order', `event ${row.seq} does not follow event ${row.seq - 1}`);
            }
            if (eventHash(fromRow(row)) !== row.hash) {
              return fail(row.seq, 'altered', `event ${row.seq} has been altered`);
            }
            prevHash = row.hash;
            expectedSeq += 1;
            events += 1;
          }
        }
        const last = expectedSeq - 1;
        if (last < head.seq) return fail(last + 1, 'missing', `events ${last + 1} to ${head.seq} are missing`);
        if (last > 0 && prevHash !== head.hash) return fail(last, 'altered', `event ${last} does not match the chain head`);
      }
      return { ok: true, events, chains: heads.length };
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;

function fromRow(row: AuditEventRow) {
  return {
    organisationId: row.organisation_id,
    seq: row.seq,
    prevHash: row.prev_hash,
    occurredAt: row.occurred_at,
    actorUserId: row.actor_user_id,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    personId: row.person_id,
    change: row.change,
  };
}
