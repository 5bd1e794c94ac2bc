import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleNames, type Viewer } from '../../auth/index.ts';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import type { Adviser } from '../../policy/index.ts';
import type { AuditDeclaration } from '../../web/access.ts';
import {
  parseForm,
  ruleErrors,
  typedAnswers,
  viewerOf,
  type FormErrors,
  type TypedAnswers,
} from '../../web/forms.ts';
import { adviceSummary } from '../sharing.advice.ts';
import { sharingPaths } from '../sharing.paths.ts';
import {
  adviceInboxQuery,
  adviceParams,
  answerAdviceForm,
  askAdviceForm,
  decisionParams,
  maxAnswerLength,
  maxQuestionLength,
} from '../sharing.review.schema.ts';
import {
  advisingRoles,
  type AdviceItem,
  type AdviceRequestView,
  type DecisionView,
} from '../sharing.service.ts';
import { paragraphs } from '../pages/approval.ts';
import { approverList, approverName } from '../pages/names.ts';
import { notAuthor, type SharingReviewRouteOptions } from './context.ts';

/** Those who start decisions, and so may ask for advice on them. */
function authors(audit: AuditDeclaration) {
  return {
    access: [
      'practitioner',
      'manager',
      'dpo',
      'caldicott_guardian',
      'ig_lead',
      'child_protection_adviser',
    ] as const,
    audit,
  };
}

/** Those who may be asked for advice or approval: the roles a pack names, and line managers, who may hold any casework role. */
export function reviewers(audit: AuditDeclaration) {
  return {
    access: [
      'practitioner',
      'manager',
      'caldicott_guardian',
      'dpo',
      'ig_lead',
      'child_protection_adviser',
    ] as const,
    audit,
  };
}

const adviceNotices = {
  answered: 'Your advice has been recorded on the decision. The practitioner has been told.',
} as const;

const askFields = ['adviser', 'supervisorId', 'question', 'shareIdentities'];

/**
 * Asking for advice on a decision (R2.15, R2.19; R2.3 when unsure which law applies), the adviser's
 * inbox, and one request with its answer. The service decides who may see and answer each; anything
 * a viewer may not see is a page that does not exist.
 */
export function adviceRoutes(app: FastifyInstance, options: SharingReviewRouteOptions): void {
  const { sharing, policy, staff } = options;

  function adviserItems(view: DecisionView, values: TypedAnswers) {
    const unsure = view.answers.lawfulBasis?.unsure === true;
    return policy.sharing.advisers.map((adviser) => ({
      value: adviser,
      text: approverName(adviser, 'practitioner'),
      hint:
        unsure && (view.assessment.lawAdvisersNeeded as readonly Adviser[]).includes(adviser)
          ? {
              text: view.assessment.lawAdvisersOutstanding.some((needed) => needed === adviser)
                ? 'Must give advice on which law applies before the decision can be recorded'
                : 'Has given advice on which law applies',
            }
          : undefined,
      checked: values['adviser'] === adviser,
    }));
  }

  /** Colleagues who could supervise the practitioner: active staff of their organisation, not themself. */
  async function supervisorItems(viewer: Viewer, values: TypedAnswers) {
    const colleagues = (await staff.list({ organisationId: viewer.organisationId })).filter(
      (member) => member.active && member.id !== viewer.userId,
    );
    return [
      { value: '', text: 'Choose a colleague' },
      ...colleagues.map((member) => ({
        value: member.id,
        text: member.jobTitle === null ? member.displayName : `${member.displayName}, ${member.jobTitle}`,
        selected: values['supervisorId'] === member.id,
      })),
    ];
  }

  async function renderAsk(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    viewer: Viewer,
    values: TypedAnswers,
    errors?: FormErrors,
  ) {
    const unsure = view.answers.lawfulBasis?.unsure === true;
    return reply.code(status).render('sharing/views/ask-advice.njk', {
      supervisorItems: policy.sharing.advisers.includes('supervisor')
        ? await supervisorItems(viewer, values)
        : undefined,
      pageTitle: 'Ask for advice',
      backLink: sharingPaths.decision(view.id),
      action: sharingPaths.askAdvice(view.id),
      reference: view.reference,
      values,
      errors,
      adviserItems: adviserItems(view, values),
      lawAdvice: unsure
        ? {
            outstanding: view.assessment.lawAdviceOutstanding,
            advisers: approverList(view.assessment.lawAdvisersNeeded, 'practitioner', 'and'),
            waitingFor: approverList(view.assessment.lawAdvisersOutstanding, 'practitioner', 'and'),
            several: view.assessment.lawAdvisersNeeded.length > 1,
          }
        : undefined,
      anonymisedSummary: adviceSummary(view, policy, { anonymised: true }).split('\n'),
      identifiedSummary: adviceSummary(view, policy, { anonymised: false }).split('\n'),
      maxQuestionLength,
    });
  }

  /** The decision the address names, as this viewer may see it (not audited: the author's own). */
  async function openDecision(request: FastifyRequest) {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { view: await sharing.open(viewer, params.data.id), viewer };
  }

  app.get('/decisions/:id/ask-for-advice', { config: authors('none') }, async (request, reply) => {
    const { view, viewer } = await openDecision(request);
    if (!view.can.askAdvice) return reply.redirect(sharingPaths.decision(view.id), 303);
    return renderAsk(reply, 200, view, viewer, { shareIdentities: 'no' });
  });

  app.post(
    '/decisions/:id/ask-for-advice',
    { config: authors(['advice.requested']) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request);
      // Only the author asks, at any stage, after recording too (R2.15). A refusal writes nothing,
      // so the answer is a refusal, never a redirect.
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const values = typedAnswers(request.body, askFields);
      const form = parseForm(askAdviceForm(policy.sharing.advisers), request.body);
      if (!form.ok) return renderAsk(reply, 400, view, viewer, values, form.errors);
      try {
        await sharing.askAdvice(viewer, view.id, {
          adviser: form.value.adviser,
          supervisorId: form.value.supervisorId,
          question: form.value.question,
          anonymised: form.value.shareIdentities === 'no',
        });
      } catch (error) {
        if (error instanceof RuleError)
          return renderAsk(reply, 400, view, viewer, values, ruleErrors(error, askFields));
        throw error;
      }
      return reply.redirect(`${sharingPaths.decision(view.id)}?done=advice`, 303);
    },
  );

  function adviceRow(item: AdviceItem & { readonly reference: string }) {
    return {
      path: sharingPaths.advice(item.id),
      reference: item.reference,
      askedByName: item.askedByName,
      askedAt: item.askedAt,
      adviser:
        item.adviser === 'line-manager'
          ? 'You, as line manager'
          : item.adviser === 'supervisor'
            ? 'You, as supervisor'
            : roleNames[item.adviser],
      anonymised: item.anonymised,
      answeredByName: item.answeredByName ?? '',
      answeredAt: item.answeredAt,
    };
  }

  app.get('/advice', { config: reviewers('none') }, async (request, reply) => {
    const inbox = await sharing.adviceInbox(viewerOf(request));
    const done = adviceInboxQuery.parse(request.query).done;
    return reply.render('sharing/views/advice-inbox.njk', {
      pageTitle: 'Advice requests',
      notice: done === undefined ? undefined : adviceNotices[done],
      open: inbox.open.map(adviceRow),
      answered: inbox.answered.map(adviceRow),
      columnWidth: 'full',
    });
  });

  function renderAdvice(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    view: AdviceRequestView,
    values: TypedAnswers,
    errors?: FormErrors,
  ) {
    const adviser = advisingRoles.some((role) => viewer.roles.includes(role)) || view.canAnswer;
    return reply.code(status).render('sharing/views/advice-request.njk', {
      pageTitle: view.status === 'open' && view.canAnswer ? 'Give advice' : 'Request for advice',
      backLink:
        adviser || !view.canOpenDecision
          ? sharingPaths.adviceInbox()
          : sharingPaths.decision(view.decisionId),
      action: sharingPaths.advice(view.id),
      advice: {
        reference: view.decisionReference,
        anonymised: view.anonymised,
        askedByName: view.askedByName,
        askedAt: view.askedAt,
        adviser: approverName(view.adviser),
        open: view.status === 'open',
        question: paragraphs(view.question),
        summary: view.summary.split('\n'),
        answer: paragraphs(view.answer),
        answeredByName: view.answeredByName ?? '',
        answeredAt: view.answeredAt,
      },
      canAnswer: view.canAnswer && view.status === 'open',
      decisionPath: view.canOpenDecision ? sharingPaths.decision(view.decisionId) : undefined,
      values,
      errors,
      maxAnswerLength,
    });
  }

  /** The advice request the address names, as this viewer may see it; reading it writes `advice.viewed`. */
  async function openAdvice(request: FastifyRequest) {
    const params = adviceParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { view: await sharing.adviceRequest(viewer, params.data.adviceId), viewer };
  }

  app.get('/advice/:adviceId', { config: reviewers(['advice.viewed']) }, async (request, reply) => {
    const { view, viewer } = await openAdvice(request);
    return renderAdvice(reply, 200, viewer, view, {});
  });

  app.post('/advice/:adviceId', { config: reviewers(['advice.answered']) }, async (request, reply) => {
    const { view, viewer } = await openAdvice(request);
    const values = typedAnswers(request.body, ['answer']);
    const form = parseForm(answerAdviceForm, request.body);
    if (!form.ok) return renderAdvice(reply, 400, viewer, view, values, form.errors);
    try {
      await sharing.answerAdvice(viewer, view.id, form.value.answer);
    } catch (error) {
      if (error instanceof RuleError)
        return renderAdvice(
          reply,
          400,
          viewer,
          await sharing.adviceRequest(viewer, view.id),
          values,
          ruleErrors(error, ['answer']),
        );
      throw error;
    }
    return reply.redirect(`${sharingPaths.adviceInbox()}?done=answered`, 303);
  });
}
