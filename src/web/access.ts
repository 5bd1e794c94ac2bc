import type { z } from 'zod';
import type { ApiScopeNeed } from '../lib/api-scopes.ts';
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
   * The scope a token needs for this route, beyond its account's roles (src/lib/api-scopes.ts): a
   * token without it is refused 403 before the body is read.
   */
  readonly scope: ApiScopeNeed;
  /**
   * The path parameters. The shell parses them before the handler runs (src/api/validation.ts): parameters
   * that do not parse answer 404, as an address with nothing at it.
   */
  readonly params?: z.ZodType;
  /**
   * The query string's parameters (never personal data: ids, cursors, limits). The shell parses them
   * before the handler runs: a query that does not parse answers 400 problem+json.
   */
  readonly query?: z.ZodObject;
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
  readonly audit: AuditDeclaration;
}

/**
 * What a route records in the audit trail, checked on every answer (src/web/declarations.ts):
 * - a list of events: when it succeeds it writes at least one of them (reads of a person's record
 *   declare their read event, invariant 4);
 * - `{ sometimes: [...] }`: it writes only these, and only in some cases (a decision's overview
 *   writes `decision.viewed` when someone other than its author reads it);
 * - `'none'`: it writes no event at all (a form, a list of the viewer's own work, an asset).
 */
export type AuditDeclaration =
  readonly [string, ...string[]] | { readonly sometimes: readonly [string, ...string[]] } | 'none';

/** The events a declaration allows, or none. */
export function declaredEvents(declaration: AuditDeclaration): readonly string[] {
  if (declaration === 'none') return [];
  return 'sometimes' in declaration ? declaration.sometimes : declaration;
}

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
