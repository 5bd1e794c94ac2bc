import type { FastifyInstance, FastifyReply } from 'fastify';
import { RuleError } from '../../lib/errors.ts';
import { formErrors, linkedTo, parseForm, type FormErrors } from '../../web/forms.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionView } from '../sharing.service.ts';
import { questionQuery } from '../forms/params.ts';
import {
  blankRecipient,
  maxRecipients,
  recipientReasonLimit,
  recipientsPost,
  recipientsSectionFrom,
  recipientValues,
  type RecipientValues,
} from '../forms/recipients.ts';
import { nextPath } from '../pages/navigation.ts';
import { deciders, notAuthor, questionContext, sectionErrors, type DecisionPages } from './context.ts';

/** 3. The recipients: a block per recipient, with "add another" and "remove" that work without JavaScript. */
export function recipientRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, orgs, openDecision } = pages;

  async function renderRecipients(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    fromCheck: boolean,
    blocks: readonly RecipientValues[],
    errors?: FormErrors,
  ) {
    return reply.code(status).render('sharing/views/recipients.njk', {
      ...questionContext(pages, view, 'recipients', fromCheck),
      view,
      blocks,
      errors,
      maxRecipients,
      reasonLimit: recipientReasonLimit,
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...(await orgs.list()).map((organisation) => ({ value: organisation.id, text: organisation.name })),
      ],
    });
  }

  app.get('/decisions/:id/recipients', { config: deciders('none') }, async (request, reply) => {
    const { view } = await openDecision(request, false);
    if (!view.can.edit) return reply.redirect(sharingPaths.decision(view.id), 303);
    return renderRecipients(
      reply,
      200,
      view,
      questionQuery.parse(request.query).from === 'check',
      recipientValues(view.answers.recipients, view.answers.request),
    );
  });

  // "Continue" saves the blocks (`decision.saved`); "add another" and "remove" only show them again
  // and write nothing.
  app.post(
    '/decisions/:id/recipients',
    { config: deciders({ sometimes: ['decision.saved'] }) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const posted = parseForm(recipientsPost, request.body);
      if (!posted.ok)
        return renderRecipients(
          reply,
          400,
          view,
          fromCheck,
          recipientValues(view.answers.recipients, view.answers.request),
          linkedTo(posted.errors, 'recipients.0.name'),
        );
      const blocks: RecipientValues[] =
        posted.value.recipients.length === 0 ? [blankRecipient] : posted.value.recipients;
      const action = posted.value.action;
      if (action.kind === 'add')
        return renderRecipients(
          reply,
          200,
          view,
          fromCheck,
          blocks.length >= maxRecipients ? blocks : [...blocks, blankRecipient],
        );
      if (action.kind === 'remove') {
        const remaining = blocks.filter((_block, index) => index !== action.index);
        return renderRecipients(
          reply,
          200,
          view,
          fromCheck,
          remaining.length === 0 ? [blankRecipient] : remaining,
        );
      }
      const section = recipientsSectionFrom(blocks);
      if (!section.ok)
        return renderRecipients(reply, 400, view, fromCheck, blocks, formErrors(section.issues));
      try {
        await sharing.save(viewer, view.id, { recipients: section.value });
      } catch (error) {
        if (error instanceof RuleError)
          return renderRecipients(
            reply,
            400,
            view,
            fromCheck,
            blocks,
            sectionErrors(
              error,
              blocks.flatMap((_block, index) => [
                `recipients.${String(index)}.organisationId`,
                `recipients.${String(index)}.name`,
              ]),
            ),
          );
        throw error;
      }
      return reply.redirect(nextPath(view.id, 'recipients', fromCheck, view.answers), 303);
    },
  );
}
