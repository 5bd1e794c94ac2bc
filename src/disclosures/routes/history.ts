import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { consentPaths } from '../../consent/index.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { decisionListRow, decisionMakers, personName, sharingPaths } from '../../sharing/index.ts';
import { viewerOf } from '../../web/forms.ts';
import { historyDisclosureRows } from '../disclosures.views.ts';
import type { DisclosurePages } from './context.ts';

const personParams = z.strictObject({ personId: z.uuid() });

/**
 * A person's sharing history (R2.23): every decision about them, and what was disclosed under
 * those, newest first. It lives with the disclosure log, which reads both, so that sharing never
 * reaches up to it. Someone with no relationship to the person is sent to give a reason first.
 */
export function historyRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const { disclosures, policy } = pages;

  app.get(
    '/people/:personId/sharing',
    { config: { access: decisionMakers, audit: ['person.sharing_history_viewed'] } },
    async (request, reply) => {
      const params = personParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const history = await disclosures.history(viewerOf(request), params.data.personId);
      return reply.render('disclosures/views/person-history.njk', {
        pageTitle: `Sharing decisions – ${personName(history.person)}`,
        columnWidth: 'full',
        backLink: consentPaths.person(history.person.id),
        personName: personName(history.person),
        personId: history.person.id,
        startPath: sharingPaths.start(),
        rows: history.entries.flatMap((entry) =>
          entry.kind === 'decision' ? [decisionListRow(policy, entry.decision)] : [],
        ),
        disclosureRows: historyDisclosureRows(history.entries, policy),
      });
    },
  );
}
