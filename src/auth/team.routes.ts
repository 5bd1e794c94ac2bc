import type { FastifyInstance } from 'fastify';
import { viewerOf } from '../web/forms.ts';
import type { StaffService } from './staff.service.ts';
import { trainingStateTags } from './training.ts';

/**
 * A line manager's team (R2.2): their active direct reports and each one's data protection training
 * status, so that lapsed or missing training is seen and followed up.
 */
export async function teamRoutes(
  app: FastifyInstance,
  options: { readonly staff: StaffService },
): Promise<void> {
  const { staff } = options;

  app.get('/team', { config: { access: ['manager'], audit: 'none' } }, async (request, reply) => {
    const members = await staff.team(viewerOf(request).userId);
    return reply.render('auth/views/team.njk', {
      pageTitle: 'Your team',
      members,
      trainingTags: trainingStateTags,
      needingTraining: members.filter((member) => member.training.state !== 'current').length,
    });
  });
}
