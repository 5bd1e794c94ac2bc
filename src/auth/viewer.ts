import type { AuditActor } from '../audit/index.ts';
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

export function actorOf(viewer: Viewer): AuditActor {
  return { userId: viewer.userId, label: viewer.displayName };
}
