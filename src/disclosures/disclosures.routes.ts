import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { checklistFor, isChannelMethodId, methodName, type MethodReason } from '../channels/index.ts';
import { londonToday } from '../lib/time.ts';
import type { Clock } from '../lib/clock.ts';
import type { DirectoryEntry, OrgsService } from '../orgs/index.ts';
import { policyLabels, type ChannelMethodId, type PolicyPack } from '../policy/index.ts';
import { SharingNotFoundError, sharingPaths } from '../sharing/index.ts';
import { fieldError, parseForm, type FormErrors } from '../web/forms.ts';
import { cookiePolicy } from '../web/web.plugin.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import {
  checklistAnswers,
  checklistFields,
  checklistTemplates,
  decisionParams,
  disclosurePageQuery,
  disclosureParams,
  fieldOfProblem,
  isEmail,
  methodLabels,
  misdirectedActions,
  misdirectedFields,
  misdirectedForm,
  misdirectedPageQuery,
  questionsOf,
  receiptForm,
  stepOneFields,
  stepOneForm,
  stepOneValues,
  stepTwoForm,
  type StepOneAnswers,
  type StepOneChoices,
} from './disclosures.forms.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import type { Disclosure, DisclosureContext, DisclosuresService } from './disclosures.service.ts';
import { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
import { disclosureRows, receiptTag } from './disclosures.views.ts';

export interface DisclosureRouteOptions {
  readonly disclosures: DisclosuresService;
  readonly orgs: Pick<OrgsService, 'find'>;
  readonly policy: PolicyPack;
  readonly clock: Clock;
  readonly secureCookies: boolean;
}

const recorders = { access: disclosureRecorders };
const readers = { access: disclosureReaders };

/**
 * Step 1's answers wait for the checklist in a signed cookie naming its decision: never in the
 * address (an e-mail address is personal data), and checked again whenever read. One draft at a
 * time: the cookie has Path=/ as its `__Host-` name demands, so a draft for another decision is
 * ignored and replaced. The checklist form carries the answers again as hidden fields, so a post
 * stands on its own.
 */
const draftMaxAgeSeconds = 60 * 60;

const serviceNames: Record<string, string> = {
  registered: 'Registered post',
  'signed-for': 'Signed for',
  courier: 'An approved courier',
};
const messageNames: Record<string, string> = {
  none: 'No message',
  'with-someone-else': 'A message with someone else',
  voicemail: 'A voicemail message',
};
const effectOrder: Record<MethodReason['effect'], number> = { refuses: 0, requires: 1, allows: 2, notes: 3 };

const storedAdvice = z.object({
  reasons: z
    .array(z.object({ requirement: z.string(), effect: z.string(), explanation: z.string() }))
    .catch([]),
});

/** The disclosure log's pages: record a disclosure under a decision, read it, confirm receipt, and log misdirected information. */
export async function disclosuresRoutes(
  app: FastifyInstance,
  options: DisclosureRouteOptions,
): Promise<void> {
  const { disclosures, orgs, policy, clock } = options;
  const cookies = cookiePolicy(options.secureCookies);
  const draftCookie = cookies.names.disclosureDraft;
  const labels = policyLabels(policy);
  const today = () => londonToday(clock.now());
  const availableMethods = policy.channels.methods.filter((rule) => rule.available);
  const categoryName = (id: string) => labels.informationCategories[id] ?? id;

  /** The recorded decision to share the address names, as this viewer may see it; anything else is a 404. */
  async function withDecision(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (context: DisclosureContext, viewer: Viewer) => Promise<unknown>,
  ): Promise<unknown> {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const viewer = viewerOf(request);
    let context: DisclosureContext;
    try {
      context = await disclosures.context(viewer, params.data.id);
    } catch (error) {
      if (error instanceof SharingNotFoundError) return reply.callNotFound();
      if (error instanceof DisclosureRuleError) {
        return reply.code(409).render('web/views/error.njk', {
          pageTitle: 'Nothing can be disclosed under this decision',
          heading: 'Nothing can be disclosed under this decision',
          paragraphs: [
            'Information can only be disclosed under a recorded decision to share. This decision is not one: it is still a draft, or it decided not to share.',
          ],
          showHomeLink: true,
        });
      }
      throw error;
    }
    return work(context, viewer);
  }

  function choicesOf(context: DisclosureContext): StepOneChoices {
    return {
      recipients: context.decision.answers.recipients?.recipients.length ?? 0,
      categoryIds: (context.decision.answers.information?.shared ?? []).map((item) => item.categoryId),
      methods: availableMethods.map((rule) => rule.id),
    };
  }

  function recipientOf(context: DisclosureContext, index: number) {
    const recipient = context.decision.answers.recipients?.recipients[index];
    if (recipient === undefined) throw new Error('a validated recipient index names no recipient');
    return recipient;
  }

  function organisationName(context: DisclosureContext, organisationId: string): string {
    return context.decision.organisationNames[organisationId] ?? 'an organisation not in the directory';
  }

  function decisionFacts(context: DisclosureContext) {
    const purposeId = context.decision.answers.request?.purposeId;
    return {
      reference: context.decision.reference,
      path: sharingPaths.decision(context.decision.id),
      purpose: purposeId === undefined ? 'Not recorded' : (labels.purposes[purposeId] ?? purposeId),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The draft of step 1

  function saveDraft(reply: FastifyReply, decisionId: string, answers: StepOneAnswers): void {
    reply.setCookie(draftCookie, JSON.stringify({ decisionId, answers: stepOneValues(answers) }), {
      ...cookies.attributes,
      signed: true,
      maxAge: draftMaxAgeSeconds,
    });
  }

  function forgetDraft(reply: FastifyReply): void {
    reply.clearCookie(draftCookie, cookies.attributes);
  }

  function readDraft(request: FastifyRequest, context: DisclosureContext): StepOneAnswers | undefined {
    const raw = request.cookies[draftCookie];
    if (raw === undefined) return undefined;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid) return undefined;
    let stored: unknown;
    try {
      stored = JSON.parse(unsigned.value);
    } catch {
      return undefined;
    }
    const draft = z
      .object({ decisionId: z.string(), answers: z.record(z.string(), z.unknown()) })
      .safeParse(stored);
    if (!draft.success || draft.data.decisionId !== context.decision.id) return undefined;
    const answers = stepOneForm(choicesOf(context)).safeParse(draft.data.answers);
    return answers.success ? answers.data : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Step 1: to whom, what, and how

  interface Refusal {
    readonly method: string;
    readonly recommended: string;
    readonly reasons: readonly string[];
  }

  function renderStepOne(
    reply: FastifyReply,
    status: number,
    context: DisclosureContext,
    values: Record<string, unknown>,
    extra: { errors?: FormErrors | undefined; refusal?: Refusal | undefined } = {},
  ) {
    const recipients = context.decision.answers.recipients?.recipients ?? [];
    return reply.code(status).render('disclosures/views/new.njk', {
      pageTitle: 'Record a disclosure',
      backLink: sharingPaths.decision(context.decision.id),
      action: disclosurePaths.newForDecision(context.decision.id),
      decision: decisionFacts(context),
      recipientItems: recipients.map((recipient, index) => ({
        value: String(index),
        text: `${recipient.name}, ${recipient.role}`,
        hint: {
          text: [organisationName(context, recipient.organisationId), recipient.email, recipient.telephone]
            .filter((part) => part !== undefined && part !== '')
            .join(' · '),
        },
      })),
      categoryItems: (context.decision.answers.information?.shared ?? []).map((item) => ({
        value: item.categoryId,
        text: categoryName(item.categoryId),
      })),
      methodItems: availableMethods.map((rule) => ({
        value: rule.id,
        text: methodLabels[rule.id],
        hint: { text: rule.help },
      })),
      alreadyDisclosed: context.disclosures.length,
      values,
      errors: extra.errors,
      refusal: extra.refusal,
    });
  }

  app.get('/decisions/:id/disclosures/new', { config: recorders }, async (request, reply) =>
    withDecision(request, reply, async (context) => {
      const draft = readDraft(request, context);
      const recipients = context.decision.answers.recipients?.recipients ?? [];
      const values =
        draft === undefined ? (recipients.length === 1 ? { recipientIndex: '0' } : {}) : stepOneValues(draft);
      return renderStepOne(reply, 200, context, values);
    }),
  );

  app.post('/decisions/:id/disclosures/new', { config: recorders }, async (request, reply) =>
    withDecision(request, reply, async (context, viewer) => {
      const values = typedValues(request.body, stepOneFields);
      const form = parseForm(stepOneForm(choicesOf(context)), request.body);
      if (!form.ok) return renderStepOne(reply, 400, context, values, { errors: form.errors });
      const answers = form.value;
      const answer = await disclosures.advise(viewer, context.decision.id, answers);
      if (!answer.ok) {
        const problems = answer.problems.map((problem) => ({
          field: problem.field === 'recipient.address' ? 'recipientAddress' : 'method',
          text:
            problem.field === 'sender.address'
              ? `Your own e-mail address cannot be checked for this method: ${problem.message}`
              : problem.message,
        }));
        return renderStepOne(reply, 400, context, values, { errors: errorsOf(problems) });
      }
      const { advice } = answer;
      if (!advice.allowed) {
        const refusal: Refusal = {
          method: methodLabels[advice.method],
          recommended: methodLabels[advice.recommended],
          reasons: [...advice.reasons]
            .sort((a, b) => effectOrder[a.effect] - effectOrder[b.effect])
            .filter((reason) => reason.effect === 'refuses' || reason.effect === 'notes')
            .map((reason) => `${reason.requirement}: ${reason.explanation}`),
        };
        const text = `${methodLabels[advice.method]} cannot be used for this disclosure: send it by ${methodName(advice.recommended)} instead`;
        return renderStepOne(
          reply,
          400,
          context,
          { ...values, method: advice.recommended },
          { errors: fieldError('method', text), refusal },
        );
      }
      saveDraft(reply, context.decision.id, answers);
      return reply.redirect(disclosurePaths.checklist(context.decision.id), 303);
    }),
  );

  // ---------------------------------------------------------------------------------------------
  // Step 2: the method's checklist, then the disclosure is logged

  async function renderChecklist(
    reply: FastifyReply,
    status: number,
    context: DisclosureContext,
    viewer: Viewer,
    answers: StepOneAnswers,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const recipient = recipientOf(context, answers.recipientIndex);
    const [organisation, answer] = await Promise.all([
      orgs.find(recipient.organisationId),
      disclosures.advise(viewer, context.decision.id, answers),
    ]);
    const advice = answer.ok ? answer.advice : undefined;
    const method = answers.method;
    const recipientOrganisation = organisation?.name ?? organisationName(context, recipient.organisationId);
    const address = isEmail(method) ? (answers.recipientAddress ?? recipient.email) : undefined;
    const summary = [
      {
        key: { text: 'To' },
        value: { text: `${recipient.name}, ${recipient.role}, ${recipientOrganisation}` },
      },
      { key: { text: 'Information' }, value: { text: answers.categoryIds.map(categoryName).join(', ') } },
      { key: { text: 'Method' }, value: { text: methodLabels[method] } },
      ...(address === undefined ? [] : [{ key: { text: 'E-mail address' }, value: { text: address } }]),
    ];
    return reply.code(status).render('disclosures/views/checklist.njk', {
      pageTitle: `${methodLabels[method]}: the checklist`,
      backLink: disclosurePaths.newForDecision(context.decision.id),
      action: disclosurePaths.checklist(context.decision.id),
      changePath: disclosurePaths.newForDecision(context.decision.id),
      decision: decisionFacts(context),
      method,
      methodLabel: methodLabels[method],
      template: checklistTemplates[method],
      questions: questionsOf(method),
      hidden: stepOneValues(answers),
      summary,
      recipient: { name: recipient.name, role: recipient.role, organisation: recipientOrganisation },
      switchboard: organisation?.switchboardPhone ?? null,
      faxNumbers: organisation?.faxNumbers ?? [],
      courierItems: [
        { value: '', text: 'Select a courier' },
        ...policy.channels.approvedCouriers.map((courier) => ({ value: courier.id, text: courier.label })),
      ],
      reasons:
        advice === undefined
          ? []
          : advice.reasons
              .filter((reason) => reason.effect !== 'refuses')
              .map((reason) => `${reason.requirement}: ${reason.explanation}`),
      receiptDays: advice?.receiptWithinWorkingDays ?? null,
      values,
      errors,
    });
  }

  /** What a checklist page starts with: the named person and address the decision and the directory hold. */
  function checklistDefaults(
    context: DisclosureContext,
    answers: StepOneAnswers,
    organisation: DirectoryEntry | undefined,
  ): Record<string, string> {
    const recipient = recipientOf(context, answers.recipientIndex);
    if (answers.method === 'post') {
      const address = organisation?.addresses[0];
      return {
        recipientName: recipient.name,
        ...(address === undefined
          ? {}
          : {
              addressLine1: address.line1,
              addressLine2: address.line2 ?? '',
              addressTown: address.town,
              addressPostcode: address.postcode,
            }),
      };
    }
    if (answers.method === 'in-person') return { recipientName: recipient.name };
    return {};
  }

  app.get('/decisions/:id/disclosures/checklist', { config: recorders }, async (request, reply) =>
    withDecision(request, reply, async (context, viewer) => {
      const draft = readDraft(request, context);
      if (draft === undefined)
        return reply.redirect(disclosurePaths.newForDecision(context.decision.id), 303);
      const organisation = await orgs.find(recipientOf(context, draft.recipientIndex).organisationId);
      return renderChecklist(
        reply,
        200,
        context,
        viewer,
        draft,
        checklistDefaults(context, draft, organisation),
      );
    }),
  );

  app.post('/decisions/:id/disclosures/checklist', { config: recorders }, async (request, reply) =>
    withDecision(request, reply, async (context, viewer) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const stepOne = stepOneForm(choicesOf(context)).safeParse(
        Object.fromEntries(
          stepOneFields.filter((field) => field in body).map((field) => [field, body[field]]),
        ),
      );
      if (!stepOne.success) return reply.redirect(disclosurePaths.newForDecision(context.decision.id), 303);
      const answers = stepOne.data;
      const method = answers.method;
      const values = typedValues(request.body, ['description', ...checklistFields(method)]);
      const form = parseForm(stepTwoForm(method), request.body);
      if (!form.ok) return renderChecklist(reply, 400, context, viewer, answers, values, form.errors);
      const typed = form.value as Record<string, unknown>;
      const description = typeof typed['description'] === 'string' ? typed['description'].trim() : '';
      try {
        const id = await disclosures.record(viewer, context.decision.id, {
          recipientIndex: answers.recipientIndex,
          method,
          ...(answers.recipientAddress === undefined ? {} : { recipientAddress: answers.recipientAddress }),
          categoryIds: [...answers.categoryIds],
          description,
          checklist: checklistAnswers(method, typed, description),
        });
        forgetDraft(reply);
        return await reply.redirect(`${disclosurePaths.disclosure(id)}?done=recorded`, 303);
      } catch (error) {
        if (error instanceof DisclosureRuleError) {
          return renderChecklist(
            reply,
            400,
            context,
            viewer,
            answers,
            values,
            errorsOf(checklistProblems(method, error)),
          );
        }
        throw error;
      }
    }),
  );

  // ---------------------------------------------------------------------------------------------
  // A disclosure, and its receipt

  async function withDisclosure(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (disclosure: Disclosure, viewer: Viewer) => Promise<unknown>,
  ): Promise<unknown> {
    const params = disclosureParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const viewer = viewerOf(request);
    let disclosure: Disclosure;
    try {
      disclosure = await disclosures.find(viewer, params.data.id);
    } catch (error) {
      if (error instanceof DisclosureNotFoundError) return reply.callNotFound();
      throw error;
    }
    return work(disclosure, viewer);
  }

  function answerText(method: ChannelMethodId, id: string, value: unknown): string | undefined {
    if (typeof value === 'boolean') return value ? 'Yes' : 'No';
    if (typeof value === 'string') {
      if (method === 'telephone' && id === 'messageLeft') return messageNames[value] ?? value;
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

  const notices = { recorded: 'Disclosure recorded.', receipt: 'Receipt recorded.' } as const;

  app.get('/disclosures/:id', { config: readers }, async (request, reply) =>
    withDisclosure(request, reply, async (disclosure) => {
      const done = disclosurePageQuery.parse(request.query).done;
      return reply.render('disclosures/views/show.njk', {
        pageTitle: `Disclosure under ${disclosure.decisionReference}`,
        backLink: sharingPaths.decision(disclosure.decisionId),
        notice: done === undefined ? undefined : notices[done],
        ...detailsOf(disclosure),
      });
    }),
  );

  function renderReceipt(
    reply: FastifyReply,
    status: number,
    disclosure: Disclosure,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('disclosures/views/receipt.njk', {
      pageTitle: 'Record that receipt was confirmed',
      backLink: disclosurePaths.disclosure(disclosure.id),
      action: disclosurePaths.confirmReceipt(disclosure.id),
      values,
      errors,
      ...detailsOf(disclosure),
    });
  }

  app.get('/disclosures/:id/receipt', { config: readers }, async (request, reply) =>
    withDisclosure(request, reply, async (disclosure) => {
      if (disclosure.receipt.dueOn === null || disclosure.receipt.confirmedAt !== null)
        return reply.redirect(disclosurePaths.disclosure(disclosure.id), 303);
      return renderReceipt(reply, 200, disclosure, {});
    }),
  );

  app.post('/disclosures/:id/receipt', { config: readers }, async (request, reply) =>
    withDisclosure(request, reply, async (disclosure, viewer) => {
      const values = typedValues(request.body, ['how']);
      const form = parseForm(receiptForm, request.body);
      if (!form.ok) return renderReceipt(reply, 400, disclosure, values, form.errors);
      try {
        await disclosures.confirmReceipt(viewer, disclosure.id, form.value);
        return await reply.redirect(`${disclosurePaths.disclosure(disclosure.id)}?done=receipt`, 303);
      } catch (error) {
        if (error instanceof DisclosureRuleError)
          return renderReceipt(
            reply,
            400,
            disclosure,
            values,
            errorsOf(error.problems.map((problem) => ({ field: 'how', text: problem.message }))),
          );
        throw error;
      }
    }),
  );

  app.get('/disclosures/receipts', { config: readers }, async (request, reply) => {
    const viewer = viewerOf(request);
    const awaited = await disclosures.awaitedReceipts(viewer);
    const ordered = [...awaited].sort((a, b) => Number(b.receipt.overdue) - Number(a.receipt.overdue));
    const rows = disclosureRows(ordered, policy).map((row, index) => ({
      ...row,
      dueOn: ordered[index]?.receipt.dueOn ?? null,
    }));
    return reply.render('disclosures/views/receipts.njk', {
      pageTitle: 'Receipts awaited',
      columnWidth: 'full',
      oversight: viewer.roles.some(
        (role) => role === 'dpo' || role === 'caldicott_guardian' || role === 'ig_lead',
      ),
      overdue: ordered.filter((disclosure) => disclosure.receipt.overdue).length,
      rows,
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Misdirected information received (R4.4.3)

  app.get('/misdirected', { config: readers }, async (request, reply) => {
    const records = await disclosures.misdirected(viewerOf(request));
    const done = misdirectedPageQuery.parse(request.query).done;
    return reply.render('disclosures/views/misdirected.njk', {
      pageTitle: 'Misdirected information',
      columnWidth: 'full',
      notice: done === undefined ? undefined : 'Misdirected information recorded.',
      newPath: disclosurePaths.newMisdirected(),
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
      errors: errors === undefined ? undefined : anchorDate(errors, 'receivedOn'),
    });
  }

  app.get('/misdirected/new', { config: readers }, async (_request, reply) =>
    renderMisdirected(reply, 200, {}),
  );

  app.post('/misdirected/new', { config: readers }, async (request, reply) => {
    const values = typedValues(request.body, misdirectedFields);
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

/**
 * The service's problems in the order the checklist page asks its questions: step 1's answers,
 * the method's questions, then what was disclosed. On the telephone the call's record is that
 * description, so its two problems are one.
 */
function checklistProblems(
  method: ChannelMethodId,
  error: DisclosureRuleError,
): { field: string; text: string }[] {
  const order = ['answers', ...checklistFields(method), 'description'];
  const callRecorded = error.problems.some((problem) => problem.field === 'checklist.disclosed');
  return error.problems
    .filter((problem) => !(method === 'telephone' && callRecorded && problem.field === 'description'))
    .map((problem) => ({ field: fieldOfProblem(method, problem.field), text: problem.message }))
    .map((problem, index) => ({ problem, index, rank: order.indexOf(problem.field) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.problem);
}

function viewerOf(request: FastifyRequest): Viewer {
  // These routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined)
    throw new Error('a disclosure page was reached without a signed-in viewer');
  return request.viewer;
}

/** Problems as form errors: each in the summary, linked to its field; the field shows the first. */
function errorsOf(problems: readonly { readonly field: string; readonly text: string }[]): FormErrors {
  const summary: { text: string; href: string }[] = [];
  const fields: Record<string, { text: string }> = {};
  for (const problem of problems) {
    if (!summary.some((entry) => entry.text === problem.text))
      summary.push({ text: problem.text, href: `#${problem.field}` });
    if (problem.field !== 'answers') fields[problem.field] ??= { text: problem.text };
  }
  return { summary, fields };
}

/** A date's error links to its first field (the day), as the GOV.UK date input pattern asks. */
function anchorDate(errors: FormErrors, name: string): FormErrors {
  return {
    summary: errors.summary.map((entry) =>
      entry.href === `#${name}` ? { ...entry, href: `#${name}-day` } : entry,
    ),
    fields: errors.fields,
  };
}

/** Fields that arrive as a list (checkboxes), even when one box is ticked. */
const listFields = new Set(['categoryIds', 'actions']);

/** What was typed, to show again beside the errors: text as text, lists as lists; anything else is dropped. */
function typedValues(body: unknown, fields: readonly string[]): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  if (body === null || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key)) continue;
    const list = listFields.has(key);
    if (Array.isArray(value) || list)
      values[key] = [value]
        .flat()
        .filter((item): item is string => typeof item === 'string' && item.length <= 100)
        .slice(0, 50);
    else if (typeof value === 'string') values[key] = value.slice(0, 10_000);
  }
  return values;
}
