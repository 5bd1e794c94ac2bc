import type { Insertable, Selectable, Transaction, Updateable } from 'kysely';
import type { Executor } from '../db/client.ts';
import { everyColumn } from '../db/columns.ts';
import type { Database } from '../db/database.ts';
import { liveStatuses } from './consent.status.ts';
import type { ConsentEventsTable, ConsentsTable } from './consent.table.ts';

/** An open transaction: services open it, and pass it to these functions and to the audit trail. */
export type ConsentTransaction = Transaction<Database>;
export type ConsentRow = Selectable<ConsentsTable>;
export type NewConsentRow = Insertable<ConsentsTable>;
export type NewConsentEventRow = Insertable<ConsentEventsTable>;
/** Only the lifecycle columns change; the database refuses anything else. */
export type LifecycleChange = Pick<
  Updateable<ConsentsTable>,
  | 'status'
  | 'review_on'
  | 'last_reviewed_on'
  | 'review_overdue_since'
  | 'withdrawn_on'
  | 'withdrawal_method'
  | 'withdrawn_by'
  | 'withdrawal_note'
  | 'withdrawal_recorded_by'
  | 'withdrawal_recorded_at'
  | 'superseded_by'
> & { changed_at: Date };

export async function insertConsent(trx: Executor, row: NewConsentRow): Promise<string> {
  const inserted = await trx.insertInto('consents').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findConsent(db: Executor, id: string): Promise<ConsentRow | undefined> {
  return db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockConsent(trx: Executor, id: string): Promise<ConsentRow | undefined> {
  return trx.selectFrom('consents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function consentsForPerson(db: Executor, personId: string): Promise<ConsentRow[]> {
  return db
    .selectFrom('consents')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('given_on', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/** Every column of a consent record, named, so that reading them can be prepared (ADR 0036). */
const consentColumns = everyColumn<ConsentsTable>()('consents', [
  'id',
  'organisation_id',
  'person_id',
  'decision',
  'status',
  'policy_version',
  'given_by_child',
  'parent_carer_person_id',
  'parent_carer_relationship',
  'child_capacity',
  'capacity_not_assessed_reason',
  'prevailing_view',
  'child_view',
  'purpose_ids',
  'use_description',
  'recipient_organisation_ids',
  'recipient_roles',
  'method_ids',
  'category_ids',
  'retention_period',
  'retention_form_ids',
  'told_shared_without_consent',
  'told_may_withdraw',
  'how_given',
  'evidence_note',
  'not_sought_reason',
  'not_sought_detail',
  'given_on',
  'review_on',
  'expires_on',
  'last_reviewed_on',
  'review_overdue_since',
  'withdrawn_on',
  'withdrawal_method',
  'withdrawn_by',
  'withdrawal_note',
  'withdrawal_recorded_by',
  'withdrawal_recorded_at',
  'supersedes_id',
  'superseded_by',
  'recorded_by',
  'created_at',
  'changed_at',
]);

export async function consentsForPeople(db: Executor, personIds: readonly string[]): Promise<ConsentRow[]> {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('consents')
    .select(consentColumns)
    .where((eb) => eb('person_id', '=', eb.fn.any(eb.val([...personIds]))))
    .execute();
}

export async function changeLifecycle(trx: Executor, id: string, change: LifecycleChange): Promise<void> {
  await trx.updateTable('consents').set(change).where('id', '=', id).execute();
}

export async function insertEvent(trx: Executor, row: NewConsentEventRow): Promise<void> {
  await trx.insertInto('consent_events').values(row).execute();
}

export interface ConsentEventRow {
  readonly id: string;
  readonly consent_id: string;
  readonly kind: ConsentEventsTable['kind'];
  readonly status_after: ConsentEventsTable['status_after'];
  readonly occurred_on: string;
  readonly recorded_at: Date;
  readonly note: string | null;
  readonly decision: ConsentsTable['decision'];
  readonly purpose_ids: string[];
  readonly recorded_by_name: string | null;
}

/** A person's consent history, newest first, for the timeline. */
export async function eventsFor(
  db: Executor,
  filter: { readonly personId: string } | { readonly consentId: string },
): Promise<ConsentEventRow[]> {
  let query = db
    .selectFrom('consent_events as e')
    .innerJoin('consents as c', 'c.id', 'e.consent_id')
    .leftJoin('users as u', 'u.id', 'e.recorded_by')
    .select([
      'e.id',
      'e.consent_id',
      'e.kind',
      'e.status_after',
      'e.occurred_on',
      'e.recorded_at',
      'e.note',
      'c.decision',
      'c.purpose_ids',
      'u.display_name as recorded_by_name',
    ]);
  query =
    'personId' in filter
      ? query.where('e.person_id', '=', filter.personId)
      : query.where('e.consent_id', '=', filter.consentId);
  return query.orderBy('e.occurred_on', 'desc').orderBy('e.recorded_at', 'desc').limit(500).execute();
}

export async function userNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}

// Drafts between the form and "check your answers".

export async function saveDraft(
  trx: Executor,
  draft: {
    userId: string;
    personId: string;
    organisationId: string;
    answers: Record<string, string | string[]>;
    savedAt: Date;
  },
): Promise<void> {
  const answers = JSON.stringify(draft.answers);
  await trx
    .insertInto('consent_drafts')
    .values({
      user_id: draft.userId,
      person_id: draft.personId,
      organisation_id: draft.organisationId,
      answers,
      saved_at: draft.savedAt,
    })
    .onConflict((conflict) =>
      conflict.columns(['user_id', 'person_id']).doUpdateSet({ answers, saved_at: draft.savedAt }),
    )
    .execute();
}

export async function findDraft(
  db: Executor,
  userId: string,
  personId: string,
  notBefore: Date,
): Promise<Record<string, string | string[]> | undefined> {
  const row = await db
    .selectFrom('consent_drafts')
    .select('answers')
    .where('user_id', '=', userId)
    .where('person_id', '=', personId)
    .where('saved_at', '>=', notBefore)
    .executeTakeFirst();
  return row?.answers;
}

export async function deleteDraft(trx: Executor, userId: string, personId: string): Promise<void> {
  await trx
    .deleteFrom('consent_drafts')
    .where('user_id', '=', userId)
    .where('person_id', '=', personId)
    .execute();
}

export async function deleteStaleDrafts(db: Executor, before: Date): Promise<number> {
  const result = await db.deleteFrom('consent_drafts').where('saved_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// Reviews (R3.4).

export interface ReviewRow {
  readonly id: string;
  readonly person_id: string;
  readonly decision: ConsentsTable['decision'];
  readonly status: ConsentsTable['status'];
  readonly review_on: string;
  readonly purpose_ids: string[];
  readonly given_names: string;
  readonly family_name: string;
}

/** Live consents whose review falls on or before `until`, soonest first: for the organisation, or for the people listed. */
export async function reviewsDue(
  db: Executor,
  scope: {
    readonly organisationId: string;
    readonly personIds: readonly string[] | 'all';
    readonly until: string;
    readonly limit: number;
  },
): Promise<ReviewRow[]> {
  if (scope.personIds !== 'all' && scope.personIds.length === 0) return [];
  let query = db
    .selectFrom('consents as c')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .select([
      'c.id',
      'c.person_id',
      'c.decision',
      'c.status',
      'c.review_on',
      'c.purpose_ids',
      'p.given_names',
      'p.family_name',
    ])
    .where('c.organisation_id', '=', scope.organisationId)
    .where('c.status', 'in', liveStatuses)
    .where('c.review_on', '<=', scope.until);
  if (scope.personIds !== 'all') query = query.where('c.person_id', 'in', [...scope.personIds]);
  return query.orderBy('c.review_on').orderBy('c.id').limit(scope.limit).execute();
}

/** How many live consents in the scope were due for review before `today`, and from it to `until`. */
export async function reviewCounts(
  db: Executor,
  scope: {
    readonly organisationId: string;
    readonly personIds: readonly string[] | 'all';
    readonly today: string;
    readonly until: string;
  },
): Promise<{ overdue: number; dueSoon: number }> {
  if (scope.personIds !== 'all' && scope.personIds.length === 0) return { overdue: 0, dueSoon: 0 };
  let query = db
    .selectFrom('consents')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('review_on', '<', scope.today).as('overdue'),
      eb.fn.countAll<string>().filterWhere('review_on', '>=', scope.today).as('due_soon'),
    ])
    .where('organisation_id', '=', scope.organisationId)
    .where('status', 'in', liveStatuses)
    .where('review_on', '<=', scope.until);
  if (scope.personIds !== 'all') query = query.where('person_id', 'in', [...scope.personIds]);
  const row = await query.executeTakeFirstOrThrow();
  return { overdue: Number(row.overdue), dueSoon: Number(row.due_soon) };
}

// The daily job.

/** Organisations with consents past their expiry date that are still marked given. */
export async function organisationsWithExpiring(db: Executor, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('consents')
    .select('organisation_id')
    .distinct()
    .where('status', '=', 'given')
    .where('expires_on', '<=', today)
    .execute();
  return rows.map((row) => row.organisation_id);
}

export async function expireConsents(
  trx: Executor,
  organisationId: string,
  today: string,
  now: Date,
): Promise<{ id: string; person_id: string; expires_on: string | null }[]> {
  return trx
    .updateTable('consents')
    .set({ status: 'expired', changed_at: now })
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'given')
    .where('expires_on', '<=', today)
    .returning(['id', 'person_id', 'expires_on'])
    .execute();
}

/** Organisations with live consents whose review date has passed and that are not yet flagged. */
export async function organisationsWithNewlyOverdue(db: Executor, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('consents')
    .select('organisation_id')
    .distinct()
    .where('status', 'in', liveStatuses)
    .where('review_overdue_since', 'is', null)
    .where('review_on', '<', today)
    .execute();
  return rows.map((row) => row.organisation_id);
}

export async function markOverdue(
  trx: Executor,
  organisationId: string,
  today: string,
  now: Date,
): Promise<{ id: string; person_id: string; status: ConsentsTable['status']; review_on: string }[]> {
  return trx
    .updateTable('consents')
    .set({ review_overdue_since: today, changed_at: now })
    .where('organisation_id', '=', organisationId)
    .where('status', 'in', liveStatuses)
    .where('review_overdue_since', 'is', null)
    .where('review_on', '<', today)
    .returning(['id', 'person_id', 'status', 'review_on'])
    .execute();
}

/** Every live consent whose review date has passed, with its person. */
export function overdueReviews(
  db: Executor,
  today: string,
): Promise<{ consent_id: string; organisation_id: string; person_id: string }[]> {
  return db
    .selectFrom('consents')
    .select(['id as consent_id', 'organisation_id', 'person_id'])
    .where('status', 'in', liveStatuses)
    .where('review_on', '<', today)
    .execute();
}

/** Records reminders not yet sent today; returns those that are new. */
export async function recordReminders(
  trx: Executor,
  reminders: readonly { consent_id: string; user_id: string; reminded_on: string }[],
): Promise<{ consent_id: string; user_id: string }[]> {
  if (reminders.length === 0) return [];
  return trx
    .insertInto('consent_review_reminders')
    .values([...reminders])
    .onConflict((conflict) => conflict.doNothing())
    .returning(['consent_id', 'user_id'])
    .execute();
}
