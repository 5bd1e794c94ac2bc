import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import { everyColumn } from '../db/columns.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import type { RecordedAssessment } from './sharing.rules.ts';
import type { DecisionStatus } from './sharing.status.ts';
import type { AddendumKind, RoutineRecord, SharingDecisionsTable } from './sharing.table.ts';

/**
 * The SQL of sharing decisions, their people and their addenda. Takes a database or a transaction.
 * Staff display names are joined in for the reader; every other read of staff goes through their service.
 */

/** The transaction a sharing use case opens and passes down. */
export type SharingTransaction = Transaction<Database>;

export type DecisionRow = Selectable<SharingDecisionsTable> & {
  readonly started_by_name: string;
  readonly recorded_by_name: string | null;
};

/** Every column of a decision, named, so that reading one can be prepared (ADR 0036). */
const decisionColumns = everyColumn<SharingDecisionsTable>()('sharing_decisions', [
  'id',
  'organisation_id',
  'reference',
  'status',
  'started_by',
  'purpose_id',
  'answers',
  'outcome',
  'policy_name',
  'policy_version',
  'assessment',
  'recorded_by',
  'recorded_at',
  'agreement_id',
  'routine',
  'created_at',
  'updated_at',
]);

function decisions(db: Executor) {
  return db
    .selectFrom('sharing_decisions')
    .innerJoin('users as starter', 'starter.id', 'sharing_decisions.started_by')
    .leftJoin('users as recorder', 'recorder.id', 'sharing_decisions.recorded_by')
    .select(decisionColumns)
    .select(['starter.display_name as started_by_name', 'recorder.display_name as recorded_by_name']);
}

export async function findDecision(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DecisionRow | undefined> {
  const query = decisions(db).where('sharing_decisions.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('sharing_decisions') : query).executeTakeFirst();
}

export async function insertDecision(
  trx: Executor,
  values: {
    organisationId: string;
    startedBy: string;
    answers: DecisionAnswers;
    policyName: string;
    policyVersion: string;
    at: Date;
  },
): Promise<{ id: string; reference: string }> {
  return trx
    .insertInto('sharing_decisions')
    .values({
      organisation_id: values.organisationId,
      status: 'draft',
      started_by: values.startedBy,
      purpose_id: values.answers.request?.purposeId ?? null,
      answers: JSON.stringify(values.answers),
      policy_name: values.policyName,
      policy_version: values.policyVersion,
      assessment: JSON.stringify(null),
      created_at: values.at,
      updated_at: values.at,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

export async function saveAnswers(
  trx: Executor,
  id: string,
  answers: DecisionAnswers,
  policy: { name: string; version: string },
  at: Date,
): Promise<void> {
  await trx
    .updateTable('sharing_decisions')
    .set({
      answers: JSON.stringify(answers),
      purpose_id: answers.request?.purposeId ?? null,
      policy_name: policy.name,
      policy_version: policy.version,
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The author's own draft with nothing answered beyond these starting answers: starting again
 * from the same place opens it rather than piling up another empty draft.
 */
export async function untouchedDraft(
  db: Executor,
  where: { readonly startedBy: string; readonly organisationId: string; readonly answers: DecisionAnswers },
): Promise<string | undefined> {
  const row = await db
    .selectFrom('sharing_decisions')
    .select('id')
    .where('started_by', '=', where.startedBy)
    .where('organisation_id', '=', where.organisationId)
    .where('status', '=', 'draft')
    .where('answers', '=', sql<DecisionAnswers>`${JSON.stringify(where.answers)}::jsonb`)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export async function setStatus(trx: Executor, id: string, status: DecisionStatus, at: Date): Promise<void> {
  await trx.updateTable('sharing_decisions').set({ status, updated_at: at }).where('id', '=', id).execute();
}

export async function markRecorded(
  trx: Executor,
  id: string,
  values: {
    outcome: NonNullable<DecisionAnswers['outcome']>['outcome'];
    assessment: RecordedAssessment;
    recordedBy: string;
    policy: { name: string; version: string };
    at: Date;
  },
): Promise<void> {
  await trx
    .updateTable('sharing_decisions')
    .set({
      status: 'recorded',
      outcome: values.outcome,
      assessment: JSON.stringify(values.assessment),
      recorded_by: values.recordedBy,
      recorded_at: values.at,
      policy_name: values.policy.name,
      policy_version: values.policy.version,
      updated_at: values.at,
    })
    .where('id', '=', id)
    .execute();
}

/** Links a decision about to be recorded to its sharing agreement, and a routine share's record of what it relied on. */
export async function linkAgreement(
  trx: Executor,
  id: string,
  agreementId: string,
  routine: RoutineRecord | null,
): Promise<void> {
  await trx
    .updateTable('sharing_decisions')
    .set({ agreement_id: agreementId, routine: JSON.stringify(routine) })
    .where('id', '=', id)
    .execute();
}

/** Replaces the people of a draft; a recorded decision's people are refused by the database. */
export async function setPeople(
  trx: Executor,
  decisionId: string,
  organisationId: string,
  personIds: readonly string[],
): Promise<void> {
  await trx.deleteFrom('sharing_decision_people').where('decision_id', '=', decisionId).execute();
  if (personIds.length === 0) return;
  await sql`
    INSERT INTO sharing_decision_people (decision_id, person_id, organisation_id)
    SELECT ${decisionId}::uuid, person_id, ${organisationId}::uuid FROM unnest(${[...new Set(personIds)]}::uuid[]) AS person_id`.execute(
    trx,
  );
}

export interface DecisionListRow {
  readonly id: string;
  readonly reference: string;
  readonly status: DecisionStatus;
  readonly purpose_id: string | null;
  readonly outcome: string | null;
  readonly started_by_name: string;
  readonly updated_at: Date;
  readonly recorded_at: Date | null;
  readonly people_count: number;
}

function listed(db: Executor) {
  return db
    .selectFrom('sharing_decisions')
    .innerJoin('users as starter', 'starter.id', 'sharing_decisions.started_by')
    .select((eb) => [
      'sharing_decisions.id',
      'sharing_decisions.reference',
      'sharing_decisions.status',
      'sharing_decisions.purpose_id',
      'sharing_decisions.outcome',
      'starter.display_name as started_by_name',
      'sharing_decisions.updated_at',
      'sharing_decisions.recorded_at',
      eb
        .selectFrom('sharing_decision_people')
        .whereRef('sharing_decision_people.decision_id', '=', 'sharing_decisions.id')
        .select((inner) => inner.fn.countAll<number>().as('count'))
        .as('people_count'),
    ]);
}

function counted(
  rows: readonly (Omit<DecisionListRow, 'people_count'> & { people_count: number | string | null })[],
): DecisionListRow[] {
  return rows.map((row) => ({ ...row, people_count: Number(row.people_count ?? 0) }));
}

/** The people of these decisions, for lists that name them. */
export async function peopleOfDecisions(
  db: Executor,
  decisionIds: readonly string[],
): Promise<{ decision_id: string; person_id: string }[]> {
  if (decisionIds.length === 0) return [];
  return db
    .selectFrom('sharing_decision_people')
    .select(['decision_id', 'person_id'])
    .where('decision_id', 'in', decisionIds)
    .execute();
}

export async function decisionsStartedBy(
  db: Executor,
  userId: string,
  limit: number,
): Promise<DecisionListRow[]> {
  return counted(
    await listed(db)
      .where('sharing_decisions.started_by', '=', userId)
      .orderBy('sharing_decisions.updated_at', 'desc')
      .limit(limit)
      .execute(),
  );
}

export async function decisionsByIds(db: Executor, ids: readonly string[]): Promise<DecisionListRow[]> {
  if (ids.length === 0) return [];
  return counted(
    await listed(db)
      .where('sharing_decisions.id', 'in', ids)
      .orderBy('sharing_decisions.updated_at', 'desc')
      .execute(),
  );
}

/** Every decision about a person, newest first (a person's sharing history). */
export async function decisionsAbout(db: Executor, personId: string): Promise<DecisionListRow[]> {
  return counted(
    await listed(db)
      .where('sharing_decisions.id', 'in', (eb) =>
        eb.selectFrom('sharing_decision_people').select('decision_id').where('person_id', '=', personId),
      )
      .where('sharing_decisions.status', '<>', 'discarded')
      .orderBy('sharing_decisions.updated_at', 'desc')
      .execute(),
  );
}
export async function addendaFor(db: Executor, decisionId: string) {
  return db
    .selectFrom('sharing_addenda')
    .innerJoin('users', 'users.id', 'sharing_addenda.written_by')
    .select([
      'sharing_addenda.id',
      'sharing_addenda.kind',
      'sharing_addenda.body',
      'sharing_addenda.written_at',
      'users.display_name as written_by_name',
    ])
    .where('sharing_addenda.decision_id', '=', decisionId)
    .orderBy('sharing_addenda.written_at')
    .execute();
}

export async function insertAddendum(
  trx: Executor,
  values: {
    organisationId: string;
    decisionId: string;
    kind: AddendumKind;
    body: string;
    writtenBy: string;
    at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('sharing_addenda')
    .values({
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      kind: values.kind,
      body: values.body,
      written_by: values.writtenBy,
      written_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
