import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/client.ts';
import { decisionRecords } from '../retention/index.ts';

/**
 * The oversight read model (R6.1, R2.23): aggregates and organisation-wide lists over the sharing
 * decisions and the disclosure log. It reads their tables, never writes them, and decides no access:
 * the service hands it the organisation and, for a line manager, the team it may count. Every query
 * is scoped to one organisation and runs on an index (2026-12-04T1120_oversight_indexes).
 */
export interface OversightScope {
  readonly organisationId: string;
  /** London dates, yyyy-mm-dd, both inclusive. */
  readonly from: string;
  readonly to: string;
  readonly recipientOrganisationId: string | null;
  /** Only what these members of staff recorded or sent (a team); null for the whole organisation. */
  readonly staffIds: readonly string[] | null;
}

const startOf = (date: string) => sql`((${date}::date)::timestamp AT TIME ZONE 'Europe/London')`;
const endOf = (date: string) => sql`((${date}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`;

function staffClause(column: RawBuilder<unknown>, staffIds: readonly string[] | null): RawBuilder<unknown> {
  return staffIds === null ? sql`TRUE` : sql`${column} = ANY(${[...staffIds]}::uuid[])`;
}

/** Decisions whose recipients include the organisation (their answers name each recipient's organisation). */
function decisionRecipientClause(scope: OversightScope, alias: string): RawBuilder<unknown> {
  return scope.recipientOrganisationId === null
    ? sql`TRUE`
    : sql`${sql.ref(`${alias}.answers`)} -> 'recipients' -> 'recipients' @> ${JSON.stringify([{ organisationId: scope.recipientOrganisationId }])}::jsonb`;
}

/** One London month of a period: whole (read from the monthly counts) or a part (from the index). */
export interface PeriodMonth {
  readonly key: string;
  /** yyyy-mm-01. */
  readonly first: string;
  readonly whole: boolean;
  /** The part of the month inside the period, as instants. */
  readonly from: Date;
  readonly to: Date;
}

export interface DisclosureCount {
  readonly month: string;
  readonly method: string;
  readonly recipient: string;
  readonly recipient_name: string | null;
  readonly count: number;
}

/**
 * The period's disclosures counted by London month, method and recipient organisation: whole months
 * from oversight_disclosure_months (kept by the insert that logs each disclosure), the part months at
 * either end from an index-only scan of disclosures_oversight_idx.
 */
export async function disclosureCounts(
  db: Executor,
  scope: OversightScope,
  months: readonly PeriodMonth[],
): Promise<DisclosureCount[]> {
  const recipientClause = (column: RawBuilder<unknown>) =>
    scope.recipientOrganisationId === null ? sql`TRUE` : sql`${column} = ${scope.recipientOrganisationId}`;
  const whole = months.filter((month) => month.whole).map((month) => month.first);
  const parts = months.filter((month) => !month.whole);
  const [counted, ...partCounts] = await Promise.all([
    whole.length === 0
      ? Promise.resolve([])
      : sql<{
          month: string;
          method: string;
          recipient: string;
          recipient_name: string | null;
          count: string;
        }>`
          WITH counted AS (
            SELECT to_char(m.month, 'YYYY-MM') AS month, m.method, m.recipient_organisation_id AS recipient,
                   sum(m.disclosures) AS count
            FROM oversight_disclosure_months m
            WHERE m.organisation_id = ${scope.organisationId} AND m.month = ANY(${whole}::date[])
              AND ${recipientClause(sql`m.recipient_organisation_id`)}
              AND ${staffClause(sql`m.disclosed_by`, scope.staffIds)}
            GROUP BY 1, 2, 3
          )
          SELECT counted.*, o.name AS recipient_name FROM counted LEFT JOIN organisations o ON o.id = counted.recipient`
          .execute(db)
          .then((result) => result.rows),
    ...parts.map((part) =>
      sql<{ method: string; recipient: string; recipient_name: string | null; count: string }>`
        WITH counted AS (
          SELECT d.method, d.recipient_organisation_id AS recipient, count(*) AS count
          FROM disclosures d
          WHERE d.organisation_id = ${scope.organisationId}
            AND d.disclosed_at >= ${part.from} AND d.disclosed_at < ${part.to}
            AND ${recipientClause(sql`d.recipient_organisation_id`)}
            AND ${staffClause(sql`d.disclosed_by`, scope.staffIds)}
          GROUP BY 1, 2
        )
        SELECT counted.*, o.name AS recipient_name FROM counted LEFT JOIN organisations o ON o.id = counted.recipient`
        .execute(db)
        .then((result) => result.rows.map((row) => ({ ...row, month: part.key }))),
    ),
  ]);
  return [...counted, ...partCounts.flat()].map((row) => ({
    month: row.month,
    method: row.method,
    recipient: row.recipient,
    recipient_name: row.recipient_name,
    count: Number(row.count),
  }));
}

/** Recorded shares made without the consent that covers them (R2.20), counted by their Article 6 basis. */
export async function withoutConsentByBasis(
  db: Executor,
  scope: OversightScope,
): Promise<{ basis: string | null; count: number }[]> {
  const result = await sql<{ basis: string | null; count: string }>`
    SELECT d.answers -> 'lawfulBasis' ->> 'article6' AS basis, count(*) AS count
    FROM sharing_decisions d
    WHERE d.organisation_id = ${scope.organisationId}
      AND d.status = 'recorded' AND d.outcome IN ('share', 'share-in-part')
      AND (d.assessment ->> 'withoutConsent') = 'true'
      AND d.recorded_at >= ${startOf(scope.from)} AND d.recorded_at < ${endOf(scope.to)}
      AND ${staffClause(sql`d.recorded_by`, scope.staffIds)}
      AND ${decisionRecipientClause(scope, 'd')}
    GROUP BY 1
    ORDER BY 2 DESC, 1`.execute(db);
  return result.rows.map((row) => ({ basis: row.basis, count: Number(row.count) }));
}

/**
 * Sends refused, by reason: decisions recorded not to share, by each reason from the pack they gave
 * (R2.10), and approvals refused (R2.16, R2.20), by the kind of approval.
 */
export async function refusalsByReason(
  db: Executor,
  scope: OversightScope,
): Promise<{ kind: 'not-share' | 'approval'; reason: string; count: number }[]> {
  const result = await sql<{ kind: 'not-share' | 'approval'; reason: string; count: string }>`
    SELECT 'not-share' AS kind, reason, count(*) AS count
    FROM sharing_decisions d
    CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(d.answers -> 'outcome' -> 'notShareReasonIds', '[]'::jsonb)) AS reason
    WHERE d.organisation_id = ${scope.organisationId}
      AND d.status = 'recorded' AND d.outcome = 'not-share'
      AND d.recorded_at >= ${startOf(scope.from)} AND d.recorded_at < ${endOf(scope.to)}
      AND ${staffClause(sql`d.recorded_by`, scope.staffIds)}
      AND ${decisionRecipientClause(scope, 'd')}
    GROUP BY reason
    UNION ALL
    SELECT 'approval' AS kind, a.kind AS reason, count(*) AS count
    FROM sharing_approvals a
    JOIN sharing_decisions d ON d.id = a.decision_id
    WHERE a.organisation_id = ${scope.organisationId} AND a.status = 'refused'
      AND a.decided_at >= ${startOf(scope.from)} AND a.decided_at < ${endOf(scope.to)}
      AND ${staffClause(sql`d.started_by`, scope.staffIds)}
      AND ${decisionRecipientClause(scope, 'd')}
    GROUP BY a.kind
    ORDER BY count DESC, reason`.execute(db);
  return result.rows.map((row) => ({ kind: row.kind, reason: row.reason, count: Number(row.count) }));
}

/** What waits for action across the organisation: overdue consent reviews and receipts, approvals waiting. */
export async function actionCounts(
  db: Executor,
  organisationId: string,
  today: string,
): Promise<{ consentReviewsOverdue: number; receiptsOverdue: number; approvalsWaiting: number }> {
  const result = await sql<{ reviews: string; receipts: string; approvals: string }>`
    SELECT
      (SELECT count(*) FROM consents WHERE organisation_id = ${organisationId}
         AND status IN ('given', 'refused', 'not_sought') AND review_on < ${today}::date) AS reviews,
      (SELECT count(*) FROM disclosures WHERE organisation_id = ${organisationId}
         AND receipt_due_on IS NOT NULL AND receipt_confirmed_at IS NULL AND receipt_due_on < ${today}::date) AS receipts,
      (SELECT count(*) FROM sharing_approvals WHERE organisation_id = ${organisationId} AND status = 'pending') AS approvals`.execute(
    db,
  );
  const row = result.rows[0];
  return {
    consentReviewsOverdue: Number(row?.reviews ?? 0),
    receiptsOverdue: Number(row?.receipts ?? 0),
    approvalsWaiting: Number(row?.approvals ?? 0),
  };
}

/** The lists' filters beyond the scope: who recorded it, on what basis, with or without consent, about whom. */
export interface ListFilter {
  readonly practitionerId: string | null;
  readonly lawfulBasis: string | null;
  readonly consent: 'with' | 'without' | null;
  /** Decisions about this person (sharing_decision_people_person_idx). */
  readonly personId: string | null;
}

function listClauses(filter: ListFilter, alias: string): RawBuilder<unknown>[] {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const clauses: RawBuilder<unknown>[] = [];
  if (filter.practitionerId !== null) clauses.push(sql`${column('recorded_by')} = ${filter.practitionerId}`);
  if (filter.lawfulBasis !== null)
    clauses.push(sql`${column('answers')} -> 'lawfulBasis' ->> 'article6' = ${filter.lawfulBasis}`);
  if (filter.consent !== null)
    clauses.push(
      filter.consent === 'without'
        ? sql`(${column('assessment')} ->> 'withoutConsent') = 'true'`
        : sql`coalesce(${column('assessment')} ->> 'withoutConsent', 'false') <> 'true'`,
    );
  if (filter.personId !== null)
    clauses.push(sql`EXISTS (
      SELECT 1 FROM sharing_decision_people dp
      WHERE dp.person_id = ${filter.personId} AND dp.decision_id = ${column('id')})`);
  return clauses;
}

/** The lists count what matches up to this many: beyond it, "more than 10,000". */
export const listCountLimit = 10_000;
const countLimit = listCountLimit + 1;

export interface DecisionListRow {
  readonly id: string;
  readonly reference: string;
  readonly recorded_at: Date;
  readonly outcome: string;
  readonly recorded_by: string | null;
  readonly recorded_by_name: string | null;
  readonly lawful_basis: string | null;
  readonly without_consent: boolean;
  readonly recipient_organisation_ids: string[];
  readonly people: number;
  readonly person_ids: string[];
  readonly disclosures: number;
  readonly total: number;
}

/** A page of the organisation's recorded decisions, newest first, with the total that match. */
export async function decisionsPage(
  db: Executor,
  scope: OversightScope,
  filter: ListFilter,
  page: { readonly limit: number; readonly offset: number },
): Promise<DecisionListRow[]> {
  const clauses = listClauses(filter, 'd');
  // The page's rows are found on the index first; only those 50 read their people, recipients and
  // disclosures. The total is counted up to a limit, so a page costs the same however many match.
  const result = await sql<DecisionListRow>`
    WITH matching AS NOT MATERIALIZED (
      SELECT d.id, d.recorded_at FROM sharing_decisions d
      WHERE d.organisation_id = ${scope.organisationId} AND d.status = 'recorded'
        AND d.recorded_at >= ${startOf(scope.from)} AND d.recorded_at < ${endOf(scope.to)}
        AND ${staffClause(sql`d.recorded_by`, scope.staffIds)}
        AND ${decisionRecipientClause(scope, 'd')}
        ${clauses.length === 0 ? sql`` : sql`AND ${sql.join(clauses, sql` AND `)}`}
    ),
    shown AS (
      SELECT id, recorded_at FROM matching ORDER BY recorded_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}
    )
    SELECT d.id, d.reference, d.recorded_at, d.outcome, d.recorded_by, u.display_name AS recorded_by_name,
           d.answers -> 'lawfulBasis' ->> 'article6' AS lawful_basis,
           coalesce((d.assessment ->> 'withoutConsent')::boolean, false) AS without_consent,
           coalesce(ARRAY(SELECT DISTINCT r ->> 'organisationId' FROM jsonb_array_elements(coalesce(d.answers -> 'recipients' -> 'recipients', '[]'::jsonb)) r), '{}') AS recipient_organisation_ids,
           (SELECT count(*)::int FROM sharing_decision_people dp WHERE dp.decision_id = d.id) AS people,
           ARRAY(SELECT dp.person_id::text FROM sharing_decision_people dp WHERE dp.decision_id = d.id ORDER BY dp.person_id LIMIT 5) AS person_ids,
           (SELECT count(*)::int FROM disclosures x WHERE x.decision_id = d.id) AS disclosures,
           (SELECT count(*)::int FROM (SELECT 1 FROM matching LIMIT ${countLimit}) AS counted) AS total
    FROM shown JOIN sharing_decisions d ON d.id = shown.id
    LEFT JOIN users u ON u.id = d.recorded_by
    ORDER BY shown.recorded_at DESC, shown.id DESC`.execute(db);
  return result.rows;
}

export interface DisclosureListRow {
  readonly id: string;
  readonly decision_id: string;
  readonly reference: string;
  readonly disclosed_at: Date;
  readonly method: string;
  readonly recipient_name: string;
  readonly recipient_role: string;
  readonly recipient_organisation_name: string | null;
  readonly disclosed_by_name: string | null;
  readonly lawful_basis: string | null;
  readonly without_consent: boolean;
  readonly receipt_confirmed_at: Date | null;
  readonly receipt_due_on: string | null;
  readonly person_ids: string[];
  readonly people: number;
  readonly total: number;
}

/** A page of the organisation's disclosures, newest first, each with its decision's basis and consent. */
export async function disclosuresPage(
  db: Executor,
  scope: OversightScope,
  filter: ListFilter,
  page: { readonly limit: number; readonly offset: number },
): Promise<DisclosureListRow[]> {
  const clauses = listClauses({ ...filter, practitionerId: null }, 'd');
  const result = await sql<DisclosureListRow>`
    WITH matching AS NOT MATERIALIZED (
      SELECT x.id, x.disclosed_at FROM disclosures x
      JOIN sharing_decisions d ON d.id = x.decision_id
      WHERE x.organisation_id = ${scope.organisationId}
        AND x.disclosed_at >= ${startOf(scope.from)} AND x.disclosed_at < ${endOf(scope.to)}
        AND ${scope.recipientOrganisationId === null ? sql`TRUE` : sql`x.recipient_organisation_id = ${scope.recipientOrganisationId}`}
        AND ${staffClause(sql`x.disclosed_by`, scope.staffIds)}
        ${filter.practitionerId === null ? sql`` : sql`AND x.disclosed_by = ${filter.practitionerId}`}
        ${clauses.length === 0 ? sql`` : sql`AND ${sql.join(clauses, sql` AND `)}`}
    ),
    shown AS (
      SELECT id, disclosed_at FROM matching ORDER BY disclosed_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}
    )
    SELECT x.id, x.decision_id, d.reference, x.disclosed_at, x.method, x.recipient_name, x.recipient_role,
           o.name AS recipient_organisation_name, u.display_name AS disclosed_by_name,
           d.answers -> 'lawfulBasis' ->> 'article6' AS lawful_basis,
           coalesce((d.assessment ->> 'withoutConsent')::boolean, false) AS without_consent,
           x.receipt_confirmed_at, to_char(x.receipt_due_on, 'YYYY-MM-DD') AS receipt_due_on,
           ARRAY(SELECT dp.person_id::text FROM sharing_decision_people dp WHERE dp.decision_id = d.id ORDER BY dp.person_id LIMIT 5) AS person_ids,
           (SELECT count(*)::int FROM sharing_decision_people dp WHERE dp.decision_id = d.id) AS people,
           (SELECT count(*)::int FROM (SELECT 1 FROM matching LIMIT ${countLimit}) AS counted) AS total
    FROM shown JOIN disclosures x ON x.id = shown.id
    JOIN sharing_decisions d ON d.id = x.decision_id
    LEFT JOIN organisations o ON o.id = x.recipient_organisation_id
    LEFT JOIN users u ON u.id = x.disclosed_by
    ORDER BY shown.disclosed_at DESC, shown.id DESC`.execute(db);
  return result.rows;
}

/**
 * The records about a person whose audit events name them only in their change, as the audit trail
 * names them: the decisions about them (alone or with others) and what hangs off those decisions
 * (`decisionRecords`). For the trail's person filter.
 */
export async function recordsAbout(
  db: Executor,
  organisationId: string,
  personId: string,
): Promise<{ type: string; id: string }[]> {
  const result = await decisionRecords(
    sql`SELECT dp.decision_id AS id FROM sharing_decision_people dp
        WHERE dp.person_id = ${personId}::uuid AND dp.organisation_id = ${organisationId}::uuid`,
  ).execute(db);
  return result.rows;
}

/** The names of people, by id, in one organisation: for viewers who may open every record there. */
export async function personNames(
  db: Executor,
  organisationId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('people')
    .select(['id', 'given_names', 'family_name'])
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, `${row.given_names} ${row.family_name}`]));
}

export interface AccessReasonRow {
  readonly occurred_at: Date;
  readonly actor_label: string;
  readonly action: string;
  readonly person_id: string | null;
  readonly reason: string | null;
}

/**
 * Why members of a team opened records: their break-glass reasons and the reasons their reads of a
 * person's record recorded, newest first (audit_events_actor_idx ends in the time).
 */
export async function accessReasons(
  db: Executor,
  organisationId: string,
  staffIds: readonly string[],
  period: { readonly from: string; readonly to: string },
  limit: number,
): Promise<AccessReasonRow[]> {
  if (staffIds.length === 0) return [];
  const result = await sql<AccessReasonRow>`
    SELECT occurred_at, actor_label, action, person_id, coalesce(change ->> 'reason', change ->> 'basis') AS reason
    FROM audit_events
    WHERE organisation_id = ${organisationId}
      AND actor_user_id = ANY(${[...staffIds]}::uuid[])
      AND action IN ('person.break_glass', 'person.viewed')
      AND occurred_at >= ${startOf(period.from)} AND occurred_at < ${endOf(period.to)}
    ORDER BY occurred_at DESC, seq DESC
    LIMIT ${limit}`.execute(db);
  return result.rows;
}

/** The organisation's line managers (the team filter) and its staff (the practitioner filter). */
export async function organisationStaff(
  db: Executor,
  organisationId: string,
): Promise<{ id: string; display_name: string; line_manager_id: string | null }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'line_manager_id'])
    .where('organisation_id', '=', organisationId)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}
