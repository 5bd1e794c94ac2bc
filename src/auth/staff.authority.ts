import type { AuditActor } from '../audit/index.ts';
import type { Viewer } from './viewer.ts';
import type { Role } from '../lib/roles.ts';

/**
 * A signed-in member of staff changing staff accounts, API tokens or the partner directory, with the
 * organisation their authority is confined to and the roles they hold (ADR 0011).
 */
export interface Administrator extends AuditActor {
  readonly userId: string;
  readonly organisationId: string;
  readonly roles: readonly Role[];
}

/**
 * Who makes an administrative change: a signed-in administrator, confined to their own organisation,
 * or Safeshare itself (`systemActor`: the command line that creates the first accounts, the demo data),
 * which acts for every organisation.
 */
export type Authority = Administrator | AuditActor;

export function administratorOf(viewer: Viewer): Administrator {
  return {
    userId: viewer.userId,
    label: viewer.displayName,
    organisationId: viewer.organisationId,
    roles: viewer.roles,
  };
}

/** The organisation an authority is confined to; undefined for Safeshare itself, which acts for every one. */
export function confinedTo(authority: Authority): string | undefined {
  if ('organisationId' in authority) return authority.organisationId;
  if (authority.userId === null) return undefined;
  // A member of staff passed without their organisation would otherwise act everywhere: refuse instead.
  throw new Error(
    'a member of staff makes administrative changes only as an Administrator (see administratorOf)',
  );
}

/** Whether an authority holds a role; Safeshare itself holds them all. */
export function holdsRole(authority: Authority, role: Role): boolean {
  if ('roles' in authority) return authority.roles.includes(role);
  return authority.userId === null;
}

/**
 * Refused outright (HTTP 403): the authority lacks the role a change needs. Nothing has changed. The
 * one family's error (src/lib/errors.ts), under the name callers of this capability know.
 */
export { NotPermittedError } from '../lib/errors.ts';
