import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleNames, type StaffService, type Viewer } from '../auth/index.ts';
import { formatDate } from '../lib/time.ts';
import type { Adviser, PolicyPack } from '../policy/index.ts';
import { parseForm, type FormErrors } from '../web/forms.ts';
import { adviceSummary } from './sharing.advice.ts';
import { outcomeNames, principles, type DecisionAnswers } from './sharing.answers.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import { sharingPaths } from './sharing.paths.ts';
import {
  adviceInboxQuery,
  adviceParams,
  answerAdviceForm,
  approvalParams,
  approvalQueueQuery,
  askAdviceForm,
  decideApprovalForm,
  decisionParams,
  maxAnswerLength,
  maxQuestionLength,
  maxReasonLength,
} from './sharing.review.schema.ts';
import { approvalKindNames } from './sharing.rules.ts';
import {
  advisingRoles,
  type AdviceItem,
  type AdviceRequestView,
  type ApprovalItem,
  type ApprovalView,
  type DecisionView,
  type SharingService,
} from './sharing.service.ts';
import { decisionStatusNames } from './sharing.status.ts';
import { approverList, approverName, consentOutcomeNames } from './sharing.pages.ts';
import { requesterKindNames } from './sharing.forms.ts';

/**
 * The advice and approval pages of a sharing decision (R2.3, R2.15, R2.16, R2.19, R2.20): asking for
 * advice, the adviser's inbox and answer, the approver's queue and decision. The service decides who
 * may see and answer each item; anything a viewer may not see is a page that does not exist.
 */
export interface SharingReviewRouteOptions {
  readonly sharing: SharingService;
  readonly policy: PolicyPack;
  /** Colleagues a practitioner may name as their supervisor. */
  readonly staff: Pick<StaffService, 'list'>;
}

/** Those who start decisions, and so may ask for advice on them. */
const authorAccess = {
  access: [
    'practitioner',
    'manager',
    'dpo',
    'caldicott_guardian',
    'ig_lead',
    'child_protection_adviser',
  ] as const,
};
/** Those who may be asked for advice or approval: the roles a pack names, and line managers, who may hold any casework role. */
const reviewerAccess = {
  access: [
    'practitioner',
    'manager',
    'caldicott_guardian',
    'dpo',
    'ig_lead',
    'child_protection_adviser',
  ] as const,
};

const thirdPartyNames: Record<NonNullable<DecisionAnswers['information']>['thirdParties'], string> = {
  none: 'The information identifies no third party who could be harmed',
  withheld: 'Information identifying third parties who could be harmed is withheld',
  shared: 'Information identifying third parties who could be harmed is shared',
};
const adviceNotices = {
  answered: 'Your advice has been recorded on the decision. The practitioner has been told.',
} as const;
const approvalNotices = {
  approved: 'Your approval has been recorded on the decision. The practitioner has been told.',
  refused: 'Your refusal has been recorded. The decision has gone back to the practitioner with your reason.',
} as const;

/** Who an adviser or approver is, as the practitioner reads it ("Your line manager") or as others do. */
/** Free text as paragraphs, so that the practitioner's line breaks survive without inline styles. */
function paragraphs(text: string | null | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

interface SummaryRow {
  readonly key: string;
  readonly lines: readonly string[];
}
interface SummarySection {
  readonly title: string;
  readonly rows: readonly SummaryRow[];
}

export async function sharingReviewRoutes(
  app: FastifyInstance,
  options: SharingReviewRouteOptions,
): Promise<void> {
  const { sharing, policy, staff } = options;
  const label = (
    list: readonly { readonly id: string; readonly label: string }[],
    id: string | undefined,
  ): string | undefined =>
    id === undefined ? undefined : (list.find((entry) => entry.id === id)?.label ?? id);
  const categoryLabel = (id: string) => label(policy.informationCategories, id) ?? id;

  // ---------------------------------------------------------------------------------------------
  // Asking for advice (R2.15, R2.19; R2.3 when unsure which law applies)

  function adviserItems(view: DecisionView, values: Record<string, string>) {
    const unsure = view.answers.lawfulBasis?.unsure === true;
    return policy.sharing.advisers.map((adviser) => ({
      value: adviser,
      text: approverName(adviser, 'practitioner'),
      hint:
        unsure && (policy.sharing.lawAdvisers as readonly Adviser[]).includes(adviser)
          ? { text: 'Can settle which law applies, so that the decision can be recorded' }
          : undefined,
      checked: values['adviser'] === adviser,
    }));
  }

  /** Colleagues who could supervise the practitioner: active staff of their organisation, not themself. */
  async function supervisorItems(viewer: Viewer, values: Record<string, string>) {
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
    values: Record<string, string>,
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
            advisers: approverList(policy.sharing.lawAdvisers, 'practitioner'),
          }
        : undefined,
      anonymisedSummary: adviceSummary(view, policy, { anonymised: true }).split('\n'),
      identifiedSummary: adviceSummary(view, policy, { anonymised: false }).split('\n'),
      maxQuestionLength,
    });
  }

  app.get('/decisions/:id/ask-for-advice', { config: authorAccess }, async (request, reply) => {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () => {
      const view = await sharing.open(viewerOf(request), params.data.id);
      if (!view.can.askAdvice) return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderAsk(reply, 200, view, viewerOf(request), { shareIdentities: 'no' });
    });
  });

  app.post('/decisions/:id/ask-for-advice', { config: authorAccess }, async (request, reply) => {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () => {
      const viewer = viewerOf(request);
      const view = await sharing.open(viewer, params.data.id);
      if (!view.can.askAdvice) return reply.redirect(sharingPaths.decision(view.id), 303);
      const values = valuesOf(request.body, ['adviser', 'supervisorId', 'question', 'shareIdentities']);
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
        if (error instanceof SharingRuleError)
          return renderAsk(
            reply,
            400,
            view,
            viewer,
            values,
            ruleErrors(error, ['adviser', 'supervisorId', 'question', 'shareIdentities']),
          );
        throw error;
      }
      return reply.redirect(sharingPaths.decision(view.id), 303);
    });
  });

  // ---------------------------------------------------------------------------------------------
  // The adviser's inbox and one request

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

  app.get('/advice', { config: reviewerAccess }, async (request, reply) => {
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
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: AdviceRequestView,
    values: Record<string, string>,
    errors?: FormErrors,
  ) {
    const viewer = viewerOf(request);
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

  app.get('/advice/:adviceId', { config: reviewerAccess }, async (request, reply) => {
    const params = adviceParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () =>
      renderAdvice(
        request,
        reply,
        200,
        await sharing.adviceRequest(viewerOf(request), params.data.adviceId),
        {},
      ),
    );
  });

  app.post('/advice/:adviceId', { config: reviewerAccess }, async (request, reply) => {
    const params = adviceParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () => {
      const viewer = viewerOf(request);
      const view = await sharing.adviceRequest(viewer, params.data.adviceId);
      const values = valuesOf(request.body, ['answer']);
      const form = parseForm(answerAdviceForm, request.body);
      if (!form.ok) return renderAdvice(request, reply, 400, view, values, form.errors);
      try {
        await sharing.answerAdvice(viewer, view.id, form.value.answer);
      } catch (error) {
        if (error instanceof SharingRuleError)
          return renderAdvice(
            request,
            reply,
            400,
            await sharing.adviceRequest(viewer, view.id),
            values,
            ruleErrors(error, ['answer']),
          );
        throw error;
      }
      return reply.redirect(`${sharingPaths.adviceInbox()}?done=answered`, 303);
    });
  });

  // ---------------------------------------------------------------------------------------------
  // The approver's queue and one request (R2.16, R2.20)

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

  app.get('/approvals', { config: reviewerAccess }, async (request, reply) => {
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

  function renderApproval(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: ApprovalView,
    values: Record<string, string>,
    errors?: FormErrors,
  ) {
    const viewer = viewerOf(request);
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
      sections: decisionSections(view.decision),
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

  function whyApprovalIsNeeded(view: ApprovalView): string {
    if (view.kind === 'bulk') {
      return view.decision.answers.people?.systemTransfer === true
        ? 'This is a transfer between IT systems, which is bulk sharing: it needs approval before it goes ahead.'
        : `This share is about more than ${String(policy.sharing.bulkThreshold)} people, which is bulk sharing: it needs approval before it goes ahead.`;
    }
    return 'The information would be shared without consent that covers it, or against a refusal or withdrawal of consent, on the grounds of an overriding public interest. Check the justification against the facts before you decide.';
  }

  /** The whole decision, section by section, as the approver needs it to judge. */
  function decisionSections(decision: DecisionView): SummarySection[] {
    const { answers } = decision;
    const sections: SummarySection[] = [];
    const organisation = (id: string | undefined) =>
      id === undefined ? undefined : (decision.organisationNames[id] ?? 'Unknown organisation');
    const row = (key: string, value: string | readonly string[] | undefined | null): SummaryRow[] => {
      const lines =
        typeof value === 'string' ? paragraphs(value) : (value ?? []).filter((line) => line !== '');
      return lines.length === 0 ? [] : [{ key, lines }];
    };
    const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

    const request = answers.request;
    if (request !== undefined) {
      sections.push({
        title: 'About the request',
        rows: [
          ...row('Who asked', requesterKindNames[request.requesterKind]),
          ...row('Name', request.requesterName),
          ...row('Role', request.requesterRole),
          ...row('Organisation', organisation(request.requesterOrganisationId)),
          ...row('How the request was made', label(policy.sharing.requestChannels, request.channelId)),
          ...row('Received on', formatDate(request.receivedOn)),
          ...row('Purpose', label(policy.purposes, request.purposeId)),
          ...row('What was asked for', request.details),
        ],
      });
    }

    const people = answers.people;
    if (people !== undefined) {
      const shown = new Map(decision.people.map((person) => [person.id, person]));
      sections.push({
        title: 'Who the information is about',
        rows: [
          ...row(
            people.personIds.length === 1 ? 'Person' : `People (${String(people.personIds.length)})`,
            people.personIds.map((personId, index) => {
              const person = shown.get(personId);
              if (person === undefined)
                return `Person ${String(index + 1)}: you have no reason recorded to open their record`;
              const name =
                person.knownAs === null
                  ? `${person.givenNames} ${person.familyName}`
                  : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
              return person.dateOfBirth === null ? name : `${name}, born ${formatDate(person.dateOfBirth)}`;
            }),
          ),
          ...row('A transfer between IT systems', yesNo(people.systemTransfer)),
          ...row('Bulk sharing', yesNo(decision.assessment.bulk)),
        ],
      });
    }

    const recipients = answers.recipients?.recipients ?? [];
    if (recipients.length > 0) {
      sections.push({
        title: 'Who will receive it',
        rows: recipients.flatMap((recipient, index) =>
          row(recipients.length === 1 ? 'Recipient' : `Recipient ${String(index + 1)}`, [
            `${recipient.name}, ${recipient.role}, ${organisation(recipient.organisationId) ?? ''}`,
            ...(recipient.email === undefined ? [] : [`Email: ${recipient.email}`]),
            ...(recipient.telephone === undefined || recipient.telephone === ''
              ? []
              : [`Telephone: ${recipient.telephone}`]),
            `Why they need it: ${recipient.reason}`,
          ]),
        ),
      });
    }

    const information = answers.information;
    if (information !== undefined) {
      sections.push({
        title: 'What will be shared',
        rows: [
          ...row(
            'Shared',
            information.shared.map(
              (item) =>
                `${categoryLabel(item.categoryId)}: ${item.relevance}${item.sensitiveReason === undefined || item.sensitiveReason === '' ? '' : ` Why it is needed for this purpose: ${item.sensitiveReason}`}`,
            ),
          ),
          ...row('Withheld', information.withheld.map(categoryLabel)),
          ...row('Description', information.description),
          ...row('Third parties', [
            thirdPartyNames[information.thirdParties],
            ...(information.thirdPartyReason === undefined
              ? []
              : [`Reason: ${information.thirdPartyReason}`]),
          ]),
          ...row(
            'Confirmed as',
            principles.filter((principle) => information.confirmed.includes(principle)).join(', ') ||
              'None of the principles confirmed',
          ),
          ...row('Special category information', yesNo(decision.assessment.specialCategory)),
          ...row('Criminal offence information', yesNo(decision.assessment.criminalOffence)),
        ],
      });
    }

    const basis = answers.lawfulBasis;
    const bases = policy.sharing.lawfulBases;
    const consentRows = decision.consent.map((finding, index) => {
      const name = finding.personName === '' ? `Person ${String(index + 1)}` : finding.personName;
      return `${name}: ${consentOutcomeNames[finding.outcome]}`;
    });
    if (basis !== undefined || consentRows.length > 0) {
      sections.push({
        title: 'Lawful basis and consent',
        rows: [
          ...(basis === undefined
            ? []
            : [
                ...row('Unsure which law applies', yesNo(basis.unsure)),
                ...row('Data protection basis (Article 6)', label(bases.article6, basis.article6)),
                ...row('Article 9 condition', label(bases.article9, basis.article9)),
                ...row('Schedule 1 condition', label(bases.schedule1, basis.schedule1)),
                ...row('Criminal offence condition', label(bases.criminalOffence, basis.criminalOffence)),
                ...row('Common-law position', label(bases.commonLaw, basis.commonLaw)),
                ...row('Why the duty of confidence is not observed', basis.confidenceReason),
                ...row('Public-interest justification', basis.justification),
              ]),
          ...row('Consent register', consentRows),
          ...row('Shared without consent that covers it', yesNo(decision.assessment.withoutConsent)),
        ],
      });
    }

    const openness = answers.openness;
    if (openness !== undefined) {
      sections.push({
        title: 'Telling the family',
        rows: [
          ...row('Told about the share', yesNo(openness.told)),
          ...(openness.told
            ? row('What they were told', openness.toldDetails)
            : row('Why they were not told', openness.notToldReason)),
        ],
      });
    }

    const safety = answers.safety;
    if (safety !== undefined) {
      sections.push({
        title: 'Safety and risks',
        rows: [
          ...row('Safety and well-being', safety.wellbeing),
          ...row('Risks of sharing', safety.riskOfSharing),
          ...row('Risks of not sharing', safety.riskOfNotSharing),
        ],
      });
    }

    const outcome = answers.outcome;
    if (outcome !== undefined) {
      sections.push({
        title: 'The practitioner’s decision',
        rows: [
          ...row('Decision', outcomeNames[outcome.outcome]),
          ...row(
            'Reasons for not sharing',
            outcome.notShareReasonIds.map((id) => label(policy.sharing.notShareReasons, id) ?? id),
          ),
          ...row('Reasons', outcome.reasons),
        ],
      });
    }
    return sections;
  }

  app.get('/approvals/:approvalId', { config: reviewerAccess }, async (request, reply) => {
    const params = approvalParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () =>
      renderApproval(
        request,
        reply,
        200,
        await sharing.approval(viewerOf(request), params.data.approvalId),
        {},
      ),
    );
  });

  app.post('/approvals/:approvalId', { config: reviewerAccess }, async (request, reply) => {
    const params = approvalParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guarded(reply, async () => {
      const viewer = viewerOf(request);
      const view = await sharing.approval(viewer, params.data.approvalId);
      const values = valuesOf(request.body, ['decision', 'reason']);
      if (view.decision.startedBy.id === viewer.userId) {
        const text = 'You asked for this approval, so you cannot decide it: another approver must';
        return renderApproval(request, reply, 400, view, values, {
          summary: [{ text, href: '#own-request' }],
          fields: {},
        });
      }
      if (!view.canDecide) {
        const text =
          view.status === 'pending'
            ? 'This request is waiting for someone else: you cannot decide it'
            : 'This request has already been answered or withdrawn';
        return renderApproval(request, reply, 400, view, values, {
          summary: [{ text, href: '#approval-status' }],
          fields: {},
        });
      }
      const form = parseForm(decideApprovalForm, request.body);
      if (!form.ok) return renderApproval(request, reply, 400, view, values, form.errors);
      try {
        await sharing.decideApproval(viewer, view.id, {
          approve: form.value.decision === 'approve',
          reason: form.value.reason,
        });
      } catch (error) {
        if (error instanceof SharingRuleError)
          return renderApproval(
            request,
            reply,
            400,
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
    });
  });
}

/** Anything the viewer may not see is a page that does not exist. */
async function guarded(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SharingNotFoundError) return reply.callNotFound();
    throw error;
  }
}

function viewerOf(request: FastifyRequest): Viewer {
  // These routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined)
    throw new Error('a sharing review page was reached without a signed-in viewer');
  return request.viewer;
}

/** The service's objections, each linked to its field on the page, or to the first field. */
function ruleErrors(error: SharingRuleError, fields: readonly string[]): FormErrors {
  const summary: { text: string; href: string }[] = [];
  const byField: Record<string, { text: string }> = {};
  for (const problem of error.problems) {
    const field = fields.includes(problem.field) ? problem.field : undefined;
    summary.push({ text: problem.message, href: `#${field ?? fields[0] ?? 'main-content'}` });
    if (field !== undefined) byField[field] ??= { text: problem.message };
  }
  return { summary, fields: byField };
}

/** What was typed, to show again beside the errors: text only, anything else is dropped. */
function valuesOf(body: unknown, fields: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (body === null || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body)) {
    if (fields.includes(key) && typeof value === 'string') values[key] = value.slice(0, 10_000);
  }
  return values;
}
