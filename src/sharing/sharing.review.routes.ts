import type { FastifyInstance } from 'fastify';
import { adviceRoutes } from './routes/advice.ts';
import { approvalRoutes } from './routes/approvals.ts';
import type { SharingReviewRouteOptions } from './routes/context.ts';

export type { SharingReviewRouteOptions } from './routes/context.ts';

/**
 * The advice and approval pages of a sharing decision (R2.3, R2.15, R2.16, R2.19, R2.20): asking for
 * advice, the adviser's inbox and answer, the approver's queue and decision.
 */
export async function sharingReviewRoutes(
  app: FastifyInstance,
  options: SharingReviewRouteOptions,
): Promise<void> {
  adviceRoutes(app, options);
  approvalRoutes(app, options);
}
