import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/errors.ts';
import { formatDate, londonToday } from '../../lib/time.ts';
import { anchorDates, parseForm, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { DisclosureRuleError } from '../disclosures.errors.ts';
import {
  consentWithdrawalPageQuery,
  consentWithdrawalParams,
  methodLabels,
  withdrawalNoticeFields,
  withdrawalNoticeForm,
  withdrawalNoticeMethods,
  withdrawalNoticeParams,
} from '../disclosures.forms.ts';
import { disclosurePaths } from '../disclosures.paths.ts';
import type { AftermathRecipient, WithdrawalAftermath } from '../disclosures.withdrawal.service.ts';
import { errorsOf, recordersPage, type DisclosurePages } from './context.ts';

/**
 * After consent is withdrawn (R3.3): the organisations that already received information under
 * decisions that relied on it, and recording, in one step for each, that it was told. Both pages
 * read the consent record, so each showing is audited as a read of it.
 */
export function withdrawalRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const { disclosures, today, categoryName } = pages;

  /** The withdrawn consent's aftermath the address names, or a page that does not exist. */
  async function openAftermath(request: FastifyRequest, consentId: string): Promise<WithdrawalAftermath> {
    const aftermath = await disclosures.withdrawalAftermath(viewerOf(request), consentId);
    if (aftermath === undefined) throw new NotFoundError();
    return aftermath;
  }

  /** What the recipient was given, one line per disclosure, for the page and the suggested words. */
  function disclosureRows(recipient: AftermathRecipient) {
    return recipient.disclosures.map(({ disclosure, told }) => ({
      href: disclosurePaths.disclosure(disclosure.id),
      on: formatDate(londonToday(disclosure.disclosedAt)),
      method: methodLabels[disclosure.method],
      information: disclosure.categoryIds.map(categoryName).join(', '),
      reference: disclosure.decisionReference,
      told:
        told === null
          ? null
          : `${withdrawalNoticeMethods[told.method]} on ${formatDate(told.toldOn)}, recorded by ${told.toldByName}`,
    }));
  }

  app.get(
    '/consent-withdrawals/:consentId',
    { config: recordersPage(['consent.viewed']) },
    async (request, reply) => {
      const params = consentWithdrawalParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const aftermath = await openAftermath(request, params.data.consentId);
      const { done } = consentWithdrawalPageQuery.parse(request.query);
      return reply.render('disclosures/views/consent-withdrawn.njk', {
        pageTitle: 'Tell those who received information that consent was withdrawn',
        columnWidth: 'full',
        notice: done === 'told' ? 'Recorded: they were told that consent was withdrawn.' : undefined,
        personName: aftermath.personName,
        withdrawnOn: aftermath.withdrawnOn,
        recipients: aftermath.recipients.map((recipient) => ({
          name: recipient.organisationName,
          told: recipient.told,
          tellPath: disclosurePaths.tellWithdrawn(aftermath.consentId, recipient.organisationId),
          disclosures: disclosureRows(recipient),
        })),
      });
    },
  );

  function renderTell(
    reply: FastifyReply,
    status: number,
    aftermath: WithdrawalAftermath,
    recipient: AftermathRecipient,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const given = disclosureRows(recipient);
    return reply.code(status).render('disclosures/views/consent-withdrawn-tell.njk', {
      pageTitle: `Tell ${recipient.organisationName} that consent was withdrawn`,
      backLink: disclosurePaths.consentWithdrawn(aftermath.consentId),
      action: disclosurePaths.tellWithdrawn(aftermath.consentId, recipient.organisationId),
      organisationName: recipient.organisationName,
      personName: aftermath.personName,
      withdrawnOn: aftermath.withdrawnOn,
      disclosures: given.filter((row) => row.told === null),
      references: [...new Set(given.map((row) => row.reference))].join(', '),
      methodItems: Object.entries(withdrawalNoticeMethods).map(([value, text]) => ({ value, text })),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['toldOn']),
    });
  }

  /** The recipient the address names, still to be told; told already or unknown is a page that does not exist. */
  async function openRecipient(request: FastifyRequest) {
    const params = withdrawalNoticeParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const aftermath = await openAftermath(request, params.data.consentId);
    const recipient = aftermath.recipients.find(
      (candidate) => candidate.organisationId === params.data.organisationId,
    );
    if (recipient === undefined) throw new NotFoundError();
    return { aftermath, recipient };
  }

  app.get(
    '/consent-withdrawals/:consentId/organisations/:organisationId',
    { config: recordersPage(['consent.viewed']) },
    async (request, reply) => {
      const { aftermath, recipient } = await openRecipient(request);
      if (recipient.told) return reply.redirect(disclosurePaths.consentWithdrawn(aftermath.consentId), 303);
      const [year, month, day] = today().split('-');
      return renderTell(reply, 200, aftermath, recipient, {
        'toldOn-day': String(Number(day)),
        'toldOn-month': String(Number(month)),
        'toldOn-year': year,
      });
    },
  );

  app.post(
    '/consent-withdrawals/:consentId/organisations/:organisationId',
    { config: recordersPage(['disclosure.withdrawal_told', 'consent.viewed']) },
    async (request, reply) => {
      const { aftermath, recipient } = await openRecipient(request);
      const values = typedAnswers(request.body, withdrawalNoticeFields);
      const form = parseForm(withdrawalNoticeForm({ today: today() }), request.body);
      if (!form.ok) return renderTell(reply, 400, aftermath, recipient, values, form.errors);
      try {
        await disclosures.recordWithdrawalTold(
          viewerOf(request),
          aftermath.consentId,
          recipient.organisationId,
          form.value,
        );
        return await reply.redirect(
          `${disclosurePaths.consentWithdrawn(aftermath.consentId)}?done=told`,
          303,
        );
      } catch (error) {
        if (!(error instanceof DisclosureRuleError)) throw error;
        const problems = error.problems.map((problem) => ({ field: problem.field, text: problem.message }));
        return renderTell(reply, 400, aftermath, recipient, values, errorsOf(problems));
      }
    },
  );
}
