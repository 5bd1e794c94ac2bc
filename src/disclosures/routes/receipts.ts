import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { DisclosureRuleError } from '../disclosures.errors.ts';
import { receiptForm } from '../disclosures.forms.ts';
import { disclosurePaths } from '../disclosures.paths.ts';
import type { Disclosure } from '../disclosures.service.ts';
import { disclosureRows } from '../disclosures.views.ts';
import { readersPage, type DisclosurePages } from './context.ts';
import { disclosureDetails } from './show.ts';

/** Receipts (R4.2.8, R4.4.2): recording that the recipient confirmed one, and those still awaited. */
export function receiptRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const { disclosures, policy } = pages;
  const detailsOf = disclosureDetails(pages);

  function renderReceipt(
    reply: FastifyReply,
    status: number,
    disclosure: Disclosure,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('disclosures/views/receipt.njk', {
      pageTitle: 'Record that receipt was confirmed',
      backLink: disclosurePaths.disclosure(disclosure.id),
      action: disclosurePaths.confirmReceipt(disclosure.id),
      values,
      errors,
      ...detailsOf(disclosure),
    });
  }

  app.get('/disclosures/:id/receipt', { config: readersPage('none') }, async (request, reply) => {
    const { disclosure } = await pages.findDisclosure(request);
    if (disclosure.receipt.dueOn === null || disclosure.receipt.confirmedAt !== null)
      return reply.redirect(disclosurePaths.disclosure(disclosure.id), 303);
    return renderReceipt(reply, 200, disclosure, {});
  });

  app.post(
    '/disclosures/:id/receipt',
    { config: readersPage(['disclosure.receipt_confirmed']) },
    async (request, reply) => {
      const { disclosure, viewer } = await pages.findDisclosure(request);
      const values = typedAnswers(request.body, ['how']);
      const form = parseForm(receiptForm, request.body);
      if (!form.ok) return renderReceipt(reply, 400, disclosure, values, form.errors);
      try {
        await disclosures.confirmReceipt(viewer, disclosure.id, form.value);
        return await reply.redirect(`${disclosurePaths.disclosure(disclosure.id)}?done=receipt`, 303);
      } catch (error) {
        if (error instanceof DisclosureRuleError)
          return renderReceipt(reply, 400, disclosure, values, ruleErrors(error, ['how']));
        throw error;
      }
    },
  );

  // The viewer's own receipts awaited (the organisation's, for oversight roles): a work list.
  app.get('/disclosures/receipts', { config: readersPage('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const awaited = await disclosures.awaitedReceipts(viewer);
    const ordered = [...awaited].sort((a, b) => Number(b.receipt.overdue) - Number(a.receipt.overdue));
    const rows = disclosureRows(ordered, policy).map((row, index) => ({
      ...row,
      dueOn: ordered[index]?.receipt.dueOn ?? null,
    }));
    return reply.render('disclosures/views/receipts.njk', {
      pageTitle: 'Receipts awaited',
      columnWidth: 'full',
      oversight: viewer.roles.some(
        (role) => role === 'dpo' || role === 'caldicott_guardian' || role === 'ig_lead',
      ),
      overdue: ordered.filter((disclosure) => disclosure.receipt.overdue).length,
      rows,
    });
  });
}
