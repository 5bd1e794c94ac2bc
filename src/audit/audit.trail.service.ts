import type { Db } from '../db/client.ts';
import { describeChange, type ChangeLine } from './audit.change.ts';
import type { AuditEventRow } from './audit.repository.ts';
import {
  scopeToPerson,
  type AuditActor,
  type AuditService,
  type RecordsAbout,
  type TrailFilter,
} from './audit.service.ts';
import { recordOpenings, trailAfter, trailRows } from './audit.trail.repository.ts';

/** The most events one export holds: a longer period is exported in parts. */
export const trailExportLimit = 50_000;

export interface ExportedEvent {
  readonly seq: number;
  readonly occurredAt: Date;
  readonly actorLabel: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly personId: string | null;
  readonly change: readonly ChangeLine[];
  readonly hash: string;
  readonly prevHash: string;
}

/** The audit trail taken out of Safeshare as a spreadsheet: the export is itself recorded in the trail. */
export function auditTrailService(deps: {
  readonly db: Db;
  readonly audit: Pick<AuditService, 'record'>;
  readonly recordsAbout?: RecordsAbout;
}) {
  const { db, audit } = deps;
  return {
    /** Who opened a person's record, newest first (at most `limit` openings). */
    async recordOpenings(organisationId: string, personId: string, limit = 500): Promise<RecordOpening[]> {
      const rows = await recordOpenings(db, organisationId, personId, limit);
      return rows.map((row) => ({
        occurredAt: row.occurred_at,
        by: row.actor_label,
        roles: row.roles ?? [],
        kind: row.action === 'person.break_glass' ? 'reason' : 'viewed',
        reason: row.reason,
        page: row.page,
      }));
    },

    async exportTrail(
      actor: AuditActor,
      organisationId: string,
      filter: TrailFilter,
    ): Promise<ExportedEvent[]> {
      const rows = await trailRows(
        db,
        organisationId,
        await scopeToPerson(deps.recordsAbout, organisationId, filter),
        trailExportLimit,
      );
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId,
          actor,
          action: 'audit.exported',
          entity: { type: 'audit_trail', id: null },
          personId: filter.personId,
          change: { events: rows.length, ...recordedFilter(filter) },
        }),
      );
      return rows.map(exported);
    },

    /**
     * A page of the trail after a sequence number, oldest first, for the API. Taking events out of
     * Safeshare is an export, so each page is recorded as one.
     */
    async exportAfter(
      actor: AuditActor,
      organisationId: string,
      filter: TrailFilter,
      afterSeq: number,
      limit: number,
    ): Promise<{ readonly events: ExportedEvent[]; readonly more: boolean }> {
      const rows = await trailAfter(
        db,
        organisationId,
        await scopeToPerson(deps.recordsAbout, organisationId, filter),
        afterSeq,
        limit,
      );
      const events = rows.slice(0, limit);
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId,
          actor,
          action: 'audit.exported',
          entity: { type: 'audit_trail', id: null },
          personId: filter.personId,
          change: { events: events.length, afterSeq, via: 'api', ...recordedFilter(filter) },
        }),
      );
      return { events: events.map(exported), more: rows.length > limit };
    },
  };
}

/** The filter as an export's event records it: what was asked for, not the records it was widened to. */
function recordedFilter(filter: TrailFilter) {
  return {
    personId: filter.personId,
    actorUserId: filter.actorUserId,
    action: filter.action,
    from: filter.from,
    to: filter.to,
  };
}

function exported(row: AuditEventRow): ExportedEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    personId: row.person_id,
    change: describeChange(row.change),
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}

/** One opening of a person's record, as the record's "who has opened it" page lists it. */
export interface RecordOpening {
  readonly occurredAt: Date;
  readonly by: string;
  readonly roles: readonly string[];
  /** A read (with the basis it rested on), or a reason given to open the record. */
  readonly kind: 'viewed' | 'reason';
  readonly reason: string | null;
  readonly page: string | null;
}

export type AuditTrailService = ReturnType<typeof auditTrailService>;
