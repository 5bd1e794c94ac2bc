import type { AuditActor } from '../audit/index.ts';
import type { Viewer } from '../lib/viewer.ts';

export type { Viewer } from '../lib/viewer.ts';

export function actorOf(viewer: Viewer): AuditActor {
  return { userId: viewer.userId, label: viewer.displayName };
}
