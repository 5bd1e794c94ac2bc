import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import { consentPaths } from '../../consent/index.ts';
import { historyDisclosureRows } from '../../disclosures/index.ts';
import { NotFoundError, ReasonRequiredError, RuleError } from '../../lib/errors.ts';
import { PersonAccessError } from '../../people/index.ts';
import { linkedTo, parseForm, ruleErrors, viewerOf, type FormErrors } from '../../web/forms.ts';
import { outcomeNames } from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionListItem } from '../sharing.service.ts';
import { decisionStatusNames } from '../sharing.status.ts';
import { personParams, startForm } from '../forms/params.ts';
import { decisionStatusTags, personName, purposeName } from '../pages/names.ts';
import { pagePath } from '../pages/navigation.ts';
import { deciders, type DecisionPages } from './context.ts';

/** "My decisions", starting a decision, and a person's sharing history (R2.23). */
export function listRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, policy, disclosures, staff } = pages;

  function listRow(item: DecisionListItem) {
    return {
      reference: item.reference,
      path: sharingPaths.decision(item.id),
      purpose: purposeName(policy, item.purposeId),
      people: item.peopleCount,
      status: decisionStatusNames[item.status],
      statusTag: decisionStatusTags[item.status],
      outcome:
        item.outcome === null || !isOutcome(item.outcome) ? 'Not yet decided' : outcomeNames[item.outcome],
      startedByName: item.startedByName,
      date: item.recordedAt ?? item.updatedAt,
    };
  }

  app.get('/decisions', { config: deciders('none') }, async (request, reply) => {
    const mine = await sharing.mine(viewerOf(request));
    const rows = (items: readonly DecisionListItem[]) => items.map((item) => listRow(item));
    return reply.render('sharing/views/mine.njk', {
      pageTitle: 'Sharing decisions',
      columnWidth: 'full',
      startPath: sharingPaths.start(),
      lists: [
        { id: 'drafts', caption: 'Drafts', empty: 'You have no draft decisions.', rows: rows(mine.drafts) },
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
    const training = await staff.trainingOf(viewer.userId);
    return reply.code(status).render('sharing/views/start.njk', {
      training,
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

  app.post('/decisions/new', { config: deciders(['decision.started']) }, async (request, reply) => {
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
  });

  // A person's sharing history (R2.23): every decision about them, and what was disclosed, newest first.
  app.get(
    '/people/:personId/sharing',
    { config: deciders(['person.sharing_history_viewed']) },
    async (request, reply) => {
      const params = personParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const history = await disclosures
        .history(viewerOf(request), params.data.personId)
        .catch((error: unknown) => {
          throw asDomainError(error, params.data.personId);
        });
      return reply.render('sharing/views/person-history.njk', {
        pageTitle: `Sharing decisions – ${personName(history.person)}`,
        columnWidth: 'full',
        backLink: consentPaths.person(history.person.id),
        personName: personName(history.person),
        personId: history.person.id,
        startPath: sharingPaths.start(),
        rows: history.entries.flatMap((entry) =>
          entry.kind === 'decision' ? [listRow(entry.decision)] : [],
        ),
        disclosureRows: historyDisclosureRows(history.entries, policy),
      });
    },
  );
}

function isOutcome(value: string): value is keyof typeof outcomeNames {
  return Object.hasOwn(outcomeNames, value);
}

/**
 * The people capability's refusal as the shared domain error the app's handler answers: no such
 * person is a 404; no relationship to them sends the practitioner to their page, which asks for a
 * reason first (invariant 4).
 */
function asDomainError(error: unknown, personId: string): unknown {
  if (!(error instanceof PersonAccessError)) return error;
  return error.kind === 'needs-reason' ? new ReasonRequiredError(personId) : new NotFoundError();
}
