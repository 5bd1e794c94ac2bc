import { custodyPaths } from '../../custody/custody.paths.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checklistFor } from '../../channels/index.ts';
import type { ChannelMethodId } from '../../policy/index.ts';
import { incidentPaths } from '../../incidents/incidents.paths.ts';
import { sharingPaths } from '../../sharing/index.ts';
import { disclosurePageQuery, methodLabels } from '../disclosures.forms.ts';
import { disclosurePaths } from '../disclosures.paths.ts';
import type { Disclosure } from '../disclosures.service.ts';
import { receiptTag } from '../disclosures.views.ts';
import { readersPage, type DisclosurePages } from './context.ts';

const serviceNames: Record<string, string> = {
  registered: 'Registered post',
  'signed-for': 'Signed for',
  courier: 'An approved courier',
};
const callNames: Record<string, string> = {
  incoming: 'I received the call',
  outgoing: 'I made the call',
};
const identityNames: Record<string, string> = {
  'known-to-you': 'I know them',
  'through-switchboard': 'I called through the organisation’s published switchboard',
};
const messageNames: Record<string, string> = {
  none: 'No message',
  'with-someone-else': 'A message with someone else',
  voicemail: 'A voicemail message',
};

const storedAdvice = z.object({
  reasons: z
    .array(z.object({ requirement: z.string(), effect: z.string(), explanation: z.string() }))
    .catch([]),
});

/** What a disclosure's pages show of it: the method's checklist as answered, the advice, the receipt. */
export function disclosureDetails(pages: DisclosurePages) {
  const { policy, labels, categoryName } = pages;

  function answerText(method: ChannelMethodId, id: string, value: unknown): string | undefined {
    if (typeof value === 'boolean') return value ? 'Yes' : 'No';
    if (typeof value === 'string') {
      if (method === 'telephone' && id === 'messageLeft') return messageNames[value] ?? value;
      if (method === 'telephone' && id === 'callDirection') return callNames[value] ?? value;
      if (method === 'telephone' && id === 'identityConfirmed') return identityNames[value] ?? value;
      if (method === 'post' && id === 'service') return serviceNames[value] ?? value;
      if (method === 'post' && id === 'courierId')
        return policy.channels.approvedCouriers.find((courier) => courier.id === value)?.label ?? value;
      return value;
    }
    if (typeof value === 'object' && value !== null) {
      // A postal address, in the order it is written (the database keeps keys in its own order).
      const address = value as Record<string, unknown>;
      return ['line1', 'line2', 'town', 'postcode']
        .map((part) => address[part])
        .filter((part): part is string => typeof part === 'string' && part !== '')
        .join(', ');
    }
    return undefined;
  }

  function detailsOf(disclosure: Disclosure) {
    const checklist = checklistFor(disclosure.method).flatMap((item) => {
      const text = answerText(disclosure.method, item.id, disclosure.checklist[item.id]);
      return text === undefined || text === ''
        ? []
        : [{ question: item.question, requirement: item.requirement, answer: text }];
    });
    const advice = storedAdvice.safeParse(disclosure.methodAdvice);
    return {
      disclosure,
      methodLabel: methodLabels[disclosure.method],
      information: disclosure.categoryIds.map(categoryName),
      purpose: labels.purposes[disclosure.purposeId] ?? disclosure.purposeId,
      decisionPath: sharingPaths.decision(disclosure.decisionId),
      checklist,
      reasons: advice.success
        ? advice.data.reasons.map((reason) => `${reason.requirement}: ${reason.explanation}`)
        : [],
      receiptTag: receiptTag(disclosure),
      canConfirm: disclosure.receipt.dueOn !== null && disclosure.receipt.confirmedAt === null,
      confirmPath: disclosurePaths.confirmReceipt(disclosure.id),
    };
  }

  return detailsOf;
}

/** One disclosure in the log. */
export function showRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const detailsOf = disclosureDetails(pages);

  const notices = { recorded: 'Disclosure recorded.', receipt: 'Receipt recorded.' } as const;

  // Open to whoever may open the decision it was made under; reading it writes no event.
  app.get('/disclosures/:id', { config: readersPage('none') }, async (request, reply) => {
    const { disclosure } = await pages.findDisclosure(request);
    const done = disclosurePageQuery.parse(request.query).done;
    return reply.render('disclosures/views/show.njk', {
      pageTitle: `Disclosure under ${disclosure.decisionReference}`,
      backLink: sharingPaths.decision(disclosure.decisionId),
      notice: done === undefined ? undefined : notices[done],
      // R5.1: an incident is reported straight from the disclosure it concerns.
      reportIncidentPath: `${incidentPaths.report()}?disclosure=${disclosure.id}`,
      offSiteEntryPath:
        disclosure.offSiteEntryId === null ? null : custodyPaths.item(disclosure.offSiteEntryId),
      ...detailsOf(disclosure),
    });
  });
}
