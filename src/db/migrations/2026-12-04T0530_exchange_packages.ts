import { sql, type Kysely } from 'kysely';

/**
 * Secure exchange packages (R4.6.4): a message and files sent from a recorded decision to one of its
 * recipients, sealed at rest (ADR 0020), readable until it expires, is revoked or its downloads run
 * out. Each is the evidence of the disclosure it logged. Never deleted; once ended (revoked or
 * expired), its objects are shredded and it never changes again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SEQUENCE exchange_package_reference_seq`.execute(db);
  await sql`
    CREATE TABLE exchange_packages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      reference text NOT NULL UNIQUE DEFAULT ('EX-' || lpad(nextval('exchange_package_reference_seq')::text, 7, '0')),
      decision_id uuid NOT NULL REFERENCES sharing_decisions (id),
      disclosure_id uuid NOT NULL UNIQUE REFERENCES disclosures (id),
      recipient_address text NOT NULL CHECK (recipient_address = lower(recipient_address) AND length(recipient_address) BETWEEN 3 AND 254),
      recipient_organisation_id uuid NOT NULL REFERENCES organisations (id),
      recipient_name text NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 200),
      mode text NOT NULL CHECK (mode IN ('download', 'view-only')),
      message_object_id uuid NOT NULL UNIQUE REFERENCES exchange_objects (id),
      expires_at timestamptz NOT NULL,
      download_limit integer NOT NULL CHECK (download_limit BETWEEN 1 AND 100),
      downloads integer NOT NULL DEFAULT 0 CHECK (downloads >= 0 AND downloads <= download_limit),
      sent_by uuid NOT NULL REFERENCES users (id),
      sent_at timestamptz NOT NULL,
      first_opened_at timestamptz,
      ended text CHECK (ended IN ('revoked', 'expired')),
      ended_at timestamptz,
      ended_by uuid REFERENCES users (id),
      end_reason text CHECK (end_reason IS NULL OR length(end_reason) BETWEEN 1 AND 1000),
      CHECK (expires_at > sent_at),
      CHECK ((ended IS NULL) = (ended_at IS NULL)),
      CHECK (ended IS DISTINCT FROM 'revoked' OR end_reason IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX exchange_packages_decision_idx ON exchange_packages (decision_id, sent_at)`.execute(
    db,
  );
  await sql`CREATE INDEX exchange_packages_live_idx ON exchange_packages (expires_at) WHERE ended IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX exchange_packages_recipient_idx ON exchange_packages (recipient_address, sent_at DESC)`.execute(
    db,
  );
  await sql`
    CREATE TABLE exchange_package_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      package_id uuid NOT NULL REFERENCES exchange_packages (id),
      object_id uuid NOT NULL UNIQUE REFERENCES exchange_objects (id),
      position smallint NOT NULL CHECK (position >= 0),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      media_type text NOT NULL CHECK (length(media_type) BETWEEN 3 AND 100),
      bytes bigint NOT NULL CHECK (bytes > 0),
      UNIQUE (package_id, position)
    )`.execute(db);
  await sql`
    CREATE FUNCTION exchange_packages_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'exchange packages are kept' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.ended IS NOT NULL THEN
        RAISE EXCEPTION 'an ended exchange package cannot change' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER exchange_packages_guard BEFORE UPDATE OR DELETE ON exchange_packages FOR EACH ROW EXECUTE FUNCTION exchange_packages_guard()`.execute(
    db,
  );
  await sql`CREATE TRIGGER exchange_package_files_kept BEFORE UPDATE OR DELETE ON exchange_package_files FOR EACH ROW EXECUTE FUNCTION sharing_refuse_change()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE exchange_package_files`.execute(db);
  await sql`DROP TABLE exchange_packages`.execute(db);
  await sql`DROP FUNCTION exchange_packages_guard()`.execute(db);
  await sql`DROP SEQUENCE exchange_package_reference_seq`.execute(db);
}
