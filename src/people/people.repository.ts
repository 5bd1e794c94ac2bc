import { sql, type Transaction } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { PersonDetails } from './people.schema.ts';
import type { Relationship } from './people.table.ts';

/** All SQL of the people capability. Functions take a database handle or an open transaction. */

export const personColumns = [
  'people.id',
  'people.organisation_id',
  'people.given_names',
  'people.family_name',
  'people.known_as',
  'people.date_of_birth',
  'people.nhs_number',
  'people.local_reference',
] as const;

export interface PersonRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly given_names: string;
  readonly family_name: string;
  readonly known_as: string | null;
  readonly date_of_birth: string | null;
  readonly nhs_number: string | null;
  readonly local_reference: string | null;
}

export interface PersonRecordRow extends PersonRow {
  readonly upn: string | null;
  readonly external_id: string | null;
  readonly address_line1: string | null;
  readonly address_line2: string | null;
  readonly town: string | null;
  readonly postcode: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

function detailColumns(details: PersonDetails) {
  return {
    given_names: details.givenNames,
    family_name: details.familyName,
    known_as: details.knownAs,
    date_of_birth: details.dateOfBirth,
    nhs_number: details.nhsNumber,
    local_reference: details.localReference,
    upn: details.upn,
    external_id: details.externalId,
    address_line1: details.addressLine1,
    address_line2: details.addressLine2,
    town: details.town,
    postcode: details.postcode,
  };
}

export async function insertPerson(
  db: Executor,
  organisationId: string,
  details: PersonDetails,
  now: Date,
): Promise<string> {
  const row = await db
    .insertInto('people')
    .values({ organisation_id: organisationId, ...detailColumns(details), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePerson(
  db: Executor,
  personId: string,
  details: PersonDetails,
  now: Date,
): Promise<void> {
  await db
    .updateTable('people')
    .set({ ...detailColumns(details), updated_at: now })
    .where('id', '=', personId)
    .execute();
}

export async function findPerson(db: Executor, personId: string): Promise<PersonRow | undefined> {
  return db.selectFrom('people').select(personColumns).where('people.id', '=', personId).executeTakeFirst();
}

export async function findPersonRecord(
  db: Executor,
  personId: string,
  lock = false,
): Promise<PersonRecordRow | undefined> {
  let query = db
    .selectFrom('people')
    .select([
      ...personColumns,
      'people.upn',
      'people.external_id',
      'people.address_line1',
      'people.address_line2',
      'people.town',
      'people.postcode',
      'people.created_at',
      'people.updated_at',
    ])
    .where('people.id', '=', personId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function peopleByIds(
  db: Executor,
  organisationId: string,
  ids: readonly string[],
): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('people')
    .select(personColumns)
    .where('people.organisation_id', '=', organisationId)
    .where('people.id', 'in', ids)
    .execute();
}

/** Who the viewer's access to people's records flows from: themselves, and their direct reports when a manager. */
export async function directReports(
  db: Executor,
  managerId: string,
): Promise<
  { id: string; display_name: string; roles: string[]; active: boolean; organisation_id: string }[]
> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'roles', 'active', 'organisation_id'])
    .where('line_manager_id', '=', managerId)
    .orderBy('display_name')
    .execute();
}

export type OpeningBasis = 'allocated' | 'team' | 'family-member' | 'break-glass';

/**
 * Everyone in the viewer's organisation whose record an open allocation to the viewer, to one of
 * their team, a one-step family relationship to someone allocated to either, or an unexpired reason
 * for access lets the viewer open, with each basis found. A caseload's worth of rows: it does not
 * grow with the organisation.
 */
export async function openablePeople(
  db: Executor,
  viewer: { readonly userId: string; readonly organisationId: string; readonly withTeam: boolean },
  now: Date,
): Promise<{ id: string; basis: OpeningBasis }[]> {
  // The caseholders: the viewer, and (for a line manager) their direct reports in the organisation.
  const result = await sql<{ id: string; basis: OpeningBasis }>`
    WITH caseholders AS MATERIALIZED (
      SELECT ${viewer.userId}::uuid AS id
      UNION ALL
      SELECT u.id FROM users AS u WHERE ${viewer.withTeam} AND u.line_manager_id = ${viewer.userId} AND u.organisation_id = ${viewer.organisationId}
    ),
    open_allocations AS MATERIALIZED (
      SELECT a.person_id, a.user_id FROM allocations AS a
      WHERE a.user_id IN (SELECT id FROM caseholders) AND a.ended_at IS NULL AND a.organisation_id = ${viewer.organisationId}
    )
    SELECT person_id AS id, CASE WHEN user_id = ${viewer.userId} THEN 'allocated' ELSE 'team' END AS basis FROM open_allocations
    UNION ALL
    SELECT r.related_person_id, 'family-member' FROM open_allocations AS a JOIN person_relationships AS r ON r.person_id = a.person_id
    UNION ALL
    SELECT r.person_id, 'family-member' FROM open_allocations AS a JOIN person_relationships AS r ON r.related_person_id = a.person_id
    UNION ALL
    SELECT b.person_id, 'break-glass' FROM break_glass_access AS b
    WHERE b.user_id = ${viewer.userId} AND b.expires_at > ${now} AND b.organisation_id = ${viewer.organisationId}`.execute(
    db,
  );
  return result.rows;
}

export async function latestGrantExpiry(
  db: Executor,
  userId: string,
  personId: string,
  now: Date,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('break_glass_access')
    .select((eb) => eb.fn.max('expires_at').as('expires_at'))
    .where('user_id', '=', userId)
    .where('person_id', '=', personId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.expires_at ?? undefined;
}

export interface RelationshipRow {
  readonly id: string;
  /** True when this person is the row's `person_id` (the relative is their <relationship>). */
  readonly forward: boolean;
  readonly relationship: Relationship;
  readonly parental_responsibility: boolean;
  readonly relative: PersonRow;
}

/** Everyone one step from the person, in either direction. */
export async function relationshipsOf(db: Executor, personId: string): Promise<RelationshipRow[]> {
  const [forward, reverse] = await Promise.all([
    db
      .selectFrom('person_relationships as r')
      .innerJoin('people', 'people.id', 'r.related_person_id')
      .select(['r.id as relationship_id', 'r.relationship', 'r.parental_responsibility', ...personColumns])
      .where('r.person_id', '=', personId)
      .execute(),
    db
      .selectFrom('person_relationships as r')
      .innerJoin('people', 'people.id', 'r.person_id')
      .select(['r.id as relationship_id', 'r.relationship', 'r.parental_responsibility', ...personColumns])
      .where('r.related_person_id', '=', personId)
      .execute(),
  ]);
  const toRow =
    (forwardRow: boolean) =>
    (row: (typeof forward)[number]): RelationshipRow => ({
      id: row.relationship_id,
      forward: forwardRow,
      relationship: row.relationship,
      parental_responsibility: row.parental_responsibility,
      relative: {
        id: row.id,
        organisation_id: row.organisation_id,
        given_names: row.given_names,
        family_name: row.family_name,
        known_as: row.known_as,
        date_of_birth: row.date_of_birth,
        nhs_number: row.nhs_number,
        local_reference: row.local_reference,
      },
    });
  return [...forward.map(toRow(true)), ...reverse.map(toRow(false))];
}

export async function linked(db: Executor, personId: string, otherId: string): Promise<boolean> {
  const row = await db
    .selectFrom('person_relationships')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('person_id', '=', personId), eb('related_person_id', '=', otherId)]),
        eb.and([eb('person_id', '=', otherId), eb('related_person_id', '=', personId)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertRelationship(
  db: Executor,
  relationship: {
    organisationId: string;
    personId: string;
    relatedPersonId: string;
    relationship: Relationship;
    parentalResponsibility: boolean;
  },
  now: Date,
): Promise<string> {
  const row = await db
    .insertInto('person_relationships')
    .values({
      organisation_id: relationship.organisationId,
      person_id: relationship.personId,
      related_person_id: relationship.relatedPersonId,
      relationship: relationship.relationship,
      parental_responsibility: relationship.parentalResponsibility,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** People of the organisation with this NHS number or case reference (exact). */
export async function peopleByIdentifier(
  db: Executor,
  organisationId: string,
  identifier: { nhsNumber: string | null; reference: string },
): Promise<PersonRow[]> {
  return db
    .selectFrom('people')
    .select(personColumns)
    .where('people.organisation_id', '=', organisationId)
    .where((eb) => {
      const byReference = eb('people.local_reference', 'in', [
        ...new Set([identifier.reference, identifier.reference.toUpperCase()]),
      ]);
      return identifier.nhsNumber === null
        ? byReference
        : eb.or([eb('people.nhs_number', '=', identifier.nhsNumber), byReference]);
    })
    .limit(10)
    .execute();
}

export interface AllocationRow {
  readonly id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly line_manager_id: string | null;
  readonly started_at: Date;
  readonly ended_at: Date | null;
}

export async function allocationsOf(db: Executor, personId: string): Promise<AllocationRow[]> {
  return db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'a.started_at',
      'a.ended_at',
    ])
    .where('a.person_id', '=', personId)
    .orderBy('a.ended_at', (order) => order.desc().nullsFirst())
    .orderBy('a.started_at', 'desc')
    .limit(50)
    .execute();
}

export async function insertAllocation(
  db: Executor,
  allocation: { organisationId: string; personId: string; userId: string },
  now: Date,
): Promise<string> {
  const row = await db
    .insertInto('allocations')
    .values({
      organisation_id: allocation.organisationId,
      person_id: allocation.personId,
      user_id: allocation.userId,
      started_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function lockOpenAllocation(
  db: Executor,
  personId: string,
  allocationId: string,
): Promise<AllocationRow | undefined> {
  return db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'a.started_at',
      'a.ended_at',
    ])
    .where('a.id', '=', allocationId)
    .where('a.person_id', '=', personId)
    .where('a.ended_at', 'is', null)
    .forUpdate('a')
    .executeTakeFirst();
}

export async function endAllocation(db: Executor, allocationId: string, now: Date): Promise<void> {
  await db
    .updateTable('allocations')
    .set({ ended_at: now })
    .where('id', '=', allocationId)
    .where('ended_at', 'is', null)
    .execute();
}

export async function staffMember(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'organisation_id', 'line_manager_id', 'roles', 'active'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export interface CaseloadRow extends PersonRow {
  readonly allocation_id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly started_at: Date;
}

/** People with an open allocation to any of these members of staff. */
export async function caseload(
  db: Executor,
  organisationId: string,
  userIds: readonly string[],
  limit: number,
): Promise<CaseloadRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('allocations as a')
    .innerJoin('people', 'people.id', 'a.person_id')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select([
      ...personColumns,
      'a.id as allocation_id',
      'a.user_id',
      'u.display_name as user_name',
      'a.started_at',
    ])
    .where('a.user_id', 'in', userIds)
    .where('a.ended_at', 'is', null)
    .where('people.organisation_id', '=', organisationId)
    .orderBy('people.family_name')
    .orderBy('people.given_names')
    .orderBy('u.display_name')
    .limit(limit)
    .execute();
}

export async function allocatedPeopleIds(db: Executor, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('allocations')
    .select('person_id')
    .distinct()
    .where('user_id', 'in', userIds)
    .where('ended_at', 'is', null)
    .execute();
  return rows.map((row) => row.person_id);
}

export async function insertGrant(
  db: Executor,
  grant: {
    organisationId: string;
    personId: string;
    userId: string;
    reason: string;
    grantedAt: Date;
    expiresAt: Date;
  },
): Promise<string> {
  const row = await db
    .insertInto('break_glass_access')
    .values({
      organisation_id: grant.organisationId,
      person_id: grant.personId,
      user_id: grant.userId,
      reason: grant.reason,
      granted_at: grant.grantedAt,
      expires_at: grant.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The active Data Protection Officers of an organisation. */
export async function dataProtectionOfficers(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('active', '=', true)
    .where(sql<boolean>`roles @> ARRAY['dpo']::text[]`)
    .execute();
  return rows.map((row) => row.id);
}

export interface GrantRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly person_id: string;
  readonly user_id: string;
  readonly user_name: string;
  readonly line_manager_id: string | null;
  readonly reason: string;
  readonly granted_at: Date;
  readonly expires_at: Date;
  readonly reviewed_at: Date | null;
  readonly reviewer_name: string | null;
}

/** Reasons for access with who gave them and who reviewed them. */
function grantsQuery(db: Executor) {
  return db
    .selectFrom('break_glass_access as b')
    .innerJoin('users as u', 'u.id', 'b.user_id')
    .leftJoin('users as reviewer', 'reviewer.id', 'b.reviewed_by')
    .select([
      'b.id',
      'b.organisation_id',
      'b.person_id',
      'b.user_id',
      'u.display_name as user_name',
      'u.line_manager_id',
      'b.reason',
      'b.granted_at',
      'b.expires_at',
      'b.reviewed_at',
      'reviewer.display_name as reviewer_name',
    ]);
}

/** Reasons for access to review: the organisation's (a DPO), or those of the manager's direct reports. Unreviewed first. */
export async function grantsForReview(
  db: Executor,
  organisationId: string,
  scope: 'organisation' | { readonly managerId: string },
  limit: number,
): Promise<GrantRow[]> {
  let query = grantsQuery(db).where('b.organisation_id', '=', organisationId);
  if (scope !== 'organisation') query = query.where('u.line_manager_id', '=', scope.managerId);
  return query
    .orderBy(sql`b.reviewed_at IS NULL`, 'desc')
    .orderBy('b.granted_at', 'desc')
    .limit(limit)
    .execute();
}

export async function lockGrant(trx: Transaction<Database>, grantId: string): Promise<GrantRow | undefined> {
  return grantsQuery(trx).where('b.id', '=', grantId).forUpdate('b').executeTakeFirst();
}

export async function markGrantReviewed(
  db: Executor,
  grantId: string,
  reviewerId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('break_glass_access')
    .set({ reviewed_by: reviewerId, reviewed_at: now })
    .where('id', '=', grantId)
    .where('reviewed_at', 'is', null)
    .execute();
}

// ---- Search ----------------------------------------------------------------------------------

/** Known words kept per typed word (the closest). */
export const similarWordsPerWord = 10;

export interface SimilarWord {
  /** Which typed word (0-based) it is similar to. */
  readonly index: number;
  readonly typed: string;
  readonly word: string | null;
  readonly score: number;
}

/**
 * The typed words (normalised as the database normalises names) and, for each, the organisation's
 * closest name words by trigram word similarity (the migration's `people_similar_words`).
 */
export async function similarWords(
  db: Executor,
  organisationId: string,
  query: string,
  maxWords: number,
): Promise<SimilarWord[]> {
  const result = await sql<{
    typed_index: number;
    typed_word: string;
    known_word: string | null;
    known_score: number | null;
  }>`
    SELECT typed_index, typed_word, known_word, known_score FROM people_similar_words(${organisationId}::uuid, ${query}, ${maxWords}::integer, ${similarWordsPerWord}::integer)`.execute(
    db,
  );
  return result.rows.map((row) => ({
    index: row.typed_index,
    typed: row.typed_word,
    word: row.known_word,
    score: row.known_score ?? 0,
  }));
}

export interface CandidateRow extends PersonRow {
  readonly search_keys: string[];
}

/**
 * People whose names hold a word of each set, driven tier by tier through `driving` (closest word
 * first), so that when many match, the closest spellings are the ones kept. Every key carries the
 * organisation id, and the organisation is checked again.
 */
export function peopleWithWordsQuery(
  organisationId: string,
  driving: readonly string[],
  others: readonly (readonly string[])[],
  options: { readonly perTier: number; readonly limit: number; readonly dateOfBirth: string | null },
) {
  const conditions = others.map((keys) => sql`AND p.search_keys && ${sql.val([...keys])}::text[]`);
  const birth =
    options.dateOfBirth === null ? sql`` : sql`AND p.date_of_birth = ${options.dateOfBirth}::date`;
  // The organisation is checked outside the tier: inside, the planner would AND the GIN lookup with a
  // bitmap of the whole organisation (200,000 rows) from its B-tree index, for nothing.
  return sql<CandidateRow>`
    SELECT candidate.* FROM unnest(${sql.val([...driving])}::text[]) AS tier (key)
    CROSS JOIN LATERAL (
      SELECT p.id, p.organisation_id, p.given_names, p.family_name, p.known_as, p.date_of_birth, p.nhs_number, p.local_reference, p.search_keys
      FROM people AS p
      WHERE p.search_keys @> ARRAY[tier.key] ${sql.join(conditions, sql` `)} ${birth}
      LIMIT ${options.perTier}
    ) AS candidate
    WHERE candidate.organisation_id = ${organisationId}
    LIMIT ${options.limit}`;
}

export async function peopleWithWords(
  db: Executor,
  organisationId: string,
  driving: readonly string[],
  others: readonly (readonly string[])[],
  options: { readonly perTier: number; readonly limit: number; readonly dateOfBirth: string | null },
): Promise<CandidateRow[]> {
  return (await peopleWithWordsQuery(organisationId, driving, others, options).execute(db)).rows;
}

/** People born on that day, matched by name words when some are given (any set, each). */
export async function peopleBornOn(
  db: Executor,
  organisationId: string,
  dateOfBirth: string,
  wordSets: readonly (readonly string[])[],
  limit: number,
): Promise<CandidateRow[]> {
  let query = db
    .selectFrom('people')
    .select([...personColumns, 'people.search_keys'])
    .where('people.organisation_id', '=', organisationId)
    .where('people.date_of_birth', '=', dateOfBirth);
  for (const keys of wordSets)
    query = query.where(sql<boolean>`people.search_keys && ${sql.val([...keys])}::text[]`);
  return query.orderBy('people.family_name').orderBy('people.given_names').limit(limit).execute();
}

/** People with the identifier: NHS number, UPN or case reference (exact), optionally born on a day. */
export async function peopleWithIdentifier(
  db: Executor,
  organisationId: string,
  identifier: {
    readonly nhsNumber: string | null;
    readonly upn: string | null;
    readonly references: readonly string[];
  },
  dateOfBirth: string | null,
  limit: number,
): Promise<PersonRow[]> {
  let query = db
    .selectFrom('people')
    .select(personColumns)
    .where('people.organisation_id', '=', organisationId)
    .where((eb) => {
      const alternatives = [eb('people.local_reference', 'in', [...identifier.references])];
      if (identifier.nhsNumber !== null)
        alternatives.push(eb('people.nhs_number', '=', identifier.nhsNumber));
      if (identifier.upn !== null) alternatives.push(eb('people.upn', '=', identifier.upn));
      return eb.or(alternatives);
    });
  if (dateOfBirth !== null) query = query.where('people.date_of_birth', '=', dateOfBirth);
  return query.orderBy('people.family_name').orderBy('people.given_names').limit(limit).execute();
}
