import { londonToday } from '../lib/time.ts';
import { decisionAccess } from './decision.access.ts';
import { decisionViews, type DecisionViews } from './decision.view.ts';
import type { SharingBasics, SharingDependencies } from './sharing.basics.ts';
import { sharingColleagues } from './sharing.colleagues.ts';

export type { SharingBasics, SharingDependencies } from './sharing.basics.ts';

/** The basics and how a decision is read, handed to each use case's module. */
export interface SharingContext extends SharingBasics {
  readonly views: DecisionViews;
}

/** Built once by `sharingService`. */
export function sharingContext(deps: SharingDependencies): SharingContext {
  const colleagues = sharingColleagues(deps);
  const basics: SharingBasics = {
    ...deps,
    today: () => londonToday(deps.clock.now()),
    packRef: { name: deps.policy.name, version: deps.policy.version },
    colleagues,
    access: decisionAccess(colleagues),
  };
  return { ...basics, views: decisionViews(basics) };
}
