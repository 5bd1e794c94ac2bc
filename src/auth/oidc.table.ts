/** An organisation's own OpenID provider, set by its administrators (migration 2026-12-04T1230). */
export interface OrganisationSsoTable {
  organisation_id: string;
  issuer: string;
  client_id: string;
  /** Sealed by the secret box; never shown or logged. */
  client_secret_sealed: string;
  /** Whether a first sign-in with no account makes one (with no roles). */
  create_accounts: boolean;
  updated_by: string | null;
  updated_at: Date;
}

/** An e-mail domain that sends its staff to their organisation's provider; one organisation per domain. */
export interface OrganisationSsoDomainsTable {
  domain: string;
  organisation_id: string;
}

/** A sign-in sent to a provider and not yet back, found by the digest of the browser's cookie. */
export interface SsoSignInsTable {
  id_digest: string;
  organisation_id: string;
  state: string;
  nonce: string;
  code_verifier_sealed: string;
  next: string | null;
  created_at: Date;
}

export interface OidcTables {
  organisation_sso: OrganisationSsoTable;
  organisation_sso_domains: OrganisationSsoDomainsTable;
  sso_sign_ins: SsoSignInsTable;
}
