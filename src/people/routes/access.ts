import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { nothingToAudit } from '../../lib/request-context.ts';
import { fieldError, linkedTo, parseForm, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { PeopleRuleError, PersonReasonRequiredError } from '../people.errors.ts';
import { peoplePaths } from '../people.paths.ts';
import { accessReviewsQuery, confirmationForm, grantParams, reasonForm } from '../people.schema.ts';
import {
  aboutPerson,
  onField,
  peoplePage,
  renderNeedsReason,
  reviewersPage,
  type PeoplePages,
} from './context.ts';

/** A reason for access ("break-glass", R2.5): giving one, and reviewing those given. */
export function accessRoutes(app: FastifyInstance, pages: PeoplePages): void {
  const { people } = pages;

  /** Whether the viewer may already open the record (false: they need a reason); another organisation's is not found. */
  async function mayOpen(viewer: Viewer, personId: string): Promise<boolean> {
    try {
      await people.basis(viewer, personId);
      return true;
    } catch (error) {
      if (error instanceof PersonReasonRequiredError) return false;
      throw error;
    }
  }

  app.get('/people/:personId/access', { config: peoplePage('none') }, async (request, reply) =>
    aboutPerson(request, reply, async (personId, viewer) => {
      if (await mayOpen(viewer, personId)) return reply.redirect(peoplePaths.show(personId), 303);
      return renderNeedsReason(reply, 200, personId);
    }),
  );

  app.post(
    '/people/:personId/access',
    { config: peoplePage(['person.break_glass']) },
    async (request, reply) =>
      aboutPerson(request, reply, async (personId, viewer) => {
        const already = await mayOpen(viewer, personId);
        const form = parseForm(reasonForm, request.body);
        if (!form.ok)
          return renderNeedsReason(
            reply,
            400,
            personId,
            typedAnswers(request.body, ['reason']),
            onField(form.errors, 'reason'),
          );
        // Someone who may already open the record has nothing to give a reason for, nor to record.
        if (already) {
          nothingToAudit();
          return reply.redirect(peoplePaths.show(personId), 303);
        }
        await people.recordReason(viewer, personId, form.value.reason);
        return reply.redirect(`${peoplePaths.show(personId)}?done=reason-recorded`, 303);
      }),
  );

  async function renderReviews(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors?: FormErrors,
  ) {
    const done = accessReviewsQuery.parse(request.query).done;
    const reviews = await people.accessReviews(viewerOf(request));
    return reply.code(status).render('people/views/access-reviews.njk', {
      pageTitle: 'Reasons for access to review',
      backLink: peoplePaths.index,
      reviews,
      paths: peoplePaths,
      notice: done === 'reviewed' ? 'Marked as reviewed.' : undefined,
      errors,
    });
  }

  // Reasons and who gave them, with the person's id only: no one's record is read here.
  app.get('/people/access-reviews', { config: reviewersPage('none') }, async (request, reply) =>
    renderReviews(request, reply, 200),
  );

  app.post(
    '/people/access-reviews/:grantId/reviewed',
    { config: reviewersPage(['person.access_reviewed']) },
    async (request, reply) => {
      const params = grantParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const anchor = `review-${params.data.grantId}`;
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok) return renderReviews(request, reply, 400, linkedTo(form.errors, anchor));
      try {
        await people.markReviewed(viewerOf(request), params.data.grantId);
        return await reply.redirect(`${peoplePaths.accessReviews}?done=reviewed`, 303);
      } catch (error) {
        if (error instanceof PeopleRuleError)
          return renderReviews(request, reply, 400, linkedTo(fieldError('review', error.message), anchor));
        throw error;
      }
    },
  );
}
