import { sql, type Insertable, type Updateable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { IncidentActionsTable, IncidentOfficersToldTable, IncidentsTable } from './incidents.table.ts';

/** The SQL of the incident register. */

function incidents(db: Executor) {
  return db
    .selectFrom('incidents')
    .innerJoin('users as reporter', 'reporter.id', 'incidents.reported_by')
    .leftJoin('users as grader', 'grader.id', 'incidents.graded_by')
    .leftJoin('users as closer', 'closer.id', 'incidents.closed_by')
    .selectAll('incidents')
    .select([
      'reporter.display_name as reported_by_name',
      'reporter.line_manager_id as reporter_manager_id',
      'grader.display_name as graded_by_name',
      'closer.display_name as closed_by_name',
      // The staff the DPO told of it (R5.4), who may read it.
      sql<
        string[]
      >`array(select user_id::text from incident_officers_told t where t.incident_id = incidents.id and t.user_id is not null)`.as(
        'officers_told',
      ),
    ]);
}

export type IncidentRow = Awaited<ReturnType<ReturnType<typeof incidents>['executeTakeFirstOrThrow']>>;

export async function insertIncident(
  trx: Executor,
  values: Omit<Insertable<IncidentsTable>, 'id' | 'reference'>,
): Promise<{ id: string; reference: string }> {
  return trx.insertInto('incidents').values(values).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

export async function findIncident(
  db: Executor,
  organisationId: string,
  id: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<IncidentRow | undefined> {
  const query = incidents(db)
    .where('incidents.organisation_id', '=', organisationId)
    .where('incidents.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('incidents') : query).executeTakeFirst();
}

/** An organisation's incidents, open ones first by their clock, then the latest closed. */
export async function incidentsOf(
  db: Executor,
  organisationId: string,
  limit: number,
): Promise<IncidentRow[]> {
  return incidents(db)
    .where('incidents.organisation_id', '=', organisationId)
    .orderBy((eb) => eb.case().when('incidents.closed_at', 'is', null).then(0).else(1).end())
    .orderBy('incidents.aware_at', 'desc')
    .limit(limit)
    .execute();
}

export async function updateIncident(
  trx: Executor,
  id: string,
  values: Updateable<IncidentsTable>,
): Promise<void> {
  await trx.updateTable('incidents').set(values).where('id', '=', id).execute();
}

/** Open incidents still waiting on the ICO clock: not graded, or graded reportable and not yet reported. */
export async function clockRunning(db: Executor, limit: number): Promise<IncidentRow[]> {
  return incidents(db)
    .where('incidents.closed_at', 'is', null)
    .where('incidents.ico_reported_at', 'is', null)
    .where((eb) =>
      eb.or([eb('incidents.outcome', 'is', null), eb('incidents.outcome', '!=', 'not-reportable')]),
    )
    .where('incidents.reminders_sent', '<', 3)
    .orderBy('incidents.aware_at')
    .limit(limit)
    .execute();
}

/** Moves an incident's reminder count up to `due`; false when another app server got there first. */
export async function advanceReminders(trx: Executor, id: string, due: number): Promise<boolean> {
  const result = await trx
    .updateTable('incidents')
    .set({ reminders_sent: due })
    .where('id', '=', id)
    .where('reminders_sent', '<', due)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function insertAction(db: Executor, values: Insertable<IncidentActionsTable>) {
  return db.insertInto('incident_actions').values(values).returning('id').executeTakeFirstOrThrow();
}

/** An incident's containment actions, oldest first, with who recorded each. */
export async function actionsOf(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_actions')
    .leftJoin('users', 'users.id', 'incident_actions.recorded_by')
    .select([
      'incident_actions.id',
      'incident_actions.kind',
      'incident_actions.description',
      'incident_actions.due_on',
      'incident_actions.recorded_at',
      'incident_actions.done_at',
      'users.display_name',
    ])
    .where('incident_actions.incident_id', '=', incidentId)
    .orderBy('incident_actions.recorded_at')
    .execute();
}

/** Containment tasks not done by their date, across the given incidents, oldest due first. */
export async function overdueActions(db: Executor, incidentIds: readonly string[], today: string) {
  if (incidentIds.length === 0) return [];
  return db
    .selectFrom('incident_actions')
    .select(['incident_id', 'description', 'due_on'])
    .where('incident_id', 'in', incidentIds)
    .where('done_at', 'is', null)
    .where('due_on', '<', today)
    .orderBy('due_on')
    .execute();
}

/** Marks an open action of the incident done; undefined when there is no such open action. */
export async function completeAction(
  db: Executor,
  incidentId: string,
  actionId: string,
  by: string,
  at: Date,
  which: { readonly disableRequests: boolean },
) {
  return db
    .updateTable('incident_actions')
    .set({ done_by: by, done_at: at })
    .where('id', '=', actionId)
    .where('incident_id', '=', incidentId)
    .where('done_at', 'is', null)
    .where('kind', which.disableRequests ? '=' : '!=', 'disable-account')
    .returning('id')
    .executeTakeFirst();
}

/** An open request to disable an account, of the incident (locked). */
export async function openDisableRequest(db: Executor, incidentId: string, actionId: string) {
  return db
    .selectFrom('incident_actions')
    .select(['id', 'account_id'])
    .where('id', '=', actionId)
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'disable-account')
    .where('done_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertOfficerTold(db: Executor, values: Insertable<IncidentOfficersToldTable>) {
  return db.insertInto('incident_officers_told').values(values).returning('id').executeTakeFirstOrThrow();
}

/** The officers told of an incident (R5.4), in the order they were told. */
export async function officersTold(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_officers_told')
    .leftJoin('users as officer', 'officer.id', 'incident_officers_told.user_id')
    .leftJoin('users as teller', 'teller.id', 'incident_officers_told.told_by')
    .select([
      'incident_officers_told.outside_name',
      'incident_officers_told.how',
      'incident_officers_told.why',
      'incident_officers_told.told_at',
      'officer.display_name as officer_name',
      'teller.display_name as told_by_name',
    ])
    .where('incident_officers_told.incident_id', '=', incidentId)
    .orderBy('incident_officers_told.told_at')
    .execute();
}
