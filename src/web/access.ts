import type { z } from 'zod';
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

/** What the API document (docs/api/openapi.json) says of a JSON API route; every /api route has one. */
export interface ApiDescription {
  readonly summary: string;
  readonly description?: string;
  /** The request body, as the route validates it. */
  readonly body?: z.ZodType;
  readonly success: { readonly status: number; readonly description: string; readonly contentType?: string };
}

export interface RouteRule {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
  readonly api?: ApiDescription;
  readonly audit?: AuditDeclaration;
}

/**
 * The audit events a route writes when it succeeds (any one of them), or `none` for a route that
 * changes and reveals nothing worth an event (a form, a list of the viewer's own work, an asset).
 * Reads of a person's record declare their read event (invariant 4).
 */
export type AuditDeclaration = readonly [string, ...string[]] | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    api?: ApiDescription;
    audit?: AuditDeclaration;
  }
}

export function allows(access: Access, signedIn: { roles: readonly Role[] } | undefined): boolean {
  if (access === 'public') return true;
  if (access === 'mfa') return false;
  if (!signedIn) return false;
  if (access === 'staff') return true;
  return access.some((role) => signedIn.roles.includes(role));
}
