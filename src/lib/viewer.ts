import type { ApiScope } from './api-scopes.ts';
import type { Role } from './roles.ts';

/** The signed-in member of staff, as every page and service sees them. */
export interface Viewer {
  readonly userId: string;
  readonly displayName: string;
  readonly email: string;
  readonly organisationId: string;
  readonly organisationName: string;
  readonly roles: readonly Role[];
}

/** The steps of signing in that come before a signed-in session: a new password, the one-time code, setting up the authenticator. */
export type PendingStage = 'password' | 'mfa' | 'enrol';

/** What a session cookie stands for when a request arrives. */
export type SessionState =
  | { readonly kind: 'none' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'pending'; readonly stage: PendingStage; readonly viewer: Viewer }
  | { readonly kind: 'active'; readonly viewer: Viewer };

/** A bearer token's account, and the token itself: its name for the trail, its scopes for each route. */
export interface TokenBearer {
  readonly viewer: Viewer;
  readonly token: { readonly id: string; readonly name: string; readonly scopes: readonly ApiScope[] };
}
