import { sql, type Kysely } from 'kysely';

/**
 * Single sign-on with an organisation's own OpenID provider (ADR 0028).
 * - `organisation_sso`: one provider per organisation, set by its administrators; the client secret
 *   is kept sealed (the secret box), never in clear.
 * - `organisation_sso_domains`: the e-mail domains that send a member of staff to that provider. A
 *   domain is claimed by one organisation only (its primary key), so an address never finds two.
 * - `sso_sign_ins`: a sign-in started at the provider and not yet back, bound to the browser by the
 *   digest of a cookie; state, nonce and the PKCE verifier stay here, used once, kept 10 minutes.
 * The application role gets its grants on all three after the run (src/db/roles.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organisation_sso (
      organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
      issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
      client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 255),
      client_secret_sealed text NOT NULL,
      create_accounts boolean NOT NULL DEFAULT false,
      updated_by uuid REFERENCES users (id),
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE organisation_sso_domains (
      domain text PRIMARY KEY CHECK (domain = lower(domain) AND length(domain) BETWEEN 3 AND 253),
      organisation_id uuid NOT NULL REFERENCES organisation_sso (organisation_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX organisation_sso_domains_organisation_idx ON organisation_sso_domains (organisation_id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE sso_sign_ins (
      id_digest text PRIMARY KEY,
      organisation_id uuid NOT NULL REFERENCES organisation_sso (organisation_id) ON DELETE CASCADE,
      state text NOT NULL,
      nonce text NOT NULL,
      code_verifier_sealed text NOT NULL,
      next text,
      created_at timestamptz NOT NULL
    )`.execute(db);
  // Housekeeping deletes the sign-ins that never came back, by their age.
  await sql`CREATE INDEX sso_sign_ins_created_idx ON sso_sign_ins (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE sso_sign_ins`.execute(db);
  await sql`DROP TABLE organisation_sso_domains`.execute(db);
  await sql`DROP TABLE organisation_sso`.execute(db);
}
