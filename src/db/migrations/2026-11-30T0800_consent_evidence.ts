import { sql, type Kysely } from 'kysely';

/**
 * Evidence of how consent was given (R3.2): a scanned or photographed signed form, or an e-mail saved
 * as PDF. Each file is encrypted at rest (AES-256-GCM under its own data key, itself sealed by the
 * service's secret key); the plaintext's SHA-256 is kept so that a download can be checked. Evidence
 * is never changed or removed once uploaded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE consent_evidence (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      consent_id uuid NOT NULL REFERENCES consents (id),
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
  await sql`CREATE INDEX consent_evidence_consent_idx ON consent_evidence (consent_id, uploaded_at)`.execute(
    db,
  );
  await sql`CREATE TRIGGER consent_evidence_append_only BEFORE UPDATE OR DELETE ON consent_evidence FOR EACH ROW EXECUTE FUNCTION consent_refuse_change()`.execute(
    db,
  );
  await sql`CREATE TRIGGER consent_evidence_no_truncate BEFORE TRUNCATE ON consent_evidence FOR EACH STATEMENT EXECUTE FUNCTION consent_refuse_change()`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the consent evidence migration cannot be reversed: restore from a backup instead');
}
