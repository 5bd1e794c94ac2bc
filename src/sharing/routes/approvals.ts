import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import {
  parseForm,
  ruleErrors,
  typedAnswers,
  viewerOf,
  type FormErrors,
  type TypedAnswers,
} from '../../web/forms.ts';
import { sharingPaths } from '../sharing.paths.ts';
import {
  approvalParams,
  approvalQueueQuery,
  decideApprovalForm,
  maxReasonLength,
} from '../sharing.review.schema.ts';
import { approvalKindNames } from '../sharing.rules.ts';
import type { ApprovalItem, ApprovalView } from '../sharing.service.ts';
import { decisionStatusNames } from '../sharing.status.ts';
import { decisionSections, paragraphs } from '../pages/approval.ts';
import { approverList, approverName } from '../pages/names.ts';
import { reviewers } from './advice.ts';
import type { SharingReviewRouteOptions } from './context.ts';

const approvalNotices = {
  approved: 'Your approval has been recorded on the decision. The practitioner has been told.',
  refused: 'Your refusal has been recorded. The decision has gone back to the practitioner with your reason.',
} as const;

/** The approver's queue and one request (R2.16, R2.20): the whole decision, approved or refused with a reason. */
export function approvalRoutes(app: FastifyInstance, options: SharingReviewRouteOptions): void {
  const { sharing, policy } = options;

  function approvalRow(item: ApprovalItem & { readonly reference: string }) {
    return {
      path: sharingPaths.approval(item.id),
      reference: item.reference,
      kind: approvalKindNames[item.kind],
      approvers: approverList(item.approvers),
      requestedByName: item.requestedByName,
      requestedAt: item.requestedAt,
      approved: item.status === 'approved',
      decidedByName: item.decidedByName ?? '',
      decidedAt: item.decidedAt,
    };
  }

  app.get('/approvals', { config: reviewers('none') }, async (request, reply) => {
    const queue = await sharing.approvalQueue(viewerOf(request));
    const done = approvalQueueQuery.parse(request.query).done;
    return reply.render('sharing/views/approval-queue.njk', {
      pageTitle: 'Approvals',
      notice: done === undefined ? undefined : approvalNotices[done],
      pending: queue.pending.map(approvalRow),
      decided: queue.decided.map(approvalRow),
      columnWidth: 'full',
    });
  });

  function whyApprovalIsNeeded(view: ApprovalView): string {
    if (view.kind === 'bulk') {
      return view.decision.answers.people?.systemTransfer === true
        ? 'This is a transfer between IT systems, which is bulk sharing: it needs approval before it goes ahead.'
        : `This share is about more than ${String(policy.sharing.bulkThreshold)} people, which is bulk sharing: it needs approval before it goes ahead.`;
    }
    return 'The information would be shared without consent that covers it, or against a refusal or withdrawal of consent, on the grounds of an overriding public interest. Check the justification against the facts before you decide.';
  }

  function renderApproval(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    view: ApprovalView,
    values: TypedAnswers,
    errors?: FormErrors,
  ) {
    const ownRequest = view.decision.startedBy.id === viewer.userId;
    return reply.code(status).render('sharing/views/approval-request.njk', {
      pageTitle:
        view.canDecide && !ownRequest
          ? `Approve or refuse: ${approvalKindNames[view.kind].toLowerCase()}`
          : approvalKindNames[view.kind],
      backLink: ownRequest ? sharingPaths.decision(view.decisionId) : sharingPaths.approvalQueue(),
      action: sharingPaths.approval(view.id),
      approval: {
        kind: approvalKindNames[view.kind],
        approvers: approverList(view.approvers),
        status: view.status,
        requestedByName: view.requestedByName,
        requestedAt: view.requestedAt,
        decidedByName: view.decidedByName ?? '',
        decidedAt: view.decidedAt,
        reason: paragraphs(view.reason),
      },
      decision: {
        reference: view.decision.reference,
        status: decisionStatusNames[view.decision.status],
        policy: `${view.decision.policy.name} ${view.decision.policy.version}`,
        startedByName: view.decision.startedBy.name,
        path: sharingPaths.decision(view.decision.id),
      },
      why: whyApprovalIsNeeded(view),
      // ADR 0019: shared first, because a child was at immediate risk; this approval follows.
      emergency: view.decision.emergency ?? undefined,
      sections: decisionSections(view.decision, policy),
      outstanding: view.decision.assessment.problems
        .filter((problem) => problem.section !== 'approval')
        .map((problem) => problem.message),
      advice: view.decision.advice.map((item) => ({
        adviser: approverName(item.adviser),
        askedByName: item.askedByName,
        askedAt: item.askedAt,
        question: paragraphs(item.question),
        answer: paragraphs(item.answer),
        answeredByName: item.answeredByName ?? '',
        answeredAt: item.answeredAt,
      })),
      ownRequest,
      canDecide: view.canDecide && !ownRequest,
      values,
      errors,
      maxReasonLength,
    });
  }

  /** The approval the address names, as this viewer may see it; reading it reads the decision (`decision.viewed`). */
  async function openApproval(request: FastifyRequest) {
    const params = approvalParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { view: await sharing.approval(viewer, params.data.approvalId), viewer };
  }

  app.get('/approvals/:approvalId', { config: reviewers(['decision.viewed']) }, async (request, reply) => {
    const { view, viewer } = await openApproval(request);
    return renderApproval(reply, 200, viewer, view, {});
  });

  app.post(
    '/approvals/:approvalId',
    { config: reviewers(['approval.given', 'approval.refused']) },
    async (request, reply) => {
      const { view, viewer } = await openApproval(request);
      const values = typedAnswers(request.body, ['decision', 'reason']);
      if (view.decision.startedBy.id === viewer.userId) {
        const text = 'You asked for this approval, so you cannot decide it: another approver must';
        return renderApproval(reply, 400, viewer, view, values, {
          summary: [{ text, href: '#own-request' }],
          fields: {},
        });
      }
      if (!view.canDecide) {
        const text =
          view.status === 'pending'
            ? 'This request is waiting for someone else: you cannot decide it'
            : 'This request has already been answered or withdrawn';
        return renderApproval(reply, 400, viewer, view, values, {
          summary: [{ text, href: '#approval-status' }],
          fields: {},
        });
      }
      const form = parseForm(decideApprovalForm, request.body);
      if (!form.ok) return renderApproval(reply, 400, viewer, view, values, form.errors);
      try {
        await sharing.decideApproval(viewer, view.id, {
          approve: form.value.decision === 'approve',
          reason: form.value.reason,
        });
      } catch (error) {
        if (error instanceof RuleError)
          return renderApproval(
            reply,
            400,
            viewer,
            await sharing.approval(viewer, view.id),
            values,
            ruleErrors(error, ['decision', 'reason']),
          );
        throw error;
      }
      return reply.redirect(
        `${sharingPaths.approvalQueue()}?done=${form.value.decision === 'approve' ? 'approved' : 'refused'}`,
        303,
      );
    },
  );
}
