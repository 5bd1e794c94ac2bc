import type { FastifyInstance } from 'fastify';
import { disclosurePages, type DisclosureRouteOptions } from './routes/context.ts';
import { historyRoutes } from './routes/history.ts';
import { misdirectedRoutes } from './routes/misdirected.ts';
import { receiptRoutes } from './routes/receipts.ts';
import { recordRoutes } from './routes/record.ts';
import { showRoutes } from './routes/show.ts';
import { withdrawalRoutes } from './routes/withdrawal.ts';

export type { DisclosureRouteOptions } from './routes/context.ts';

/**
 * The disclosure log's pages: record a disclosure under a decision, read it, confirm receipt, and
 * log misdirected information; a person's sharing history; telling recipients that consent was withdrawn. A decision or disclosure the viewer may not see propagates to the
 * app's error handler as a page that does not exist.
 */
export async function disclosuresRoutes(
  app: FastifyInstance,
  options: DisclosureRouteOptions,
): Promise<void> {
  const pages = disclosurePages(options);
  recordRoutes(app, pages);
  showRoutes(app, pages);
  receiptRoutes(app, pages);
  misdirectedRoutes(app, pages);
  historyRoutes(app, pages);
  withdrawalRoutes(app, pages);
}
