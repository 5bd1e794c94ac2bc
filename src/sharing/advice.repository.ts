import type { Selectable } from 'kysely';
import type { Executor } from '../db/client.ts';
import { everyColumn } from '../db/columns.ts';
import type { Adviser, Approver } from '../policy/index.ts';
import type { SharingAdviceRequestsTable } from './sharing.table.ts';

/** The SQL of requests for advice on sharing decisions (R2.15). Takes a database or a transaction. */

export type AdviceRow = Selectable<SharingAdviceRequestsTable> & {
  readonly asked_by_name: string;
  readonly answered_by_name: string | null;
};

/** Every column of a request for advice, named, so that reading them can be prepared (ADR 0036). */
const adviceColumns = everyColumn<SharingAdviceRequestsTable>()('sharing_advice_requests', [
  'id',
  'organisation_id',
  'decision_id',
  'asked_by',
  'adviser',
  'adviser_user_id',
  'anonymised',
  'question',
  'summary',
  'status',
  'answer',
  'answered_by',
  'answered_at',
  'created_at',
]);

function advice(db: Executor) {
  return db
    .selectFrom('sharing_advice_requests')
    .innerJoin('users as asker', 'asker.id', 'sharing_advice_requests.asked_by')
    .leftJoin('users as answerer', 'answerer.id', 'sharing_advice_requests.answered_by')
    .select(adviceColumns)
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
