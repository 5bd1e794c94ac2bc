import * as client from 'openid-client';
import { isLoopback } from './oidc.schema.ts';

/** The provider's answer, checked: the ID token's claims, nothing else is kept. */
export type ProviderAnswer =
  | { readonly kind: 'claims'; readonly claims: client.IDToken }
  | { readonly kind: 'refused'; readonly reason: SsoRefusalReason };

/**
 * Why a sign-in through an organisation's provider was refused: the code written to the audit trail
 * (`auth.sso_refused`), never with the person's address or the provider's words.
 */
export type SsoRefusalReason =
  | 'no_sign_in_in_progress'
  | 'provider_error'
  | 'state_mismatch'
  | 'code_refused'
  | 'wrong_audience'
  | 'id_token_expired'
  | 'id_token_invalid'
  | 'provider_unreachable'
  | 'email_missing'
  | 'email_not_verified'
  | 'email_domain_not_allowed'
  | 'unknown_user'
  | 'account_in_another_organisation'
  | 'account_deactivated';

export interface ProviderSettings {
  readonly organisationId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** When the settings last changed: a cached discovery of older settings is not used. */
  readonly version: number;
}

/** How long a discovery document is kept before it is fetched again. */
const discoveryTtlMs = 10 * 60_000;
const requestTimeoutSeconds = 10;

/**
 * The openid-client side of single sign-on: discovery (cached per organisation), the authorization
 * URL, the code exchange with every check openid-client makes (state, PKCE, issuer, audience,
 * signature, expiry, nonce), and the provider's sign-out address. Plain-HTTP providers are allowed
 * only on loopback and only when `allowLoopbackHttp` (never in production).
 */
export function providerClient(options: { readonly allowLoopbackHttp: boolean }) {
  const cache = new Map<string, { version: number; at: number; config: client.Configuration }>();

  async function configurationOf(settings: ProviderSettings): Promise<client.Configuration> {
    const cached = cache.get(settings.organisationId);
    if (
      cached !== undefined &&
      cached.version === settings.version &&
      Date.now() - cached.at < discoveryTtlMs
    )
      return cached.config;
    const issuer = new URL(settings.issuer);
    const insecure = options.allowLoopbackHttp && issuer.protocol === 'http:' && isLoopback(issuer);
    const config = await client.discovery(
      issuer,
      settings.clientId,
      undefined,
      client.ClientSecretBasic(settings.clientSecret),
      {
        timeout: requestTimeoutSeconds,
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain HTTP on loopback outside production only (tests, local trials)
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      },
    );
    cache.set(settings.organisationId, { version: settings.version, at: Date.now(), config });
    return config;
  }

  return {
    /** The provider's authorization URL for a new sign-in, or undefined when the provider cannot be reached. */
    async authorizationUrl(
      settings: ProviderSettings,
      checks: { readonly state: string; readonly nonce: string; readonly codeVerifier: string },
      redirectUri: string,
    ): Promise<URL | undefined> {
      let config: client.Configuration;
      try {
        config = await configurationOf(settings);
      } catch {
        return undefined;
      }
      // No login_hint: the address the person typed never goes into a URL.
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      });
    },

    /** Exchanges the code for tokens and checks the ID token; any failure is a refusal with its reason. */
    async exchange(
      settings: ProviderSettings,
      currentUrl: URL,
      checks: { readonly state: string; readonly nonce: string; readonly codeVerifier: string },
    ): Promise<ProviderAnswer> {
      let config: client.Configuration;
      try {
        config = await configurationOf(settings);
      } catch {
        return { kind: 'refused', reason: 'provider_unreachable' };
      }
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (claims === undefined) return { kind: 'refused', reason: 'id_token_invalid' };
        return { kind: 'claims', claims };
      } catch (error) {
        return { kind: 'refused', reason: reasonOf(error) };
      }
    },

    /** The provider's sign-out address (end_session_endpoint), or undefined when it has none or cannot be reached. */
    async signOutUrl(settings: ProviderSettings, postLogoutRedirectUri: string): Promise<URL | undefined> {
      try {
        const config = await configurationOf(settings);
        if (config.serverMetadata().end_session_endpoint === undefined) return undefined;
        return client.buildEndSessionUrl(config, {
          client_id: settings.clientId,
          post_logout_redirect_uri: postLogoutRedirectUri,
        });
      } catch {
        return undefined;
      }
    },
  };
}

/** The reason code of an openid-client failure (oauth4webapi's error codes and the claim they name). */
function reasonOf(error: unknown): SsoRefusalReason {
  if (error instanceof client.ResponseBodyError) return 'code_refused';
  if (error instanceof client.AuthorizationResponseError) return 'provider_error';
  const code = (error as { code?: unknown } | null)?.code;
  // openid-client wraps oauth4webapi's error, whose cause names the claim that failed.
  const claim = claimOf(error);
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' && claim === 'exp') return 'id_token_expired';
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'aud') return 'wrong_audience';
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError'))
    return 'provider_unreachable';
  return 'id_token_invalid';
}

/** The claim an error's chain of causes names (`cause.claim`), if any. */
function claimOf(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const claim = (current as { claim?: unknown }).claim;
    if (claim !== undefined) return claim;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
