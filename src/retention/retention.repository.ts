import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { PersonRecordKind, ProposalStatus, RecordKind, RetentionSubject } from './retention.table.ts';

/** The subject's columns for a row that names it: its own id, the other null. */
export function subjectColumns(subject: RetentionSubject): {
  person_id: string | null;
  incident_id: string | null;
} {
  return subject.type === 'person'
    ? { person_id: subject.id, incident_id: null }
    : { person_id: null, incident_id: subject.id };
}

/** The subject a row names, from its two columns (a CHECK makes one of them set). */
export function subjectOf(row: { person_id: string | null; incident_id: string | null }): RetentionSubject {
  return row.person_id !== null
    ? { type: 'person', id: row.person_id }
    : { type: 'incident', id: row.incident_id ?? '' };
}

type Trigger = 'date-of-birth' | 'last-action' | 'closure' | 'creation';

/** How one kind of record is found from its trigger: its rows, the person each is about, and the trigger's column. */
interface KindQuery {
  /** FROM and JOINs, naming the person's row `p` where the trigger is the date of birth. */
  readonly from: string;
  readonly person: string;
  readonly organisation: string;
  /** Extra conditions: only the records a disposal would act on. */
  readonly where: string;
  /** Each trigger's column: a date (compared with the last day) or an instant (with the next midnight). */
  readonly triggers: Partial<Record<Trigger, { readonly column: string; readonly date: boolean }>>;
}

const viaDecisionPeople = 'JOIN sharing_decision_people dp ON dp.decision_id = r.decision_id';
const dateOfBirth = { column: 'p.date_of_birth', date: true } as const;

/**
 * Each kind's query, chosen from this fixed table (never from input). Every trigger the default
 * pack uses has an index to run on (migration 2026-12-04T1250); another trigger a council chooses is
 * still one query, over the organisation's rows of that kind.
 */
const kindQueries: Record<PersonRecordKind, KindQuery> = {
  people: {
    from: 'people p',
    person: 'p.id',
    organisation: 'p.organisation_id',
    where: 'true',
    triggers: {
      'date-of-birth': dateOfBirth,
      creation: { column: 'p.created_at', date: false },
      'last-action': { column: 'p.updated_at', date: false },
    },
  },
  'consent-records': {
    from: 'consents r JOIN people p ON p.id = r.person_id',
    person: 'r.person_id',
    organisation: 'r.organisation_id',
    where: 'true',
    triggers: {
      'date-of-birth': dateOfBirth,
      creation: { column: 'r.created_at', date: false },
      'last-action': { column: 'r.changed_at', date: false },
    },
  },
  'sharing-decisions': {
    from: 'sharing_decisions r JOIN sharing_decision_people dp ON dp.decision_id = r.id JOIN people p ON p.id = dp.person_id',
    person: 'dp.person_id',
    organisation: 'r.organisation_id',
    where: "r.status = 'recorded'",
    triggers: {
      'date-of-birth': dateOfBirth,
      creation: { column: 'r.created_at', date: false },
      'last-action': { column: 'r.updated_at', date: false },
      closure: { column: 'r.recorded_at', date: false },
    },
  },
  disclosures: {
    from: `disclosures r ${viaDecisionPeople} JOIN people p ON p.id = dp.person_id`,
    person: 'dp.person_id',
    organisation: 'r.organisation_id',
    where: 'true',
    triggers: {
      'date-of-birth': dateOfBirth,
      creation: { column: 'r.disclosed_at', date: false },
      'last-action': { column: 'coalesce(r.receipt_confirmed_at, r.disclosed_at)', date: false },
      closure: { column: 'r.receipt_confirmed_at', date: false },
    },
  },
  // A package that has ended already had its keys destroyed (ADR 0020): only live ones are due.
  'exchange-packages': {
    from: `exchange_packages r ${viaDecisionPeople} JOIN people p ON p.id = dp.person_id`,
    person: 'dp.person_id',
    organisation: 'r.organisation_id',
    where: 'r.ended IS NULL',
    triggers: {
      'date-of-birth': dateOfBirth,
      creation: { column: 'r.sent_at', date: false },
      'last-action': { column: 'coalesce(r.ended_at, r.sent_at)', date: false },
    },
  },
};

/** Whether Safeshare can work out this trigger for this kind of record. */
export function supportsTrigger(kind: PersonRecordKind | 'incidents', trigger: Trigger): boolean {
  if (kind === 'incidents') return incidentTriggers[trigger] !== undefined;
  return kindQueries[kind].triggers[trigger] !== undefined;
}

/** The bound a trigger is compared with: the last day a period may have started on, and the instant after it. */
export interface DueBound {
  readonly asOf: string;
  readonly lastStart: string;
  readonly before: Date;
}

export interface DuePersonRow {
  readonly person_id: string;
  readonly records: number;
  readonly first_trigger: string;
  readonly total: number;
}

/**
 * The people with records of one kind whose period has ended, earliest first, up to `limit`, with
 * how many people in all: one indexed query. Leaves out people disposed of already, people under a
 * legal hold on `asOf`, and people whose records of this kind were kept for longer past `asOf`.
 */
export async function duePeople(
  db: Executor,
  query: {
    readonly organisationId: string;
    readonly kind: PersonRecordKind;
    readonly trigger: Trigger;
    readonly bound: DueBound;
    readonly limit: number;
    readonly personId?: string;
  },
): Promise<DuePersonRow[]> {
  const shape = kindQueries[query.kind];
  const trigger = shape.triggers[query.trigger];
  if (trigger === undefined) return [];
  const column = sql.raw(trigger.column);
  const person = sql.raw(shape.person);
  const due: RawBuilder<unknown> = trigger.date
    ? sql`${column} <= ${query.bound.lastStart}::date`
    : sql`${column} < ${query.bound.before}`;
  const onePerson = query.personId === undefined ? sql`true` : sql`${person} = ${query.personId}::uuid`;
  const result = await sql<DuePersonRow>`
    SELECT ${person} AS person_id, count(*)::integer AS records,
           to_char(min(${column})::date, 'YYYY-MM-DD') AS first_trigger, (count(*) OVER ())::integer AS total
    FROM ${sql.raw(shape.from)}
    WHERE ${sql.raw(shape.organisation)} = ${query.organisationId}::uuid
      AND ${due} AND ${sql.raw(shape.where)} AND ${onePerson}
      AND NOT EXISTS (SELECT 1 FROM disposals x WHERE x.person_id = ${person})
      AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.person_id = ${person} AND h.lifted_at IS NULL
                      AND (h.ends_on IS NULL OR h.ends_on >= ${query.bound.asOf}::date))
      AND NOT EXISTS (SELECT 1 FROM retention_extensions e WHERE e.person_id = ${person}
                      AND e.kind = ${query.kind} AND e.keep_until > ${query.bound.asOf}::date)
    GROUP BY ${person}
    ORDER BY min(${column}), ${person}
    LIMIT ${query.limit}`.execute(db);
  return result.rows;
}

const incidentTriggers: Partial<Record<Trigger, string>> = {
  creation: 'i.reported_at',
  closure: 'i.closed_at',
  'last-action': 'coalesce(i.closed_at, i.reported_at)',
};

export interface DueIncidentRow {
  readonly id: string;
  readonly reference: string;
  readonly trigger_on: string;
  readonly total: number;
}

/**
 * Incidents whose period has ended, earliest first, with how many in all: one indexed query. Leaves
 * out incidents disposed of already, under a legal hold on `asOf`, or kept for longer past it.
 */
export async function dueIncidents(
  db: Executor,
  query: {
    readonly organisationId: string;
    readonly trigger: Trigger;
    readonly bound: DueBound;
    readonly limit: number;
    readonly incidentId?: string;
  },
): Promise<DueIncidentRow[]> {
  const expression = incidentTriggers[query.trigger];
  if (expression === undefined) return [];
  const column = sql.raw(expression);
  const oneIncident = query.incidentId === undefined ? sql`true` : sql`i.id = ${query.incidentId}::uuid`;
  const result = await sql<DueIncidentRow>`
    SELECT i.id, i.reference, to_char(${column}::date, 'YYYY-MM-DD') AS trigger_on, (count(*) OVER ())::integer AS total
    FROM incidents i
    WHERE i.organisation_id = ${query.organisationId}::uuid AND ${column} < ${query.bound.before} AND ${oneIncident}
      AND NOT EXISTS (SELECT 1 FROM disposals x WHERE x.incident_id = i.id)
      AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.incident_id = i.id AND h.lifted_at IS NULL
                      AND (h.ends_on IS NULL OR h.ends_on >= ${query.bound.asOf}::date))
      AND NOT EXISTS (SELECT 1 FROM retention_extensions e WHERE e.incident_id = i.id
                      AND e.keep_until > ${query.bound.asOf}::date)
    ORDER BY ${column}, i.id
    LIMIT ${query.limit}`.execute(db);
  return result.rows;
}

/** The case references of those of the people, by id, who have one; a disposed person's is erased. */
export async function caseReferences(
  db: Executor,
  organisationId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('people')
    .select(['id', 'local_reference'])
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', [...ids])
    .where('local_reference', 'is not', null)
    .execute();
  return new Map(
    rows.flatMap((row) => (row.local_reference === null ? [] : [[row.id, row.local_reference]])),
  );
}

/** Whether the person is one of the organisation's, and whether they were disposed of already. */
export async function personState(
  db: Executor,
  organisationId: string,
  personId: string,
): Promise<{ exists: boolean; disposed: boolean }> {
  const row = await db
    .selectFrom('people')
    .leftJoin('disposals', 'disposals.person_id', 'people.id')
    .select(['people.id', 'disposals.id as disposal_id'])
    .where('people.organisation_id', '=', organisationId)
    .where('people.id', '=', personId)
    .executeTakeFirst();
  return { exists: row !== undefined, disposed: row?.disposal_id != null };
}

/** The incident, if it is one of the organisation's: its reference, and whether it was disposed of already. */
export async function incidentState(
  db: Executor,
  organisationId: string,
  incidentId: string,
): Promise<
  { exists: false } | { exists: true; reference: string; closedAt: Date | null; disposed: boolean }
> {
  const row = await db
    .selectFrom('incidents')
    .leftJoin('disposals', 'disposals.incident_id', 'incidents.id')
    .select(['incidents.reference', 'incidents.closed_at', 'disposals.id as disposal_id'])
    .where('incidents.organisation_id', '=', organisationId)
    .where('incidents.id', '=', incidentId)
    .executeTakeFirst();
  return row === undefined
    ? { exists: false }
    : { exists: true, reference: row.reference, closedAt: row.closed_at, disposed: row.disposal_id !== null };
}

/** An incident found by its reference, for placing a hold on it or keeping it longer. */
export async function findIncidentByReference(
  db: Executor,
  organisationId: string,
  reference: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('incidents')
    .select('id')
    .where('organisation_id', '=', organisationId)
    // References are written in capitals (INC-0000001): compared so, on the reference's unique index.
    .where('reference', '=', reference.toUpperCase())
    .executeTakeFirst();
  return row?.id;
}

/** A person found by NHS number or case reference, for placing a hold on someone not yet due. */
export async function findPersonByIdentifier(
  db: Executor,
  organisationId: string,
  identifier: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('people')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where((eb) => eb.or([eb('nhs_number', '=', identifier), eb('local_reference', '=', identifier)]))
    .executeTakeFirst();
  return row?.id;
}

/** Serialises a hold and a disposal of one person or incident: whichever comes second sees the other. */
export async function lockSubject(trx: Executor, subject: RetentionSubject): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`retention:${subject.id}`}, 0))`.execute(trx);
}

export interface HoldRow {
  readonly id: string;
  readonly person_id: string | null;
  readonly incident_id: string | null;
  readonly incident_reference: string | null;
  readonly reason: string;
  readonly ends_on: string | null;
  readonly placed_at: Date;
  readonly placed_by_name: string;
}

/** The holds standing on `asOf` in an organisation, or on one person or incident. */
export async function standingHolds(
  db: Executor,
  organisationId: string,
  asOf: string,
  subject?: RetentionSubject,
): Promise<HoldRow[]> {
  let query = db
    .selectFrom('legal_holds')
    .innerJoin('users', 'users.id', 'legal_holds.placed_by')
    .leftJoin('incidents', 'incidents.id', 'legal_holds.incident_id')
    .select([
      'legal_holds.id',
      'legal_holds.person_id',
      'legal_holds.incident_id',
      'incidents.reference as incident_reference',
      'legal_holds.reason',
      sql<string | null>`to_char(legal_holds.ends_on, 'YYYY-MM-DD')`.as('ends_on'),
      'legal_holds.placed_at',
      'users.display_name as placed_by_name',
    ])
    .where('legal_holds.organisation_id', '=', organisationId)
    .where('legal_holds.lifted_at', 'is', null)
    .where((eb) => eb.or([eb('legal_holds.ends_on', 'is', null), eb('legal_holds.ends_on', '>=', asOf)]));
  if (subject?.type === 'person') query = query.where('legal_holds.person_id', '=', subject.id);
  if (subject?.type === 'incident') query = query.where('legal_holds.incident_id', '=', subject.id);
  return query.orderBy('legal_holds.placed_at', 'desc').execute();
}

export async function insertHold(
  trx: Executor,
  hold: {
    organisation_id: string;
    person_id: string | null;
    incident_id: string | null;
    reason: string;
    ends_on: string | null;
    placed_by: string;
    placed_at: Date;
  },
): Promise<string> {
  const row = await trx.insertInto('legal_holds').values(hold).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findHold(
  trx: Executor,
  organisationId: string,
  id: string,
): Promise<
  { id: string; person_id: string | null; incident_id: string | null; lifted_at: Date | null } | undefined
> {
  return trx
    .selectFrom('legal_holds')
    .select(['id', 'person_id', 'incident_id', 'lifted_at'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function liftHold(
  trx: Executor,
  id: string,
  lift: { lifted_by: string; lifted_at: Date; lift_reason: string },
): Promise<void> {
  await trx.updateTable('legal_holds').set(lift).where('id', '=', id).execute();
}

export async function insertExtension(
  trx: Executor,
  extension: {
    organisation_id: string;
    person_id: string | null;
    incident_id: string | null;
    kind: RecordKind;
    keep_until: string;
    reason: string;
    recorded_by: string;
    recorded_at: Date;
  },
): Promise<void> {
  await trx.insertInto('retention_extensions').values(extension).execute();
}

export interface ProposalRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly person_id: string | null;
  readonly incident_id: string | null;
  readonly incident_reference: string | null;
  readonly kind: RecordKind;
  readonly status: ProposalStatus;
  readonly reason: string;
  readonly proposed_by: string;
  readonly proposed_by_name: string;
  readonly proposed_at: Date;
  readonly approved_by: string | null;
  readonly approved_at: Date | null;
  readonly held_at: Date | null;
  readonly withdrawn_by: string | null;
  readonly withdrawn_at: Date | null;
  readonly withdraw_reason: string | null;
}

function proposalQuery(db: Executor) {
  return db
    .selectFrom('disposal_proposals')
    .innerJoin('users', 'users.id', 'disposal_proposals.proposed_by')
    .leftJoin('incidents', 'incidents.id', 'disposal_proposals.incident_id')
    .selectAll('disposal_proposals')
    .select(['users.display_name as proposed_by_name', 'incidents.reference as incident_reference']);
}

/** The proposals not yet carried out (proposed or approved), oldest first: all, or one subject's. */
export async function openProposals(
  db: Executor,
  organisationId: string,
  subject?: RetentionSubject,
): Promise<ProposalRow[]> {
  let query = proposalQuery(db)
    .where('disposal_proposals.organisation_id', '=', organisationId)
    .where('disposal_proposals.status', 'in', ['proposed', 'approved']);
  if (subject?.type === 'person') query = query.where('disposal_proposals.person_id', '=', subject.id);
  if (subject?.type === 'incident') query = query.where('disposal_proposals.incident_id', '=', subject.id);
  return query.orderBy('disposal_proposals.proposed_at').execute();
}

export async function findProposal(
  trx: Executor,
  organisationId: string,
  id: string,
): Promise<ProposalRow | undefined> {
  return proposalQuery(trx)
    .where('disposal_proposals.organisation_id', '=', organisationId)
    .where('disposal_proposals.id', '=', id)
    .forUpdate('disposal_proposals')
    .executeTakeFirst();
}

export async function insertProposal(
  trx: Executor,
  proposal: {
    organisation_id: string;
    person_id: string | null;
    incident_id: string | null;
    kind: RecordKind;
    reason: string;
    proposed_by: string;
    proposed_at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('disposal_proposals')
    .values({ ...proposal, status: 'proposed' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function approveProposal(
  trx: Executor,
  id: string,
  approval: { approved_by: string; approved_at: Date },
): Promise<void> {
  await trx
    .updateTable('disposal_proposals')
    .set({ ...approval, status: 'approved' })
    .where('id', '=', id)
    .execute();
}

export async function markProposal(
  trx: Executor,
  id: string,
  change: { status: ProposalStatus } | { held_at: Date },
): Promise<void> {
  await trx.updateTable('disposal_proposals').set(change).where('id', '=', id).execute();
}

export async function withdrawProposal(
  trx: Executor,
  id: string,
  withdrawal: { withdrawn_by: string; withdrawn_at: Date; withdraw_reason: string },
): Promise<void> {
  await trx
    .updateTable('disposal_proposals')
    .set({ ...withdrawal, status: 'withdrawn' })
    .where('id', '=', id)
    .execute();
}

export async function approvedProposalIds(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('disposal_proposals')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'approved')
    .orderBy('approved_at')
    .execute();
  return rows.map((row) => row.id);
}

export async function countProposals(
  db: Executor,
  organisationId: string,
  status: ProposalStatus,
): Promise<number> {
  const row = await db
    .selectFrom('disposal_proposals')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organisation_id', '=', organisationId)
    .where('status', '=', status)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertDisposal(
  trx: Executor,
  disposal: {
    id: string;
    organisation_id: string;
    person_id: string | null;
    incident_id: string | null;
    proposal_id: string;
    kind: RecordKind;
    schedule_entry: string;
    proposed_by: string;
    approved_by: string;
    disposed_by_label: string;
    disposed_at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('disposals')
    .values({ ...disposal, schedule_entry: sql`${disposal.schedule_entry}::jsonb` })
    .execute();
}

/** Erases the person's records in the append-only tables through the owner's one path (ADR 0033). */
export async function erasePersonRecords(
  trx: Executor,
  erasure: { organisationId: string; personId: string; disposalId: string; at: Date },
): Promise<Record<string, number>> {
  const result = await sql<{ counts: Record<string, number> }>`
    SELECT retention_erase_person(${erasure.organisationId}::uuid, ${erasure.personId}::uuid,
      ${erasure.disposalId}::uuid, ${erasure.at}::timestamptz) AS counts`.execute(trx);
  return result.rows[0]?.counts ?? {};
}

/** Erases what an incident says through the owner's one path, for a disposal being carried out (ADR 0033). */
export async function eraseIncidentRecords(
  trx: Executor,
  erasure: { organisationId: string; incidentId: string; disposalId: string; at: Date },
): Promise<Record<string, number>> {
  const result = await sql<{ counts: Record<string, number> }>`
    SELECT retention_erase_incident(${erasure.organisationId}::uuid, ${erasure.incidentId}::uuid,
      ${erasure.disposalId}::uuid, ${erasure.at}::timestamptz) AS counts`.execute(trx);
  return result.rows[0]?.counts ?? {};
}

/**
 * The records under some sharing decisions, as the audit trail names them: the decisions, their
 * disclosures, advice, approvals and secure exchange packages. `decisionIds` is a query of one
 * column `id`. The one list of what hangs off a decision, for a disposal's erasure and for the audit
 * trail's person filter (oversight).
 */
export function decisionRecords(decisionIds: RawBuilder<unknown>): RawBuilder<{ type: string; id: string }> {
  return sql<{ type: string; id: string }>`
    WITH decisions AS (${decisionIds})
    SELECT 'sharing_decision' AS type, id::text AS id FROM decisions
    UNION ALL SELECT 'disclosure', x.id::text FROM disclosures x JOIN decisions d ON d.id = x.decision_id
    UNION ALL SELECT 'sharing_advice', a.id::text FROM sharing_advice_requests a JOIN decisions d ON d.id = a.decision_id
    UNION ALL SELECT 'sharing_approval', a.id::text FROM sharing_approvals a JOIN decisions d ON d.id = a.decision_id
    UNION ALL SELECT 'exchange_package', p.id::text FROM exchange_packages p JOIN decisions d ON d.id = p.decision_id`;
}

/**
 * The records a disposal erased, as the audit trail names them, for erasing their events' content:
 * consent records, and the sharing decisions with what hangs off them.
 */
export async function erasedEntities(
  trx: Executor,
  disposalId: string,
): Promise<{ type: string; id: string }[]> {
  const result = await sql<{ type: string; id: string }>`
    SELECT 'consent' AS type, row_id::text AS id FROM retention_erasures
      WHERE disposal_id = ${disposalId} AND table_name = 'consents'
    UNION ALL (${decisionRecords(
      sql`SELECT row_id AS id FROM retention_erasures WHERE disposal_id = ${disposalId} AND table_name = 'sharing_decisions'`,
    )})`.execute(trx);
  return result.rows;
}

export async function recordDisposalCounts(
  trx: Executor,
  id: string,
  counts: Record<string, number>,
): Promise<void> {
  await trx
    .updateTable('disposals')
    .set({ counts: sql`${JSON.stringify(counts)}::jsonb` })
    .where('id', '=', id)
    .execute();
}

export interface DisposalRow {
  readonly id: string;
  readonly person_id: string | null;
  readonly incident_id: string | null;
  readonly kind: RecordKind;
  readonly disposed_at: Date;
  readonly counts: Record<string, number>;
  readonly proposed_by_name: string;
  readonly approved_by_name: string;
}

export async function recentDisposals(
  db: Executor,
  organisationId: string,
  limit: number,
): Promise<DisposalRow[]> {
  return db
    .selectFrom('disposals')
    .innerJoin('users as proposer', 'proposer.id', 'disposals.proposed_by')
    .innerJoin('users as approver', 'approver.id', 'disposals.approved_by')
    .select([
      'disposals.id',
      'disposals.person_id',
      'disposals.incident_id',
      'disposals.kind',
      'disposals.disposed_at',
      'disposals.counts',
      'proposer.display_name as proposed_by_name',
      'approver.display_name as approved_by_name',
    ])
    .where('disposals.organisation_id', '=', organisationId)
    .orderBy('disposals.disposed_at', 'desc')
    .limit(limit)
    .execute();
}

/** Records the month's review for an organisation; false when it was recorded already (the job runs once a month). */
export async function recordReview(
  trx: Executor,
  review: {
    organisation_id: string;
    month: string;
    as_of: string;
    counts: string;
    notified: number;
    ran_at: Date;
  },
): Promise<boolean> {
  const rows = await trx
    .insertInto('retention_reviews')
    .values({ ...review, counts: sql`${review.counts}::jsonb` })
    .onConflict((oc) => oc.columns(['organisation_id', 'month']).doNothing())
    .returning('month')
    .execute();
  return rows.length > 0;
}

export async function reviewRecorded(db: Executor, organisationId: string, month: string): Promise<boolean> {
  const row = await db
    .selectFrom('retention_reviews')
    .select('month')
    .where('organisation_id', '=', organisationId)
    .where('month', '=', month)
    .executeTakeFirst();
  return row !== undefined;
}
