import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { AuditActor } from '../audit/index.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import type { SessionStage } from './auth.table.ts';
import { providerClient, type ProviderSettings, type SsoRefusalReason } from './oidc.provider.ts';
import {
  findSsoSettings,
  forgetSsoSignIns,
  insertSsoSignIn,
  ssoDomainOwner,
  ssoDomainsOf,
  takeSsoSignIn,
  type OrganisationSsoRow,
} from './oidc.repository.ts';
import { rotate, stageAfterPassword, type AuthDependencies } from './sign-in.steps.ts';
import { findUserByEmail, insertUser, type UserRow } from './users.repository.ts';

export type { SsoRefusalReason } from './oidc.provider.ts';

/** A sign-in sent to a provider must come back within this time. */
export const ssoSignInTtlMs = 10 * 60_000;

/**
 * The authentication methods (RFC 8176 `amr`) that count as the provider having asked for a second
 * factor. Only `mfa` itself: a provider that says only `pwd`, or nothing, leaves Safeshare's own
 * one-time code to be given.
 */
const mfaMethods = new Set(['mfa']);

export type SsoStartOutcome =
  | { readonly kind: 'unknown-domain' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'redirect'; readonly url: string; readonly cookieToken: string };

export type SsoCallbackOutcome =
  | { readonly kind: 'refused'; readonly reason: SsoRefusalReason }
  | {
      readonly kind: 'session';
      readonly token: string;
      readonly stage: SessionStage;
      readonly next: string | undefined;
    };

/** Who a refusal is recorded against when no account of the organisation is known. */
const singleSignOnActor: AuditActor = { userId: null, label: 'Single sign-on' };

/**
 * Signing in with an organisation's own OpenID provider (authorization code with PKCE; ADR 0028).
 * A provider is trusted for its own organisation's accounts only; the address must be verified and
 * at one of the organisation's single sign-on domains. Where the provider does not assert a second
 * factor, the session goes on to Safeshare's own one-time code, as after a password.
 */
export function oidcService(
  deps: AuthDependencies & {
    /** Where Safeshare is reached: the redirect URI registered at each provider is built from it. */
    readonly publicUrl: string;
    /** Plain-HTTP providers on loopback (tests, local trials); never in production. */
    readonly allowLoopbackHttp: boolean;
  },
) {
  const { db, clock, audit, secretBox, settings } = deps;
  const provider = providerClient({ allowLoopbackHttp: deps.allowLoopbackHttp });
  const redirectUri = `${deps.publicUrl}/sign-in/organisation/callback`;
  const signedOutUri = `${deps.publicUrl}/signed-out`;

  const providerSettings = (row: OrganisationSsoRow): ProviderSettings => ({
    organisationId: row.organisation_id,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: secretBox.open(row.client_secret_sealed),
    version: row.updated_at.getTime(),
  });

  async function refuse(
    organisationId: string,
    reason: SsoRefusalReason,
    user?: UserRow,
  ): Promise<SsoCallbackOutcome> {
    // As for a wrong password: the account when one is known, the reason; never the address or the provider's words.
    await db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId,
        actor: user === undefined ? singleSignOnActor : { userId: user.id, label: user.display_name },
        action: 'auth.sso_refused',
        entity:
          user === undefined ? { type: 'organisation', id: organisationId } : { type: 'user', id: user.id },
        change: { reason },
      }),
    );
    return { kind: 'refused', reason };
  }

  return {
    /** The address each organisation registers at its provider for Safeshare to be sent back to. */
    redirectUri,
    signedOutUri,

    /**
     * Finds the organisation whose single sign-on domain the work address is at and starts a sign-in
     * with its provider. The address is used for this look-up only: it is not stored, and it goes
     * into no URL (no login_hint).
     */
    async start(email: string, next: string | undefined): Promise<SsoStartOutcome> {
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
      const organisationId = await ssoDomainOwner(db, domain);
      if (organisationId === undefined) return { kind: 'unknown-domain' };
      const row = await findSsoSettings(db, organisationId);
      if (row === undefined) return { kind: 'unknown-domain' };
      const checks = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = await provider.authorizationUrl(providerSettings(row), checks, redirectUri);
      if (url === undefined) return { kind: 'unavailable' };
      const cookieToken = newToken();
      const now = clock.now();
      await forgetSsoSignIns(db, new Date(now.getTime() - ssoSignInTtlMs));
      await insertSsoSignIn(db, {
        id_digest: tokenDigest(cookieToken),
        organisation_id: organisationId,
        state: checks.state,
        nonce: checks.nonce,
        code_verifier_sealed: secretBox.seal(checks.codeVerifier),
        next: next ?? null,
        created_at: now,
      });
      return { kind: 'redirect', url: url.href, cookieToken };
    },

    /**
     * The provider sent the browser back. The sign-in it started is taken (used once, whatever the
     * outcome), its state compared, the code exchanged and the ID token checked by openid-client;
     * then the account is found by the verified address, in the provider's own organisation only.
     */
    async complete(input: {
      readonly cookieToken: string | undefined;
      /** The callback's query string, as received. */
      readonly query: string;
      readonly state: string | undefined;
      readonly previousToken: string | undefined;
    }): Promise<SsoCallbackOutcome> {
      const pending =
        input.cookieToken === undefined || input.cookieToken.length > 100
          ? undefined
          : await takeSsoSignIn(db, tokenDigest(input.cookieToken));
      const now = clock.now();
      if (pending === undefined) return { kind: 'refused', reason: 'no_sign_in_in_progress' };
      const organisationId = pending.organisation_id;
      if (now.getTime() - pending.created_at.getTime() > ssoSignInTtlMs)
        return refuse(organisationId, 'no_sign_in_in_progress');
      if (!sameText(input.state, pending.state)) return refuse(organisationId, 'state_mismatch');
      const row = await findSsoSettings(db, organisationId);
      if (row === undefined) return refuse(organisationId, 'no_sign_in_in_progress');
      const answer = await provider.exchange(
        providerSettings(row),
        new URL(`${redirectUri}?${input.query}`),
        {
          state: pending.state,
          nonce: pending.nonce,
          codeVerifier: secretBox.open(pending.code_verifier_sealed),
        },
      );
      if (answer.kind === 'refused') return refuse(organisationId, answer.reason);
      const { claims } = answer;

      const email = typeof claims['email'] === 'string' ? claims['email'].trim().toLowerCase() : '';
      if (email === '' || email.length > 254 || !email.includes('@'))
        return refuse(organisationId, 'email_missing');
      // Verified as the standard says (email_verified), or as Microsoft Entra ID says of a work address:
      // its optional claim xms_edov, "email domain owner verified" (Entra sends no email_verified).
      if (claims['email_verified'] !== true && claims['xms_edov'] !== true)
        return refuse(organisationId, 'email_not_verified');
      const domain = email.slice(email.lastIndexOf('@') + 1);
      if (!(await ssoDomainsOf(db, organisationId)).includes(domain))
        return refuse(organisationId, 'email_domain_not_allowed');

      const user = await findUserByEmail(db, email);
      // The provider vouches for its own organisation's staff only, even when the address matches.
      if (user !== undefined && user.organisation_id !== organisationId)
        return refuse(organisationId, 'account_in_another_organisation');
      if (user !== undefined && !user.active) return refuse(organisationId, 'account_deactivated', user);
      if (user === undefined && !row.create_accounts) return refuse(organisationId, 'unknown_user');

      const amr = Array.isArray(claims['amr'])
        ? claims['amr'].filter((method) => typeof method === 'string')
        : [];
      const providerMfa = amr.some((method) => mfaMethods.has(method));
      const displayName = nameOf(claims['name'], email);

      return db.transaction().execute(async (trx): Promise<SsoCallbackOutcome> => {
        let account = user;
        if (account === undefined) {
          // A first sign-in the administrator allows: an account with no roles until one is given.
          const id = await insertUser(trx, {
            organisation_id: organisationId,
            email,
            display_name: displayName,
            job_title: null,
            roles: [],
            line_manager_id: null,
            password_hash: null,
            mfa_secret_sealed: null,
            mfa_enrolled_at: null,
            totp_last_step: null,
            created_at: now,
            updated_at: now,
          });
          await audit.record(trx, {
            organisationId,
            actor: singleSignOnActor,
            action: 'user.created',
            entity: { type: 'user', id },
            change: { email, displayName, roles: [], createdBy: 'single sign-on' },
          });
          account = await findUserByEmail(trx, email);
          if (account === undefined) throw new Error('the account just created is missing');
        }
        const stage: SessionStage = providerMfa ? 'active' : stageAfterPassword(settings, account);
        const token = await rotate(deps, trx, input.previousToken, account.id, stage);
        await audit.record(trx, {
          organisationId,
          actor: { userId: account.id, label: account.display_name },
          action: stage === 'active' ? 'user.signed_in' : 'user.sso_accepted',
          entity: { type: 'user', id: account.id },
          change:
            stage === 'active'
              ? { method: 'single sign-on', mfa: providerMfa, mfaBy: providerMfa ? 'provider' : 'none', amr }
              : { method: 'single sign-on', next: stage, amr },
        });
        return { kind: 'session', token, stage, next: pending.next ?? undefined };
      });
    },

    /** Whether the organisation signs in through its own provider. */
    async usesSingleSignOn(organisationId: string): Promise<boolean> {
      return (await findSsoSettings(db, organisationId)) !== undefined;
    },

    /** The organisation's provider's sign-out address, offered after signing out of Safeshare. */
    async providerSignOutUrl(organisationId: string): Promise<string | undefined> {
      const row = await findSsoSettings(db, organisationId);
      if (row === undefined) return undefined;
      return (await provider.signOutUrl(providerSettings(row), signedOutUri))?.href;
    },
  };
}

export type OidcService = ReturnType<typeof oidcService>;

function sameText(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The name the provider gives, when it is a usable one; otherwise the address's local part. */
function nameOf(claim: unknown, email: string): string {
  const name = typeof claim === 'string' ? claim.trim().replace(/\s+/g, ' ') : '';
  if (name.length >= 1 && name.length <= 200) return name;
  return email.slice(0, email.lastIndexOf('@')).slice(0, 200);
}
