// The few parts of oidc-provider (which ships no types) that the test provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface ProviderGrant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  interface ProviderAccount {
    readonly accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  export interface ProviderConfiguration {
    readonly clients: readonly Record<string, unknown>[];
    readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
    readonly cookies: { readonly keys: readonly string[] };
    readonly claims: Record<string, readonly string[]>;
    readonly conformIdTokenClaims: boolean;
    readonly features: Record<string, { readonly enabled: boolean }>;
    readonly ttl: Record<string, number>;
    readonly interactions: { url(context: unknown, interaction: { readonly uid: string }): string };
    findAccount(context: unknown, id: string): Promise<ProviderAccount | undefined>;
  }

  // eslint-disable-next-line no-restricted-syntax -- describes oidc-provider's own export, which is its default
  export default class Provider {
    constructor(issuer: string, configuration: ProviderConfiguration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    interactionDetails(
      request: IncomingMessage,
      response: ServerResponse,
    ): Promise<{ readonly uid: string; readonly params: Record<string, unknown> }>;
    interactionFinished(
      request: IncomingMessage,
      response: ServerResponse,
      result: Record<string, unknown>,
      options?: { readonly mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    readonly Grant: new (details: { accountId: string; clientId: string }) => ProviderGrant;
  }
}
