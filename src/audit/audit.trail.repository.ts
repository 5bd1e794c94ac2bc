import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { AuditEventRow, TrailFilter } from './audit.repository.ts';

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
  let query = db.selectFrom('audit_events').selectAll().where('organisation_id', '=', organisationId);
  if (filter.personId !== null) query = query.where('person_id', '=', filter.personId);
  if (filter.actorUserId !== null) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.action !== null) query = query.where('action', '=', filter.action);
  if (filter.from !== null)
    query = query.where(
      'occurred_at',
      '>=',
      sql<Date>`(${filter.from}::date)::timestamp AT TIME ZONE 'Europe/London'`,
    );
  if (filter.to !== null)
    query = query.where(
      'occurred_at',
      '<',
      sql<Date>`(${filter.to}::date + 1)::timestamp AT TIME ZONE 'Europe/London'`,
    );
  return query.orderBy('occurred_at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
}
