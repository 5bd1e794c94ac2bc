import type { FastifyInstance } from 'fastify';
import { consentPages, type ConsentRouteOptions } from './routes/context.ts';
import { evidenceRoutes } from './routes/evidence.ts';
import { listRoutes } from './routes/list.ts';
import { recordRoutes } from './routes/record.ts';
import { reviewRoutes } from './routes/review.ts';
import { showRoutes } from './routes/show.ts';
import { withdrawRoutes } from './routes/withdraw.ts';

export type { ConsentRouteOptions } from './routes/context.ts';

/**
 * The consent register's pages (R3.1-R3.4): a person's consents, recording (form and check your
 * answers), one consent with its evidence, withdrawal, review, and the reviews due. Need-to-know
 * refusals propagate to the app's error handler: another organisation's person is a page that does
 * not exist, an unallocated one sends the practitioner to the person's page for a reason.
 */
export async function consentRoutes(app: FastifyInstance, options: ConsentRouteOptions): Promise<void> {
  const pages = consentPages(options);
  listRoutes(app, pages);
  recordRoutes(app, pages);
  showRoutes(app, pages);
  await evidenceRoutes(app, pages);
  withdrawRoutes(app, pages);
  reviewRoutes(app, pages);
}
