import { incidentPaths } from '../../incidents/incidents.paths.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isChannelMethodId } from '../../channels/index.ts';
import { anchorDates, parseForm, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { DisclosureRuleError } from '../disclosures.errors.ts';
import {
  methodLabels,
  misdirectedActions,
  misdirectedFields,
  misdirectedForm,
  misdirectedPageQuery,
} from '../disclosures.forms.ts';
import { disclosurePaths } from '../disclosures.paths.ts';
import { errorsOf, listFields, readersPage, type DisclosurePages } from './context.ts';

/** Misdirected information received (R4.4.3): the organisation's log, and recording an arrival. */
export function misdirectedRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const { disclosures, policy, today } = pages;

  app.get('/misdirected', { config: readersPage('none') }, async (request, reply) => {
    const records = await disclosures.misdirected(viewerOf(request));
    const done = misdirectedPageQuery.parse(request.query).done;
    return reply.render('disclosures/views/misdirected.njk', {
      pageTitle: 'Misdirected information',
      columnWidth: 'full',
      notice: done === undefined ? undefined : 'Misdirected information recorded.',
      newPath: disclosurePaths.newMisdirected(),
      // R5.1: an incident about what arrived starts from its entry.
      incidentPath: incidentPaths.report(),
      records: records.map((record) => ({
        ...record,
        method: isChannelMethodId(record.method) ? methodLabels[record.method] : record.method,
        done: [
          record.passedOn ? 'Passed to the right recipient' : undefined,
          record.senderTold ? 'Sender told' : undefined,
        ]
          .filter((text) => text !== undefined)
          .join('; '),
      })),
    });
  });

  function renderMisdirected(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('disclosures/views/misdirected-new.njk', {
      pageTitle: 'Record misdirected information',
      backLink: disclosurePaths.misdirected(),
      action: disclosurePaths.newMisdirected(),
      methodItems: policy.channels.methods.map((rule) => ({ value: rule.id, text: methodLabels[rule.id] })),
      actionItems: misdirectedActions.map((value) => ({
        value,
        text:
          value === 'passedOn'
            ? 'I passed it to the right recipient'
            : 'I told the sender it reached the wrong place',
      })),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['receivedOn']),
    });
  }

  app.get('/misdirected/new', { config: readersPage('none') }, async (_request, reply) =>
    renderMisdirected(reply, 200, {}),
  );

  app.post('/misdirected/new', { config: readersPage(['misdirected.recorded']) }, async (request, reply) => {
    const values = typedAnswers(request.body, misdirectedFields, listFields);
    const form = parseForm(misdirectedForm({ today: today() }), request.body);
    if (!form.ok) return renderMisdirected(reply, 400, values, form.errors);
    try {
      await disclosures.recordMisdirected(viewerOf(request), form.value);
      return await reply.redirect(`${disclosurePaths.misdirected()}?done=recorded`, 303);
    } catch (error) {
      if (error instanceof DisclosureRuleError)
        return renderMisdirected(
          reply,
          400,
          values,
          // The service names the checkboxes' rule `action`; the page's field is `actions`.
          errorsOf(
            error.problems.map((problem) => ({
              field: problem.field === 'action' ? 'actions' : problem.field,
              text: problem.message,
            })),
          ),
        );
      throw error;
    }
  });
}
