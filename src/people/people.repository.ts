import type { Transaction } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { PersonDetails } from './people.schema.ts';
import type { Relationship } from './people.table.ts';

/**
 * The SQL of people's records and their relationships, and the few facts about staff that
 * need-to-know turns on. Functions take a database handle or an open transaction. Allocations,
 * reasons for access and search have their own repositories beside this one.
 */

/** An open transaction: what a change and its audit event are written in together (invariant 2). */
export type PeopleTransaction = Transaction<Database>;

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

/** The names of everyone one step from any of these people, either direction: one statement. */
export async function relativeNames(
  db: Executor,
  personIds: readonly string[],
): Promise<{ given_names: string; family_name: string; known_as: string | null }[]> {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('people')
    .select(['given_names', 'family_name', 'known_as'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('person_relationships')
        .select('related_person_id as id')
        .where('person_id', 'in', [...personIds])
        .union(
          eb
            .selectFrom('person_relationships')
            .select('person_id as id')
            .where('related_person_id', 'in', [...personIds]),
        ),
    )
    .execute();
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
