import type { FastifyInstance } from 'fastify';
import { viewerOf } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import { personParams } from '../consent.schema.ts';
import { addressed, consentPage, type ConsentPages } from './context.ts';
import { decisionNames, personName } from './names.ts';

/** A person's consents with their history, and the reviews overdue and due soon (R3.4). */
export function listRoutes(app: FastifyInstance, pages: ConsentPages): void {
  const { consents, labels, describeHistory, summaryOf } = pages;

  app.get(
    '/people/:personId/consents',
    { config: consentPage(['consent.viewed']) },
    async (request, reply) => {
      const { personId } = addressed(personParams, request.params);
      const view = await consents.forPerson(viewerOf(request), personId);
      return reply.render('consent/views/list.njk', {
        pageTitle: `Consent – ${personName(view.person)}`,
        backLink: consentPaths.person(view.person.id),
        person: view.person,
        personName: personName(view.person),
        consents: view.consents.map((record) => summaryOf(record)),
        timeline: describeHistory(view.history),
        createPath: consentPaths.create(view.person.id),
      });
    },
  );

  // Registered before /consents/:id, though Fastify prefers the static path anyway.
  app.get(
    '/consents/reviews',
    { config: consentPage(['consent.reviews_viewed']) },
    async (request, reply) => {
      const list = await consents.reviewsFor(viewerOf(request));
      const rows = (items: typeof list.overdue) =>
        items.map((item) => ({
          path: consentPaths.show(item.consentId),
          personName: item.personName,
          decision: decisionNames[item.decision],
          purposes: item.purposeIds.map((id) => labels.purposes[id] ?? id).join(', '),
          reviewOn: item.reviewOn,
        }));
      return reply.render('consent/views/reviews.njk', {
        pageTitle: 'Consent reviews',
        scope: list.scope,
        overdue: rows(list.overdue),
        dueSoon: rows(list.dueSoon),
        truncated: list.truncated,
        limit: list.limit,
        columnWidth: 'full',
      });
    },
  );
}
