import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';
import { filteredTrail, type AuditEventRow, type TrailFilter } from './audit.repository.ts';

/**
 * The audit trail's export: the newest events that match the filter, on the same indexes as the
 * trail's pages (organisation, then action / actor / person, then time).
 */
export async function trailRows(
  db: Executor,
  organisationId: string,
  filter: TrailFilter,
  limit: number,
): Promise<AuditEventRow[]> {
  return filteredTrail(db, organisationId, filter)
    .orderBy('occurred_at', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

/**
 * The events that match the filter after a sequence number, oldest first: the API's pages, which an
 * auditor's system follows to take a copy of the trail and keep it current. One row more than asked,
 * to tell whether another page follows.
 */
export async function trailAfter(
  db: Executor,
  organisationId: string,
  filter: TrailFilter,
  afterSeq: number,
  limit: number,
): Promise<AuditEventRow[]> {
  return filteredTrail(db, organisationId, filter)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit + 1)
    .execute();
}

export interface RecordOpeningRow {
  readonly occurred_at: Date;
  readonly actor_label: string;
  readonly action: string;
  readonly reason: string | null;
  readonly page: string | null;
  /** The roles the member of staff holds now (the trail records their name, not their roles). */
  readonly roles: string[] | null;
}

/**
 * Who opened a person's record, and why: each read's basis, and each reason given to open it,
 * newest first (audit_events_person_idx). Names and roles of staff are read beside the events.
 */
export async function recordOpenings(
  db: Executor,
  organisationId: string,
  personId: string,
  limit: number,
): Promise<RecordOpeningRow[]> {
  const result = await sql<RecordOpeningRow>`
    SELECT e.occurred_at, e.actor_label, e.action,
           coalesce(e.change ->> 'reason', e.change ->> 'basis') AS reason, e.change ->> 'page' AS page, u.roles
    FROM audit_events e
    LEFT JOIN users u ON u.id = e.actor_user_id
    WHERE e.person_id = ${personId} AND e.organisation_id = ${organisationId}
      AND e.action IN ('person.viewed', 'person.break_glass')
    ORDER BY e.occurred_at DESC, e.seq DESC
    LIMIT ${limit}`.execute(db);
  return result.rows;
}
