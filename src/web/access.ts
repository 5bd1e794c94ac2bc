import type { Role } from '../auth/index.ts';

/**
 * Who may use a route. Every route declares one; a route without a rule makes the app refuse to
 * start (default deny).
 * - `public`: anyone, signed in or not.
 * - `mfa`: someone who has given their password and must now give (or enrol) a one-time code.
 * - `staff`: any signed-in member of staff.
 * - a list of roles: a signed-in member of staff holding at least one of them.
 */
export type Access = 'public' | 'mfa' | 'staff' | readonly Role[];

export interface RouteRule {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function allows(access: Access, signedIn: { roles: readonly Role[] } | undefined): boolean {
  if (access === 'public') return true;
  if (access === 'mfa') return false;
  if (!signedIn) return false;
  if (access === 'staff') return true;
  return access.some((role) => signedIn.roles.includes(role));
}
