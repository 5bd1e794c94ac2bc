import type { FastifyInstance } from 'fastify';
import { accessRoutes } from './routes/access.ts';
import { peoplePages, type PeopleRouteOptions } from './routes/context.ts';
import { detailsRoutes } from './routes/details.ts';
import { listRoutes } from './routes/list.ts';
import { openedByRoutes } from './routes/opened-by.ts';
import { recordRoutes } from './routes/record.ts';

export type { PeopleRouteOptions } from './routes/context.ts';

/**
 * The people pages: search and caseload, adding a person, a person's record and its changes,
 * allocations, and reasons for access. Another organisation's person (or none) propagates to the
 * app's error handler as a page that does not exist; a person the viewer has no legitimate
 * relationship to gets the form that asks for a reason (invariant 4).
 */
export async function peopleRoutes(app: FastifyInstance, options: PeopleRouteOptions): Promise<void> {
  const pages = peoplePages(options);
  listRoutes(app, pages);
  accessRoutes(app, pages);
  recordRoutes(app, pages);
  detailsRoutes(app, pages);
  openedByRoutes(app, pages);
}
