import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Adviser, Approver } from '../policy/index.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import type { RecordedAssessment } from './sharing.rules.ts';
import type { DecisionStatus } from './sharing.status.ts';
import type {
  AddendumKind,
  ApprovalStatus,
  SharingAdviceRequestsTable,
  SharingApprovalsTable,
  SharingDecisionsTable,
} from './sharing.table.ts';

/** All SQL of sharing decisions. Takes a database or a transaction. */
type Executor = Kysely<Database> | Transaction<Database>;

export type DecisionRow = Selectable<SharingDecisionsTable> & {
  readonly started_by_name: string;
  readonly recorded_by_name: string | null;
};
export type AdviceRow = Selectable<SharingAdviceRequestsTable> & {
  readonly asked_by_name: string;
  readonly answered_by_name: string | null;
};
export type ApprovalRow = Selectable<SharingApprovalsTable> & {
  readonly requested_by_name: string;
  readonly decided_by_name: string | null;
};

function decisions(db: Executor) {
  return db
    .selectFrom('sharing_decisions')
    .innerJoin('users as starter', 'starter.id', 'sharing_decisions.started_by')
    .leftJoin('users as recorder', 'recorder.id', 'sharing_decisions.recorded_by')
    .selectAll('sharing_decisions')
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
      .orderBy('sharing_decisions.updated_at', 'desc')
      .execute(),
  );
}

function advice(db: Executor) {
  return db
    .selectFrom('sharing_advice_requests')
    .innerJoin('users as asker', 'asker.id', 'sharing_advice_requests.asked_by')
    .leftJoin('users as answerer', 'answerer.id', 'sharing_advice_requests.answered_by')
    .selectAll('sharing_advice_requests')
    .select(['asker.display_name as asked_by_name', 'answerer.display_name as answered_by_name']);
}

/** Which of these decisions have advice asked for and not yet given. */
export async function decisionsWithOpenAdvice(
  db: Executor,
  decisionIds: readonly string[],
): Promise<Set<string>> {
  if (decisionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('sharing_advice_requests')
    .select('decision_id')
    .distinct()
    .where('decision_id', 'in', decisionIds)
    .where('status', '=', 'open')
    .execute();
  return new Set(rows.map((row) => row.decision_id));
}

export async function adviceFor(db: Executor, decisionId: string): Promise<AdviceRow[]> {
  return advice(db)
    .where('sharing_advice_requests.decision_id', '=', decisionId)
    .orderBy('sharing_advice_requests.created_at')
    .execute();
}

export async function findAdvice(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<AdviceRow | undefined> {
  const query = advice(db).where('sharing_advice_requests.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('sharing_advice_requests') : query).executeTakeFirst();
}

/** Advice requests addressed to one of these roles, or to this user as line manager. */
export async function adviceQueue(
  db: Executor,
  organisationId: string,
  roles: readonly Approver[],
  userId: string,
  status: 'open' | 'answered',
  limit: number,
): Promise<AdviceRow[]> {
  return advice(db)
    .where('sharing_advice_requests.organisation_id', '=', organisationId)
    .where('sharing_advice_requests.status', '=', status)
    .where((eb) =>
      eb.or([
        eb('sharing_advice_requests.adviser_user_id', '=', userId),
        ...(roles.length === 0 ? [] : [eb('sharing_advice_requests.adviser', 'in', roles)]),
      ]),
    )
    .where('sharing_advice_requests.asked_by', '<>', userId)
    .orderBy('sharing_advice_requests.created_at', status === 'open' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

export async function insertAdvice(
  trx: Executor,
  values: {
    organisationId: string;
    decisionId: string;
    askedBy: string;
    adviser: Adviser;
    adviserUserId: string | null;
    anonymised: boolean;
    question: string;
    summary: string;
    at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('sharing_advice_requests')
    .values({
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      asked_by: values.askedBy,
      adviser: values.adviser,
      adviser_user_id: values.adviserUserId,
      anonymised: values.anonymised,
      question: values.question,
      summary: values.summary,
      status: 'open',
      created_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function answerAdvice(
  trx: Executor,
  id: string,
  values: { answer: string; answeredBy: string; at: Date },
): Promise<void> {
  await trx
    .updateTable('sharing_advice_requests')
    .set({
      status: 'answered',
      answer: values.answer,
      answered_by: values.answeredBy,
      answered_at: values.at,
    })
    .where('id', '=', id)
    .execute();
}

function approvals(db: Executor) {
  return db
    .selectFrom('sharing_approvals')
    .innerJoin('users as requester', 'requester.id', 'sharing_approvals.requested_by')
    .leftJoin('users as decider', 'decider.id', 'sharing_approvals.decided_by')
    .selectAll('sharing_approvals')
    .select(['requester.display_name as requested_by_name', 'decider.display_name as decided_by_name']);
}

export async function approvalsFor(db: Executor, decisionId: string): Promise<ApprovalRow[]> {
  return approvals(db)
    .where('sharing_approvals.decision_id', '=', decisionId)
    .orderBy('sharing_approvals.requested_at')
    .execute();
}

export async function findApproval(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ApprovalRow | undefined> {
  const query = approvals(db).where('sharing_approvals.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('sharing_approvals') : query).executeTakeFirst();
}

/** Approvals waiting for one of these roles, or for this user as line manager; never the requester's own. */
export async function approvalQueue(
  db: Executor,
  organisationId: string,
  roles: readonly Approver[],
  userId: string,
  status: ApprovalStatus,
  limit: number,
): Promise<ApprovalRow[]> {
  return approvals(db)
    .where('sharing_approvals.organisation_id', '=', organisationId)
    .where('sharing_approvals.status', '=', status)
    .where((eb) =>
      eb.or([
        eb('sharing_approvals.line_manager_id', '=', userId),
        ...(roles.length === 0
          ? []
          : [eb('sharing_approvals.approvers', '&&', sql<Approver[]>`${[...roles]}::text[]`)]),
      ]),
    )
    .where('sharing_approvals.requested_by', '<>', userId)
    .orderBy('sharing_approvals.requested_at', status === 'pending' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

export async function insertApproval(
  trx: Executor,
  values: {
    organisationId: string;
    decisionId: string;
    kind: SharingApprovalsTable['kind'];
    approvers: readonly Approver[];
    lineManagerId: string | null;
    requestedBy: string;
    at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('sharing_approvals')
    .values({
      organisation_id: values.organisationId,
      decision_id: values.decisionId,
      kind: values.kind,
      approvers: values.approvers,
      line_manager_id: values.lineManagerId,
      status: 'pending',
      requested_by: values.requestedBy,
      requested_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function decideApproval(
  trx: Executor,
  id: string,
  values: { status: 'approved' | 'refused'; decidedBy: string; reason: string | null; at: Date },
): Promise<void> {
  await trx
    .updateTable('sharing_approvals')
    .set({
      status: values.status,
      decided_by: values.decidedBy,
      decided_at: values.at,
      reason: values.reason,
    })
    .where('id', '=', id)
    .execute();
}

export async function withdrawPendingApprovals(trx: Executor, decisionId: string): Promise<number> {
  const rows = await trx
    .updateTable('sharing_approvals')
    .set({ status: 'withdrawn' })
    .where('decision_id', '=', decisionId)
    .where('status', 'in', ['pending', 'approved'])
    .returning('id')
    .execute();
  return rows.length;
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

/** Active staff in the organisation holding any of these roles. */
export async function staffWithRoles(
  db: Executor,
  organisationId: string,
  roles: readonly string[],
): Promise<{ id: string; display_name: string }[]> {
  if (roles.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .where(sql<boolean>`roles && ${[...roles]}::text[]`)
    .execute();
}

export async function lineManagerOf(
  db: Executor,
  userId: string,
): Promise<{ id: string; display_name: string; organisation_id: string; active: boolean } | undefined> {
  return db
    .selectFrom('users as member')
    .innerJoin('users as manager', 'manager.id', 'member.line_manager_id')
    .select(['manager.id', 'manager.display_name', 'manager.organisation_id', 'manager.active'])
    .where('member.id', '=', userId)
    .executeTakeFirst();
}

/** An active member of staff of the organisation (a supervisor a practitioner names). */
export async function colleague(
  db: Executor,
  organisationId: string,
  userId: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .executeTakeFirst();
}
