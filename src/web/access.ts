import type { z } from 'zod';
import type { Role } from '../lib/roles.ts';

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
  /**
   * The path parameters. The shell parses them before the handler runs (src/api/validation.ts): parameters
   * that do not parse answer 404, as an address with nothing at it.
   */
  readonly params?: z.ZodType;
  /**
   * The request body. The shell parses it before the handler runs (src/api/validation.ts): a body that
   * does not parse answers 400 problem+json naming each member, and the handler never runs.
   */
  readonly body?: z.ZodType;
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly contentType?: string;
    /** The JSON the route answers with on success: the document's response schema, checked in tests. */
    readonly schema: z.ZodType;
  };
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
