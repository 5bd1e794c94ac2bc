import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import { RuleError } from '../../lib/errors.ts';
import { linkedTo, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { outcomeNames } from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionView } from '../sharing.service.ts';
import { decisionStatusNames } from '../sharing.status.ts';
import {
  confirmationForm,
  emergencyForm,
  emergencyRiskLimit,
  overviewQuery,
  type OverviewNotice,
} from '../forms/params.ts';
import { decisionStatusTags, personName, purposeName } from '../pages/names.ts';
import { problemLinks, taskList } from '../pages/navigation.ts';
import { advicePanel, approvalsPanel } from '../pages/panels.ts';
import { deciders, notAuthor, readers, type DecisionPages } from './context.ts';

const overviewNotices: Record<OverviewNotice, string> = {
  sent: 'The decision has been sent for approval. Its answers cannot change until the approvers reply, unless you withdraw the request.',
  withdrawn: 'The request for approval has been withdrawn. You can change the decision again.',
  discarded: 'The draft has been discarded. It is no longer listed, and is kept only for the audit trail.',
  addendum: 'Addendum added to the record.',
  advice:
    'Your request for advice has been sent. The answer will be recorded on this decision, and you will be told when it arrives.',
  emergency:
    'The decision is recorded as an emergency share: you can disclose the information now. The approvers have been told and must approve it by the time shown.',
};

/** The decision overview: the task list, what still stands, advice and approvals; sending for approval and withdrawing. */
export function overviewRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, policy, overviewPanels, openDecision } = pages;

  function renderOverview(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    viewer: Viewer,
    extra: {
      notice?: string | undefined;
      errors?: FormErrors | undefined;
      panels?: readonly { readonly template: string; readonly data: unknown }[] | undefined;
      values?: Record<string, unknown> | undefined;
    } = {},
  ) {
    const author = view.startedBy.id === viewer.userId;
    return reply.code(status).render('sharing/views/overview.njk', {
      pageTitle: `Sharing decision ${view.reference}`,
      backLink: author ? sharingPaths.mine() : undefined,
      view,
      author,
      notice: extra.notice,
      errors: extra.errors,
      values: extra.values ?? {},
      emergency:
        view.emergency === null
          ? undefined
          : {
              ...view.emergency,
              withinWorkingDays: policy.sharing.approvals.emergency.approveWithinWorkingDays,
            },
      emergencyDays: policy.sharing.approvals.emergency.approveWithinWorkingDays,
      emergencyRiskLimit,
      statusName: decisionStatusNames[view.status],
      statusTag: decisionStatusTags[view.status],
      outcomeName:
        view.answers.outcome === undefined ? undefined : outcomeNames[view.answers.outcome.outcome],
      purpose:
        view.answers.request === undefined ? undefined : purposeName(policy, view.answers.request.purposeId),
      people: view.people.map((person) => personName(person)),
      tasks: taskList(view),
      problems: problemLinks(view),
      advice: advicePanel(view),
      approvals: approvalsPanel(view),
      panels: extra.panels ?? [],
      // R3.3: the consent it relied on was withdrawn; nothing more is disclosed under it.
      consentWithdrawals: view.consentWithdrawals.map((withdrawal) => ({
        withdrawnOn: withdrawal.withdrawnOn,
        aftermathPath:
          view.status === 'recorded' ? pages.consentWithdrawnPath(withdrawal.consentId) : undefined,
      })),
      paths: {
        check: sharingPaths.check(view.id),
        askAdvice: sharingPaths.askAdvice(view.id),
        sendForApproval: sharingPaths.sendForApproval(view.id),
        recordInEmergency: sharingPaths.recordInEmergency(view.id),
        withdrawApproval: sharingPaths.withdrawApproval(view.id),
        discard: sharingPaths.discard(view.id),
        printable: sharingPaths.printable(view.id),
        addendum: sharingPaths.addendum(view.id),
      },
    });
  }

  // Read by anyone but its author, the overview writes `decision.viewed`; the author's own reads
  // write nothing.
  app.get(
    '/decisions/:id',
    { config: readers({ sometimes: ['decision.viewed'] }) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request, 'others');
      const done = overviewQuery.parse(request.query).done;
      return renderOverview(reply, 200, view, viewer, {
        notice: done === undefined ? undefined : overviewNotices[done],
        panels: (await Promise.all(overviewPanels.map((panel) => panel(viewer, view)))).filter(
          (panel) => panel !== undefined,
        ),
      });
    },
  );

  // R2.20, ADR 0019: a child at immediate risk; recorded now, the public-interest approval follows.
  app.post(
    '/decisions/:id/record-in-emergency',
    { config: deciders(['decision.recorded_in_emergency']) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const form = parseForm(emergencyForm, request.body);
      if (!form.ok)
        return renderOverview(reply, 400, view, viewer, {
          errors: form.errors,
          values: typedAnswers(request.body, ['risk']),
        });
      try {
        await sharing.recordInEmergency(viewer, view.id, form.value.risk);
      } catch (error) {
        if (error instanceof RuleError)
          return renderOverview(reply, 400, await sharing.open(viewer, view.id), viewer, {
            errors: linkedTo(ruleErrors(error, []), 'emergency'),
            values: { risk: form.value.risk },
          });
        throw error;
      }
      return reply.redirect(`${sharingPaths.decision(view.id)}?done=emergency`, 303);
    },
  );

  for (const [url, act, done, audit] of [
    [
      '/decisions/:id/send-for-approval',
      (viewer: Viewer, id: string) => sharing.sendForApproval(viewer, id),
      'sent',
      'decision.sent_for_approval',
    ],
    [
      '/decisions/:id/withdraw-approval-request',
      (viewer: Viewer, id: string) => sharing.withdrawApprovalRequest(viewer, id),
      'withdrawn',
      'decision.approval_withdrawn',
    ],
    [
      '/decisions/:id/discard',
      (viewer: Viewer, id: string) => sharing.discard(viewer, id),
      'discarded',
      'decision.discarded',
    ],
  ] as const) {
    app.post(url, { config: deciders([audit]) }, async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      // The buttons carry no answers: every message links to them.
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok)
        return renderOverview(reply, 400, view, viewer, { errors: linkedTo(form.errors, 'actions') });
      try {
        await act(viewer, view.id);
      } catch (error) {
        if (error instanceof RuleError)
          return renderOverview(reply, 400, await sharing.open(viewer, view.id), viewer, {
            errors: linkedTo(ruleErrors(error, []), 'actions'),
          });
        throw error;
      }
      return reply.redirect(`${sharingPaths.decision(view.id)}?done=${done}`, 303);
    });
  }
}
