import { sql, type Kysely } from 'kysely';

/**
 * People (children, young people, parents/carers and other family members), their relationships,
 * and what gives a practitioner a legitimate relationship to a record: an allocation, or a recorded
 * reason for access ("break-glass").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE people (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      given_names text NOT NULL CHECK (length(given_names) BETWEEN 1 AND 200),
      family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 200),
      known_as text CHECK (known_as IS NULL OR length(known_as) BETWEEN 1 AND 200),
      date_of_birth date,
      nhs_number text CHECK (nhs_number IS NULL OR nhs_number ~ '^[0-9]{10}$'),
      local_reference text CHECK (local_reference IS NULL OR length(local_reference) BETWEEN 1 AND 50),
      upn text CHECK (upn IS NULL OR upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
      external_id text CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
      address_line1 text,
      address_line2 text,
      town text,
      postcode text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      -- What name search matches against: every name the person is known by, lower-cased.
      search_name text GENERATED ALWAYS AS (lower(given_names || ' ' || family_name || coalesce(' ' || known_as, ''))) STORED
    )`.execute(db);
  await sql`CREATE INDEX people_search_name_trgm ON people USING gin (search_name gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX people_organisation_birth_idx ON people (organisation_id, date_of_birth)`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX people_organisation_nhs_number_key ON people (organisation_id, nhs_number) WHERE nhs_number IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX people_organisation_local_reference_idx ON people (organisation_id, local_reference) WHERE local_reference IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX people_organisation_upn_idx ON people (organisation_id, upn) WHERE upn IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX people_organisation_external_idx ON people (organisation_id, external_id) WHERE external_id IS NOT NULL`.execute(
    db,
  );

  // `related_person_id` is the person's <relationship>: e.g. related person is the child's mother.
  await sql`
    CREATE TABLE person_relationships (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      related_person_id uuid NOT NULL REFERENCES people (id),
      relationship text NOT NULL CHECK (relationship IN (
        'mother', 'father', 'step_parent', 'carer_with_parental_responsibility', 'foster_carer', 'special_guardian',
        'grandparent', 'sibling', 'half_sibling', 'aunt_or_uncle', 'child', 'partner_of_parent', 'other_relative', 'other')),
      parental_responsibility boolean NOT NULL,
      created_at timestamptz NOT NULL,
      CHECK (person_id <> related_person_id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX person_relationships_pair_key ON person_relationships (person_id, related_person_id)`.execute(
    db,
  );
  await sql`CREATE INDEX person_relationships_related_idx ON person_relationships (related_person_id)`.execute(
    db,
  );

  await sql`
    CREATE TABLE allocations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      user_id uuid NOT NULL REFERENCES users (id),
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      CHECK (ended_at IS NULL OR ended_at >= started_at)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX allocations_open_key ON allocations (person_id, user_id) WHERE ended_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX allocations_user_idx ON allocations (user_id) WHERE ended_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE break_glass_access (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      person_id uuid NOT NULL REFERENCES people (id),
      user_id uuid NOT NULL REFERENCES users (id),
      reason text NOT NULL CHECK (length(reason) BETWEEN 10 AND 2000),
      granted_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      reviewed_by uuid REFERENCES users (id),
      reviewed_at timestamptz,
      CHECK (expires_at > granted_at)
    )`.execute(db);
  await sql`CREATE INDEX break_glass_access_user_idx ON break_glass_access (user_id, person_id, expires_at)`.execute(
    db,
  );
  await sql`CREATE INDEX break_glass_access_review_idx ON break_glass_access (organisation_id, granted_at DESC) WHERE reviewed_at IS NULL`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the people migration cannot be reversed: restore from a backup instead');
}
