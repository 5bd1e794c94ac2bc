import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import Provider from 'oidc-provider';

/** One person at the test provider: what its ID token says of them. */
export interface TestProviderAccount {
  readonly email?: string;
  readonly emailVerified?: boolean | undefined;
  /** Microsoft Entra ID's optional claim `xms_edov`: the e-mail's domain is verified as the tenant's. */
  readonly domainOwnerVerified?: boolean;
  readonly name?: string;
  /** The authentication methods the provider asserts (RFC 8176), e.g. ['pwd', 'mfa']. */
  readonly amr?: readonly string[];
}

export interface TestProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** A second client at the same provider: its tokens are not for Safeshare's client. */
  readonly otherClientId: string;
  /** Adds (or replaces) a person, by the account id the provider knows them by. */
  addAccount(accountId: string, account: TestProviderAccount): void;
  /** The person the next sign-in at the provider is completed for (the test's "they typed their password"). */
  signInAs(accountId: string): void;
  /**
   * Changes the claims of the ID tokens the token endpoint hands out, re-signed with the provider's
   * own key, so that only Safeshare's claim checks can catch them; undefined stops.
   */
  alterIdTokens(change: Record<string, unknown> | undefined): void;
  /** Follows the provider's redirects from an authorization URL until they leave it; answers that last address. */
  followToRedirect(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on loopback at a random port, for tests: authorization code
 * with PKCE, ID tokens signed RS256, RP-initiated logout. Interactions are completed at once for the
 * person `signInAs` names, with their `amr`, so that tests and journeys go through the provider's own
 * authorization, token and JWKS endpoints without a login form of its own.
 */
export async function startTestProvider(options: {
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
}): Promise<TestProvider> {
  const accounts = new Map<string, TestProviderAccount>();
  let nextAccount: string | undefined;
  let idTokenChange: Record<string, unknown> | undefined;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };

  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

  const clientId = 'safeshare-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const otherClientId = 'another-service';
  const client = (id: string, secret: string) => ({
    client_id: id,
    client_secret: secret,
    redirect_uris: [...options.redirectUris],
    post_logout_redirect_uris: [...options.postLogoutRedirectUris],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const provider = new Provider(issuer, {
    clients: [client(clientId, clientSecret), client(otherClientId, randomBytes(24).toString('base64url'))],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // amr with the openid scope, as Microsoft Entra ID's v1 tokens carry it.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
    // Scope claims go in the ID token itself, as Microsoft Entra ID puts them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    findAccount: async (_context, id) => {
      const account = accounts.get(id);
      if (account === undefined) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          ...(account.email === undefined ? {} : { email: account.email }),
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          ...(account.domainOwnerVerified === undefined ? {} : { xms_edov: account.domainOwnerVerified }),
          ...(account.name === undefined ? {} : { name: account.name }),
        }),
      };
    },
  });
  const providerHandler = provider.callback();

  async function finishInteraction(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    const accountId = nextAccount;
    if (accountId === undefined || !accounts.has(accountId)) {
      response.statusCode = 400;
      response.end('no test account chosen');
      return;
    }
    const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
    grant.addOIDCScope(String(details.params['scope']));
    const grantId = await grant.save();
    const amr = accounts.get(accountId)?.amr;
    await provider.interactionFinished(
      request,
      response,
      { login: { accountId, ...(amr === undefined ? {} : { amr: [...amr] }) }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  /** Rewrites the token endpoint's answer: the ID token's claims changed, signed again with the provider's key. */
  function alterTokenResponse(response: ServerResponse, change: Record<string, unknown>): void {
    const chunks: Buffer[] = [];
    const end = response.end.bind(response);
    response.write = ((chunk: unknown) => {
      chunks.push(Buffer.from(chunk as Buffer));
      return true;
    }) as typeof response.write;
    response.end = ((chunk?: unknown) => {
      if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
      const text = Buffer.concat(chunks).toString('utf8');
      let body = text;
      try {
        const parsed = JSON.parse(text) as { id_token?: string };
        if (typeof parsed.id_token === 'string') {
          parsed.id_token = resign(parsed.id_token, change, privateKey, kid);
          body = JSON.stringify(parsed);
        }
      } catch {
        // Not JSON: passed on as it came.
      }
      response.setHeader('content-length', Buffer.byteLength(body));
      return end(body);
    }) as typeof response.end;
  }

  handler = (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/interaction/')) {
      finishInteraction(request, response).catch(() => {
        response.statusCode = 500;
        response.end();
      });
      return;
    }
    if (path === '/token' && idTokenChange !== undefined) alterTokenResponse(response, idTokenChange);
    providerHandler(request, response);
  };

  return {
    issuer,
    clientId,
    clientSecret,
    otherClientId,
    addAccount: (accountId, account) => accounts.set(accountId, account),
    signInAs: (accountId) => {
      nextAccount = accountId;
    },
    alterIdTokens: (change) => {
      idTokenChange = change;
    },
    async followToRedirect(authorizationUrl) {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        if (url.origin !== issuer) return url;
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const answer = await fetch(url, { redirect: 'manual', headers: cookie === '' ? {} : { cookie } });
        for (const set of answer.headers.getSetCookie()) {
          const [pair = ''] = set.split(';');
          const name = pair.slice(0, pair.indexOf('='));
          const value = pair.slice(pair.indexOf('=') + 1);
          if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(set)) jar.delete(name);
          else jar.set(name, value);
        }
        const location = answer.headers.get('location');
        if (location === null)
          throw new Error(
            `the test provider answered ${String(answer.status)} without a redirect at ${url.pathname}`,
          );
        url = new URL(location, url);
      }
      throw new Error('the test provider redirected too many times');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function resign(token: string, change: Record<string, unknown>, key: KeyObject, kid: string): string {
  const [, payload = ''] = token.split('.');
  const claims = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object), ...change };
  const signed = `${base64url({ alg: 'RS256', typ: 'JWT', kid })}.${base64url(claims)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}
