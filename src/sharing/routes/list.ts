import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import { RuleError } from '../../lib/errors.ts';
import { linkedTo, parseForm, ruleErrors, viewerOf, type FormErrors } from '../../web/forms.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionListItem } from '../sharing.service.ts';
import { startForm } from '../forms/params.ts';
import { decisionListRow } from '../pages/names.ts';
import { pagePath } from '../pages/navigation.ts';
import { deciders, type DecisionPages } from './context.ts';

/** "My decisions" and starting a decision. */
export function listRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, policy, staff } = pages;

  app.get('/decisions', { config: deciders('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const mine = await sharing.mine(viewer);
    // The author sees who each decision is about, by name (their own reads of it are not audited).
    const rows = (items: readonly DecisionListItem[]) =>
      items.map((item) => {
        const names = item.peopleNames ?? [];
        const hidden = item.peopleCount - names.length;
        return {
          ...decisionListRow(policy, item),
          people: [...names, ...(hidden > 0 ? [`${String(hidden)} more`] : [])].join(', ') || 'Nobody yet',
        };
      });
    return reply.render('sharing/views/mine.njk', {
      pageTitle: 'Sharing decisions',
      columnWidth: 'full',
      startPath: sharingPaths.start(),
      lists: [
        {
          id: 'drafts',
          caption: 'Drafts',
          empty: 'You have no draft decisions.',
          rows: rows(mine.drafts),
        },
        {
          id: 'advice',
          caption: 'Waiting for advice',
          empty: 'None of your decisions is waiting for advice.',
          rows: rows(mine.waitingForAdvice),
        },
        {
          id: 'approval',
          caption: 'Waiting for approval',
          empty: 'None of your decisions is waiting for approval.',
          rows: rows(mine.waitingForApproval),
        },
        {
          id: 'recorded',
          caption: 'Recently recorded',
          empty: 'You have not recorded any decisions yet.',
          rows: rows(mine.recorded),
        },
      ],
    });
  });

  async function renderStart(reply: FastifyReply, status: number, viewer: Viewer, errors?: FormErrors) {
    const [training, trainingBlock] = await Promise.all([
      staff.trainingOf(viewer.userId),
      sharing.trainingBlock(viewer),
    ]);
    return reply.code(status).render('sharing/views/start.njk', {
      training,
      trainingBlock,
      pageTitle: 'Make a sharing decision',
      backLink: sharingPaths.mine(),
      action: sharingPaths.start(),
      guidance: policy.sharing.guidance,
      errors,
    });
  }

  app.get('/decisions/new', { config: deciders('none') }, async (request, reply) =>
    renderStart(reply, 200, viewerOf(request)),
  );

  app.post(
    '/decisions/new',
    { config: deciders(['decision.started', 'decision.reopened']) },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const form = parseForm(startForm, request.body);
      // The start page has one button and no fields: every message links to it.
      if (!form.ok) return renderStart(reply, 400, viewer, linkedTo(form.errors, 'start'));
      try {
        const id = await sharing.start(
          viewer,
          form.value.personId === undefined ? {} : { personId: form.value.personId },
        );
        return await reply.redirect(pagePath(id, 'request'), 303);
      } catch (error) {
        if (error instanceof RuleError)
          return renderStart(reply, 400, viewer, linkedTo(ruleErrors(error, []), 'start'));
        throw error;
      }
    },
  );
}
