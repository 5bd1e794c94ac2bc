import type { PendingStage } from '../lib/viewer.ts';
import type { ApiScope } from '../lib/api-scopes.ts';
import type { Generated } from 'kysely';
import type { Role } from '../lib/roles.ts';

export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  display_name: string;
  job_title: string | null;
  roles: Role[];
  line_manager_id: string | null;
  password_hash: string | null;
  mfa_secret_sealed: string | null;
  mfa_enrolled_at: Date | null;
  /** The last TOTP time step accepted, so that a code is accepted once only. */
  totp_last_step: number | null;
  active: Generated<boolean>;
  demo: Generated<boolean>;
  /**
   * The password was set by an administrator (at creation or by a reset), so the person must choose
   * their own at their next sign-in before anything else is reachable.
   */
  must_change_password: Generated<boolean>;
  /** The day they last completed data protection training (R1.1, R2.2), yyyy-mm-dd; null when none is recorded. */
  data_protection_training_on: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Where a session stands: `password` must choose a new password, `mfa` must give a one-time code,
 * `enrol` must set up an authenticator app, `active` is signed in.
 */
export type SessionStage = PendingStage | 'active';

export interface SessionsTable {
  id_digest: string;
  user_id: string;
  stage: SessionStage;
  created_at: Date;
  last_seen_at: Date;
}

export interface SignInFailuresTable {
  id: Generated<number>;
  account_key: string;
  failed_at: Date;
}

/** Sign-in attempts from one network address in a fixed window, shared by every app server. */
export interface SignInAddressAttemptsTable {
  /** A digest of the address, never the address itself. */
  address_key: string;
  window_start: Date;
  attempts: number;
}

export interface ApiTokensTable {
  id: Generated<string>;
  organisation_id: string;
  user_id: string;
  name: string;
  token_digest: string;
  created_by: string | null;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  /** What the token may do beyond its account's roles (src/lib/api-scopes.ts). */
  scopes: ApiScope[];
}

/** A POST's idempotency key and, once answered, its answer (migration 2026-12-04T1210). */
export interface ApiIdempotencyKeysTable {
  token_id: string;
  key: string;
  request_digest: string;
  created_at: Date;
  status_code: number | null;
  content_type: string | null;
  location: string | null;
  body: string | null;
}

export interface AuthTables {
  api_idempotency_keys: ApiIdempotencyKeysTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  sign_in_address_attempts: SignInAddressAttemptsTable;
}
