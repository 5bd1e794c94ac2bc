import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { SubjectAccessRequestsTable } from './subject-access.table.ts';

/**
 * The SQL of the subject access register and of its report. The report reads, read-only, what
 * Safeshare holds about one person across the capabilities below it (decisions, disclosures,
 * consent, the audit trail): one query per kind, each on an index, so that a person with a long
 * history is answered in a few queries (ADR 0027).
 */

export async function insertRequest(db: Executor, values: Insertable<SubjectAccessRequestsTable>) {
  return db
    .insertInto('subject_access_requests')
    .values(values)
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
}

function requests(db: Executor) {
  return db
    .selectFrom('subject_access_requests')
    .innerJoin('people', 'people.id', 'subject_access_requests.person_id')
    .leftJoin('users as producer', 'producer.id', 'subject_access_requests.report_produced_by')
    .selectAll('subject_access_requests')
    .select([
      'people.given_names as person_given_names',
      'people.family_name as person_family_name',
      'people.date_of_birth as person_date_of_birth',
      'producer.display_name as report_produced_by_name',
    ]);
}

export type RequestRow = Awaited<ReturnType<ReturnType<typeof requests>['executeTakeFirstOrThrow']>>;

/** An organisation's requests: open ones first, the nearest deadline first. */
export async function requestsOf(db: Executor, organisationId: string): Promise<RequestRow[]> {
  return requests(db)
    .where('subject_access_requests.organisation_id', '=', organisationId)
    .orderBy((eb) => eb.case().when('subject_access_requests.status', '=', 'open').then(0).else(1).end())
    .orderBy((eb) => eb.fn.coalesce('subject_access_requests.extended_to', 'subject_access_requests.due_on'))
    .orderBy('subject_access_requests.reference')
    .execute();
}

export async function findRequest(
  db: Executor,
  organisationId: string,
  id: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<RequestRow | undefined> {
  const query = requests(db)
    .where('subject_access_requests.organisation_id', '=', organisationId)
    .where('subject_access_requests.id', '=', id);
  return (options.forUpdate === true ? query.forUpdate('subject_access_requests') : query).executeTakeFirst();
}

export async function updateRequest(
  db: Executor,
  id: string,
  values: Updateable<SubjectAccessRequestsTable>,
): Promise<void> {
  await db.updateTable('subject_access_requests').set(values).where('id', '=', id).execute();
}

/** That a report was produced, counted on the request, in the transaction that audits it. */
export async function markProduced(db: Executor, id: string, by: string, at: Date): Promise<void> {
  await db
    .updateTable('subject_access_requests')
    .set((eb) => ({
      report_produced_at: at,
      report_produced_by: by,
      reports_produced: eb('reports_produced', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** The organisation whose register it is: its name and switchboard, for "where to ask" in the report. */
export async function organisationOf(db: Executor, organisationId: string) {
  return db
    .selectFrom('organisations')
    .select(['name', 'switchboard_phone'])
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
}

/** Recorded decisions about the person, oldest first, with the deciding organisation's name and how many people each was about. */
export async function decisionsAbout(db: Executor, personId: string) {
  return db
    .selectFrom('sharing_decision_people as about')
    .innerJoin('sharing_decisions as decision', 'decision.id', 'about.decision_id')
    .innerJoin('organisations as decider', 'decider.id', 'decision.organisation_id')
    .select((eb) => [
      'decision.id',
      'decision.reference',
      'decision.purpose_id',
      'decision.answers',
      'decision.outcome',
      'decision.assessment',
      'decision.recorded_at',
      'decider.name as organisation_name',
      eb
        .selectFrom('sharing_decision_people as others')
        .select((inner) => inner.fn.countAll<string>().as('count'))
        .whereRef('others.decision_id', '=', 'decision.id')
        .as('people_count'),
    ])
    .where('about.person_id', '=', personId)
    .where('decision.status', '=', 'recorded')
    .orderBy('decision.recorded_at')
    .orderBy('decision.reference')
    .execute();
}

/** Everything disclosed under a decision about the person, oldest first, with the recipient organisation's name. */
export async function disclosuresAbout(db: Executor, personId: string) {
  return db
    .selectFrom('sharing_decision_people as about')
    .innerJoin('disclosures', 'disclosures.decision_id', 'about.decision_id')
    .innerJoin('organisations as recipient', 'recipient.id', 'disclosures.recipient_organisation_id')
    .select([
      'disclosures.id',
      'disclosures.decision_id',
      'disclosures.method',
      'disclosures.recipient_role',
      'disclosures.purpose_id',
      'disclosures.category_ids',
      'disclosures.description',
      'disclosures.disclosed_at',
      'disclosures.receipt_confirmed_at',
      'recipient.name as recipient_organisation_name',
    ])
    .where('about.person_id', '=', personId)
    .orderBy('disclosures.disclosed_at')
    .orderBy('disclosures.id')
    .execute();
}

/** The person's consent records, oldest first. */
export async function consentsOf(db: Executor, personId: string) {
  return db
    .selectFrom('consents')
    .select([
      'id',
      'decision',
      'status',
      'given_by_child',
      'parent_carer_relationship',
      'purpose_ids',
      'recipient_organisation_ids',
      'category_ids',
      'given_on',
      'review_on',
      'expires_on',
      'withdrawn_on',
      'retention_period',
      'created_at',
    ])
    .where('person_id', '=', personId)
    .orderBy('given_on')
    .orderBy('created_at')
    .execute();
}

/** What happened to the person's consent records (recorded, reviewed, withdrawn...), oldest first. */
export async function consentEventsOf(db: Executor, personId: string) {
  return db
    .selectFrom('consent_events')
    .select(['consent_id', 'kind', 'occurred_on', 'recorded_at'])
    .where('person_id', '=', personId)
    .orderBy('recorded_at')
    .execute();
}

/** Organisations' names, for the recipients a consent names. */
export async function organisationNames(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute();
}

/**
 * The reads of the person's record, and the reasons given for them, in their organisation's audit
 * chain, oldest first: who (as the trail named them then), their organisation, when, what.
 */
export async function readsOf(
  db: Executor,
  organisationId: string,
  personId: string,
  actions: readonly string[],
) {
  return db
    .selectFrom('audit_events as event')
    .leftJoin('users as reader', 'reader.id', 'event.actor_user_id')
    .leftJoin('organisations as employer', 'employer.id', 'reader.organisation_id')
    .select([
      'event.seq',
      'event.occurred_at',
      'event.actor_user_id',
      'event.actor_label',
      'event.action',
      'event.change',
      'employer.name as organisation_name',
    ])
    .where('event.person_id', '=', personId)
    .where('event.organisation_id', '=', organisationId)
    .where('event.action', 'in', actions)
    .orderBy('event.occurred_at')
    .orderBy('event.seq')
    .execute();
}
