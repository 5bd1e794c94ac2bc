import { sql, type Kysely } from 'kysely';

/**
 * The foundation: organisations and the partner directory, staff accounts and sessions, and the
 * append-only audit trail with one hash chain per organisation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);

  await sql`
    CREATE TABLE organisations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      kind text NOT NULL CHECK (kind IN ('local_authority', 'nhs_body', 'police', 'school', 'voluntary', 'other')),
      switchboard_phone text,
      hosted boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name))`.execute(db);

  await sql`
    CREATE TABLE organisation_domains (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      domain text NOT NULL CHECK (domain = lower(domain) AND length(domain) BETWEEN 3 AND 253),
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX organisation_domains_domain_key ON organisation_domains (domain)`.execute(db);
  await sql`CREATE INDEX organisation_domains_organisation_idx ON organisation_domains (organisation_id)`.execute(
    db,
  );

  await sql`
    CREATE TABLE organisation_fax_numbers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      number text NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX organisation_fax_numbers_organisation_idx ON organisation_fax_numbers (organisation_id)`.execute(
    db,
  );

  await sql`
    CREATE TABLE organisation_addresses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      line1 text NOT NULL,
      line2 text,
      town text NOT NULL,
      postcode text NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX organisation_addresses_organisation_idx ON organisation_addresses (organisation_id)`.execute(
    db,
  );

  await sql`
    CREATE TABLE trusted_links (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      partner_organisation_id uuid NOT NULL REFERENCES organisations (id),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
      created_at timestamptz NOT NULL,
      CHECK (organisation_id < partner_organisation_id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX trusted_links_pair_key ON trusted_links (organisation_id, partner_organisation_id)`.execute(
    db,
  );
  await sql`CREATE INDEX trusted_links_partner_idx ON trusted_links (partner_organisation_id)`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      email text NOT NULL CHECK (email = lower(email)),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
      job_title text,
      roles text[] NOT NULL DEFAULT '{}',
      line_manager_id uuid REFERENCES users (id),
      password_hash text,
      mfa_secret_sealed text,
      mfa_enrolled_at timestamptz,
      totp_last_step bigint,
      active boolean NOT NULL DEFAULT true,
      demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (roles <@ ARRAY['practitioner', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'it_service_desk', 'auditor', 'admin']::text[]),
      CHECK (line_manager_id IS NULL OR line_manager_id <> id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email_key ON users (email)`.execute(db);
  await sql`CREATE INDEX users_organisation_idx ON users (organisation_id, display_name)`.execute(db);
  await sql`CREATE INDEX users_line_manager_idx ON users (line_manager_id)`.execute(db);

  await sql`
    CREATE TABLE sessions (
      id_digest text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id),
      stage text NOT NULL CHECK (stage IN ('mfa', 'enrol', 'active')),
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_idx ON sessions (user_id)`.execute(db);

  // Failed sign-in attempts, keyed by a digest of the e-mail typed (known account or not).
  await sql`
    CREATE TABLE sign_in_failures (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      account_key text NOT NULL,
      failed_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sign_in_failures_account_idx ON sign_in_failures (account_key, failed_at)`.execute(
    db,
  );

  await sql`
    CREATE TABLE audit_chain_heads (
      organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
      seq bigint NOT NULL,
      hash text NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE audit_events (
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      seq bigint NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      occurred_at timestamptz NOT NULL,
      actor_user_id uuid,
      actor_label text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id text,
      person_id uuid,
      change jsonb NOT NULL,
      PRIMARY KEY (organisation_id, seq)
    )`.execute(db);
  await sql`CREATE INDEX audit_events_time_idx ON audit_events (organisation_id, occurred_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, occurred_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX audit_events_person_idx ON audit_events (person_id, occurred_at DESC) WHERE person_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX audit_events_action_idx ON audit_events (organisation_id, action, occurred_at DESC)`.execute(
    db,
  );

  // The database itself refuses to change history (invariant 2).
  await sql`
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER audit_chain_heads_no_delete BEFORE DELETE ON audit_chain_heads
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the foundation migration cannot be reversed: restore from a backup instead');
}
