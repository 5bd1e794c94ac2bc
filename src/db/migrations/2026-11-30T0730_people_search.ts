import { sql, type Kysely } from 'kysely';

/**
 * Fast, typo-tolerant name search scoped to one organisation (measured in bench/people-search.ts).
 *
 * A trigram index over whole names has to recheck every candidate row with word_similarity, and a
 * common first name matches thousands of rows in a large council: too slow. Instead:
 * - `people_name_vocabulary` holds each organisation's distinct name words (a few thousand rows
 *   however many people), with a trigram index: a typed word is matched to similar, or longer
 *   ("kowal" -> "kowalski"), known words in well under a millisecond;
 * - `people.search_keys` holds the person's name words prefixed with their organisation's id, with
 *   a GIN index: the people whose names contain those words are then found by exact keys, and a
 *   key's posting list only ever holds one organisation's people.
 * Both are derived in the database from the names, so no code path can forget them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS btree_gin`.execute(db);

  // Lower case, apostrophes dropped ("O'Brien" -> "obrien"), every other run of non-alphanumerics one space.
  await sql`
    CREATE FUNCTION person_name_normalised(names text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN btrim(regexp_replace(regexp_replace(lower(names), '[''’]', '', 'g'), '[^[:alnum:]]+', ' ', 'g'))`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION person_name_words(names text) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN string_to_array(person_name_normalised(names), ' ')`.execute(db);
  await sql`
    CREATE FUNCTION person_search_keys(organisation uuid, names text) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN string_to_array(organisation::text || ':' || replace(person_name_normalised(names), ' ', ' ' || organisation::text || ':'), ' ')`.execute(
    db,
  );

  await sql`
    ALTER TABLE people ADD COLUMN search_keys text[] GENERATED ALWAYS AS
      (person_search_keys(organisation_id, given_names || ' ' || family_name || coalesce(' ' || known_as, ''))) STORED`.execute(
    db,
  );
  await sql`CREATE INDEX people_search_keys_idx ON people USING gin (search_keys)`.execute(db);

  // Keyed like people.search_keys (`<organisation id>:<word>`), so that the only index that finds an
  // organisation's words is the trigram one below.
  await sql`
    CREATE TABLE people_name_vocabulary (
      key text PRIMARY KEY,
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      word text NOT NULL CHECK (length(word) BETWEEN 1 AND 200),
      CHECK (key = organisation_id::text || ':' || word)
    )`.execute(db);
  await sql`CREATE INDEX people_name_vocabulary_trgm ON people_name_vocabulary USING gin (organisation_id, word gin_trgm_ops)`.execute(
    db,
  );

  // The known words closest to each typed word (at most `per_word` of them, word similarity 0.4 or
  // more: "jaden" -> "jayden", "smiht" -> "smith", "kowal" -> "kowalski"). The threshold is the
  // function's own setting, so the search needs no transaction to set it. The planner costs a
  // trigram comparison like an equality and would scan tens of thousands of words one by one rather
  // than use the trigram index: for this one query, it is told not to.
  await sql`
    CREATE FUNCTION people_similar_words(search_organisation uuid, search_text text, max_words integer, per_word integer)
      RETURNS TABLE (typed_index integer, typed_word text, known_word text, known_score real)
      LANGUAGE sql STABLE PARALLEL SAFE
      SET pg_trgm.word_similarity_threshold = 0.4
      SET enable_seqscan = off
    AS $$
      SELECT (typed.ordinal - 1)::integer, typed.word, known.word, known.score
      FROM (
        SELECT words.word, words.ordinal FROM unnest(person_name_words(search_text)) WITH ORDINALITY AS words (word, ordinal)
        WHERE words.word <> '' ORDER BY words.ordinal LIMIT max_words
      ) AS typed
      LEFT JOIN LATERAL (
        SELECT v.word, word_similarity(typed.word, v.word) AS score
        FROM people_name_vocabulary AS v
        WHERE v.organisation_id = search_organisation AND typed.word <% v.word
        ORDER BY score DESC, v.word
        LIMIT per_word
      ) AS known ON true
      ORDER BY typed.ordinal, known.score DESC
    $$`.execute(db);

  // Words are added in a fixed order, so two transactions adding the same new words cannot deadlock.
  await sql`
    CREATE FUNCTION people_remember_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO people_name_vocabulary (key, organisation_id, word)
      SELECT DISTINCT changed.organisation_id::text || ':' || word, changed.organisation_id, word
      FROM changed_people AS changed
      CROSS JOIN LATERAL unnest(person_name_words(changed.given_names || ' ' || changed.family_name || coalesce(' ' || changed.known_as, ''))) AS word
      WHERE word <> ''
      ORDER BY 1
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER people_name_vocabulary_on_insert AFTER INSERT ON people
      REFERENCING NEW TABLE AS changed_people FOR EACH STATEMENT EXECUTE FUNCTION people_remember_name_words()`.execute(
    db,
  );
  await sql`
    CREATE TRIGGER people_name_vocabulary_on_update AFTER UPDATE ON people
      REFERENCING NEW TABLE AS changed_people FOR EACH STATEMENT EXECUTE FUNCTION people_remember_name_words()`.execute(
    db,
  );

  // "My caseload" and "my team's caseload": open allocations by member of staff, newest first.
  await sql`CREATE INDEX allocations_person_open_idx ON allocations (person_id) WHERE ended_at IS NULL`.execute(
    db,
  );
  // Access reviews: a member of staff's grants, newest first.
  await sql`CREATE INDEX break_glass_access_user_granted_idx ON break_glass_access (user_id, granted_at DESC)`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the people search migration cannot be reversed: restore from a backup instead');
}
