import type { FastifyInstance, FastifyReply } from 'fastify';
import { RuleError } from '../../lib/errors.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import { withdrawalFields, withdrawalForm, withdrawalMethods, withdrawers } from '../consent.schema.ts';
import type { ConsentDetails } from '../consent.service.ts';
import { consentPage, dateFields, type ConsentPages } from './context.ts';
import { withdrawalMethodNames, withdrawnByNames } from './names.ts';

/** Recording that consent was withdrawn (R3.3): it takes effect at once (invariant 3). */
export function withdrawRoutes(app: FastifyInstance, pages: ConsentPages): void {
  const { consents, detailsContext } = pages;

  function renderWithdraw(
    reply: FastifyReply,
    status: number,
    details: ConsentDetails,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('consent/views/withdraw.njk', {
      pageTitle: 'Record that consent has been withdrawn',
      backLink: consentPaths.show(details.consent.id),
      action: consentPaths.withdraw(details.consent.id),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, dateFields),
      methodItems: withdrawalMethods.map((value) => ({ value, text: withdrawalMethodNames[value] })),
      withdrawnByItems: withdrawers.map((value) => ({ value, text: withdrawnByNames[value] })),
      ...detailsContext(details),
    });
  }

  app.get('/consents/:id/withdraw', { config: consentPage(['consent.viewed']) }, async (request, reply) => {
    const { details } = await pages.openConsent(request, 'withdraw');
    if (details.consent.status !== 'given') return reply.redirect(consentPaths.show(details.consent.id), 303);
    return renderWithdraw(reply, 200, details, {});
  });

  app.post(
    '/consents/:id/withdraw',
    { config: consentPage(['consent.withdrawn']) },
    async (request, reply) => {
      const { details, viewer } = await pages.openConsent(request, 'withdraw');
      const values = typedAnswers(request.body, withdrawalFields);
      if (details.consent.status === 'withdrawn')
        return renderWithdraw(reply, 400, details, values, {
          summary: [{ text: 'This consent has already been withdrawn', href: '#withdrawnOn-day' }],
          fields: {},
        });
      const form = parseForm(
        withdrawalForm({ today: consents.today(), givenOn: details.consent.givenOn }),
        request.body,
      );
      if (!form.ok) return renderWithdraw(reply, 400, details, values, form.errors);
      try {
        await consents.withdraw(viewer, details.consent.id, form.value);
        return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=withdrawn`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderWithdraw(reply, 400, details, values, ruleErrors(error, withdrawalFields, dateFields));
      }
    },
  );
}
