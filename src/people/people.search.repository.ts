import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';
import { personColumns, type PersonRow } from './people.repository.ts';

/** The SQL of person search: by similar name words, by date of birth, by identifier. */

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
