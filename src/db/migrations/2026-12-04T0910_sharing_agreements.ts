import { sql, type Kysely } from 'kysely';

/**
 * The register of information sharing agreements and DPIAs (the ICO data sharing code): what regular
 * sharing rests on, kept by the information governance lead. An agreement's signed copy is sealed
 * like consent evidence. Agreements are ended, never deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE sharing_agreement_reference_seq`.execute(db);
  await sql`
    CREATE TABLE sharing_agreements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('ISA-' || lpad(nextval('sharing_agreement_reference_seq')::text, 7, '0')),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      partner_organisation_ids uuid[] NOT NULL CHECK (cardinality(partner_organisation_ids) BETWEEN 1 AND 50),
      purpose_ids text[] NOT NULL CHECK (cardinality(purpose_ids) BETWEEN 1 AND 50),
      categories jsonb NOT NULL,
      methods text[] NOT NULL CHECK (cardinality(methods) BETWEEN 1 AND 10),
      own_basis jsonb NOT NULL,
      partner_basis text NOT NULL CHECK (length(partner_basis) BETWEEN 1 AND 2000),
      retention text NOT NULL CHECK (length(retention) BETWEEN 1 AND 1000),
      risk_of_sharing text NOT NULL CHECK (length(risk_of_sharing) BETWEEN 1 AND 4000),
      risk_of_not_sharing text NOT NULL CHECK (length(risk_of_not_sharing) BETWEEN 1 AND 4000),
      starts_on date NOT NULL,
      review_on date NOT NULL,
      ends_on date NOT NULL,
      ended_on date,
      ended_reason text CHECK (length(ended_reason) BETWEEN 1 AND 1000),
      ended_by uuid REFERENCES users (id),
      created_by uuid NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL,
      CHECK (starts_on <= review_on AND review_on <= ends_on),
      CHECK ((ended_on IS NULL) = (ended_reason IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX sharing_agreements_organisation_idx ON sharing_agreements (organisation_id, ends_on)`.execute(
    db,
  );
  await sql`
    CREATE TABLE sharing_agreement_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      agreement_id uuid NOT NULL REFERENCES sharing_agreements (id),
      file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
      content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
      size_bytes integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      ciphertext bytea NOT NULL,
      iv bytea NOT NULL CHECK (length(iv) = 12),
      auth_tag bytea NOT NULL CHECK (length(auth_tag) = 16),
      wrapped_key text NOT NULL,
      uploaded_by uuid NOT NULL REFERENCES users (id),
      uploaded_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sharing_agreement_documents_agreement_idx ON sharing_agreement_documents (agreement_id, uploaded_at)`.execute(
    db,
  );
  await sql`CREATE SEQUENCE dpia_reference_seq`.execute(db);
  await sql`
    CREATE TABLE dpias (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('DPIA-' || lpad(nextval('dpia_reference_seq')::text, 7, '0')),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      agreement_id uuid REFERENCES sharing_agreements (id),
      screening text NOT NULL CHECK (screening IN ('not-needed', 'needed')),
      screening_reason text NOT NULL CHECK (length(screening_reason) BETWEEN 1 AND 2000),
      high_risk boolean NOT NULL,
      ico_consulted boolean,
      outcome text CHECK (length(outcome) BETWEEN 1 AND 4000),
      completed_on date,
      review_on date NOT NULL,
      created_by uuid NOT NULL REFERENCES users (id),
      created_at timestamptz NOT NULL,
      CHECK (screening = 'needed' OR NOT high_risk),
      CHECK (high_risk = (ico_consulted IS NOT NULL))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE dpias`.execute(db);
  await sql`DROP SEQUENCE dpia_reference_seq`.execute(db);
  await sql`DROP TABLE sharing_agreement_documents`.execute(db);
  await sql`DROP TABLE sharing_agreements`.execute(db);
  await sql`DROP SEQUENCE sharing_agreement_reference_seq`.execute(db);
}
