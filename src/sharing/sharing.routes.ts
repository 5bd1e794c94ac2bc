import type { FastifyInstance } from 'fastify';
import { decisionPages, type SharingRouteOptions } from './routes/context.ts';
import { listRoutes } from './routes/list.ts';
import { overviewRoutes } from './routes/overview.ts';
import { peopleRoutes } from './routes/people.ts';
import { questionRoutes } from './routes/questions.ts';
import { recipientRoutes } from './routes/recipients.ts';
import { recordRoutes } from './routes/record.ts';
import { routineRoutes } from './routes/routine.ts';

export type { SharingRouteOptions } from './routes/context.ts';

/**
 * The pages of a sharing decision (R2.1-R2.23): the practitioner's list, the overview and its task
 * list, the six question pages, check your answers, recording, the record sheet and addenda. The
 * advice and approval pages are sharingReviewRoutes.
 */
export async function sharingRoutes(app: FastifyInstance, options: SharingRouteOptions): Promise<void> {
  const pages = decisionPages(options);
  listRoutes(app, pages);
  overviewRoutes(app, pages);
  questionRoutes(app, pages);
  peopleRoutes(app, pages);
  recipientRoutes(app, pages);
  recordRoutes(app, pages);
  routineRoutes(app, pages);
}
