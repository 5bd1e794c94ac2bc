import type { FastifyInstance, FastifyReply } from 'fastify';
import { RuleError } from '../../lib/errors.ts';
import { nothingToAudit } from '../../lib/request-context.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import { addMonths } from '../consent.record.ts';
import { reviewFields, reviewForm } from '../consent.schema.ts';
import type { ConsentDetails } from '../consent.service.ts';
import { consentPage, dateFields, isLive, type ConsentPages } from './context.ts';

/** Reviewing a consent (R3.4): it still stands until a new date, or it has changed and is recorded anew. */
export function reviewRoutes(app: FastifyInstance, pages: ConsentPages): void {
  const { consents, policy, detailsContext } = pages;

  function renderReview(
    reply: FastifyReply,
    status: number,
    details: ConsentDetails,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const suggested = addMonths(
      consents.today(),
      Math.min(
        ...details.consent.purposeIds.map(
          (id) => policy.purposes.find((purpose) => purpose.id === id)?.reviewMonths ?? 12,
        ),
      ),
    );
    return reply.code(status).render('consent/views/review.njk', {
      pageTitle: 'Review consent',
      backLink: consentPaths.show(details.consent.id),
      action: consentPaths.review(details.consent.id),
      values,
      suggested,
      errors: errors === undefined ? undefined : anchorDates(errors, dateFields),
      ...detailsContext(details),
    });
  }

  app.get('/consents/:id/review', { config: consentPage(['consent.viewed']) }, async (request, reply) => {
    const { details } = await pages.openConsent(request, 'review');
    if (!isLive(details.consent.status)) return reply.redirect(consentPaths.show(details.consent.id), 303);
    return renderReview(reply, 200, details, {});
  });

  app.post('/consents/:id/review', { config: consentPage(['consent.reviewed']) }, async (request, reply) => {
    const { details, viewer } = await pages.openConsent(request, 'review');
    const values = typedAnswers(request.body, reviewFields);
    const form = parseForm(reviewForm({ today: consents.today() }), request.body);
    if (!form.ok) return renderReview(reply, 400, details, values, form.errors);
    if (!isLive(details.consent.status)) {
      return renderReview(reply, 400, details, values, {
        summary: [
          {
            text: 'This consent record is no longer in force: record a new consent instead',
            href: '#reviewOutcome',
          },
        ],
        fields: {},
      });
    }
    if (form.value.outcome === 'changed') {
      // The changed consent is recorded anew: the recording form audits its showing, and the record its saving.
      nothingToAudit();
      return reply.redirect(consentPaths.supersede(details.person.id, details.consent.id), 303);
    }
    try {
      await consents.review(viewer, details.consent.id, form.value);
      return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=reviewed`, 303);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return renderReview(reply, 400, details, values, ruleErrors(error, reviewFields, dateFields));
    }
  });
}
