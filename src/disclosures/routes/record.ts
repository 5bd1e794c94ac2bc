import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../../auth/index.ts';
import { methodName, type MethodReason } from '../../channels/index.ts';
import { exchangePaths } from '../../exchange/exchange.paths.ts';
import { custodyPaths } from '../../custody/custody.paths.ts';
import { isUuid } from '../../lib/ids.ts';
import { nothingToAudit } from '../../lib/request-context.ts';
import type { DirectoryEntry } from '../../orgs/index.ts';
import type { ChannelMethodId } from '../../policy/index.ts';
import { sharingPaths } from '../../sharing/index.ts';
import { fieldError, parseForm, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { cookiePolicy } from '../../web/web.plugin.ts';
import { DisclosureRuleError } from '../disclosures.errors.ts';
import {
  callDirectionOf,
  checklistAnswers,
  checklistFields,
  checklistPageQuery,
  checklistTemplates,
  fieldOfProblem,
  isEmail,
  methodHints,
  methodLabels,
  questionsOf,
  recordedAfterSharing,
  stepOneFields,
  stepOneForm,
  stepOneValues,
  stepTwoForm,
  type StepOneAnswers,
  type StepOneChoices,
} from '../disclosures.forms.ts';
import { disclosurePaths } from '../disclosures.paths.ts';
import type { DisclosureContext } from '../disclosures.service.ts';
import { errorsOf, listFields, recordersPage, type DisclosurePages } from './context.ts';

/**
 * Step 1's answers wait for the checklist in a signed cookie naming its decision: never in the
 * address (an e-mail address is personal data), and checked again whenever read. One draft at a
 * time: the cookie has Path=/ as its `__Host-` name demands, so a draft for another decision is
 * ignored and replaced. The checklist form carries the answers again as hidden fields, so a post
 * stands on its own.
 */
const draftMaxAgeSeconds = 60 * 60;

const effectOrder: Record<MethodReason['effect'], number> = { refuses: 0, requires: 1, allows: 2, notes: 3 };

/** Recording a disclosure under a decision: step 1 (to whom, what, how), then the method's checklist. */
export function recordRoutes(app: FastifyInstance, pages: DisclosurePages): void {
  const { disclosures, orgs, policy, labels, availableMethods, categoryName, openDecision } = pages;
  const cookies = cookiePolicy(pages.secureCookies);
  const draftCookie = cookies.names.disclosureDraft;

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

  /** A method as the method policy judges it for the recipients in question: those it refuses it to, and why. */
  interface MethodVerdict {
    readonly method: ChannelMethodId;
    readonly refusals: readonly { readonly recipient: string; readonly reasons: string }[];
    readonly refusedToAll: boolean;
  }

  /**
   * Each method the pack offers, judged for the recipient chosen (or, before one is, for each of the
   * decision's recipients): the practitioner sees what may be used before choosing. An e-mail method
   * the policy cannot judge yet (no address for the recipient) is judged when step 1 is sent.
   */
  async function judgeMethods(
    viewer: Viewer,
    context: DisclosureContext,
    values: Record<string, unknown>,
  ): Promise<MethodVerdict[]> {
    const recipients = context.decision.answers.recipients?.recipients ?? [];
    const chosen = values['recipientIndex'];
    const index = typeof chosen === 'string' && /^\d{1,2}$/.test(chosen) ? Number(chosen) : undefined;
    const indexes =
      index !== undefined && index < recipients.length ? [index] : recipients.map((_, each) => each);
    const typed = typeof values['recipientAddress'] === 'string' ? values['recipientAddress'].trim() : '';
    return Promise.all(
      availableMethods.map(async (rule): Promise<MethodVerdict> => {
        const judged = await Promise.all(
          indexes.map(async (recipientIndex) => {
            const answer = await disclosures.advise(viewer, context.decision.id, {
              recipientIndex,
              method: rule.id,
              recipientAddress: isEmail(rule.id) && typed !== '' ? typed : undefined,
            });
            if (!answer.ok || answer.advice.allowed) return [];
            return [
              {
                recipient: recipientOf(context, recipientIndex).name,
                reasons: answer.advice.reasons
                  .filter((reason) => reason.effect === 'refuses')
                  .map((reason) => reason.explanation)
                  .join(' '),
              },
            ];
          }),
        );
        const refusals = judged.flat();
        return {
          method: rule.id,
          refusals,
          refusedToAll: indexes.length > 0 && refusals.length === indexes.length,
        };
      }),
    );
  }

  async function renderStepOne(
    reply: FastifyReply,
    status: number,
    context: DisclosureContext,
    viewer: Viewer,
    values: Record<string, unknown>,
    extra: { errors?: FormErrors | undefined; refusal?: Refusal | undefined } = {},
  ) {
    const recipients = context.decision.answers.recipients?.recipients ?? [];
    const verdicts = await judgeMethods(viewer, context, values);
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
      // The methods the policy allows first, as plain choices; those it refuses after them, with why.
      methodItems: verdicts
        .filter((verdict) => !verdict.refusedToAll)
        .map((verdict) => ({
          value: verdict.method,
          text: methodLabels[verdict.method],
          hint: {
            text: [
              methodHints[verdict.method],
              ...verdict.refusals.map((refusal) => `Not to ${refusal.recipient}: ${refusal.reasons}`),
            ].join(' '),
          },
        })),
      refusedMethods: verdicts
        .filter((verdict) => verdict.refusedToAll)
        .map((verdict) => ({
          method: methodLabels[verdict.method],
          reasons: [...new Set(verdict.refusals.map((refusal) => refusal.reasons))].join(' '),
        })),
      methodsFor:
        recipients.length === 1 || values['recipientIndex'] !== undefined
          ? 'this recipient'
          : 'these recipients',
      emailOffered: verdicts.some((verdict) => isEmail(verdict.method) && !verdict.refusedToAll),
      alreadyDisclosed: context.disclosures.length,
      values,
      errors: extra.errors,
      refusal: extra.refusal,
    });
  }

  app.get('/decisions/:id/disclosures/new', { config: recordersPage('none') }, async (request, reply) =>
    openDecision(request, reply, async (context, viewer) => {
      const draft = readDraft(request, context);
      const recipients = context.decision.answers.recipients?.recipients ?? [];
      // The information the decision shares starts ticked: the practitioner unticks what is not going now.
      const values =
        draft === undefined
          ? {
              ...(recipients.length === 1 ? { recipientIndex: '0' } : {}),
              categoryIds: choicesOf(context).categoryIds,
            }
          : stepOneValues(draft);
      return renderStepOne(reply, 200, context, viewer, values);
    }),
  );

  // Step 1 is kept in a signed cookie until the checklist is done: nothing is recorded yet.
  app.post('/decisions/:id/disclosures/new', { config: recordersPage('none') }, async (request, reply) =>
    openDecision(request, reply, async (context, viewer) => {
      const values = typedAnswers(request.body, stepOneFields, listFields);
      const form = parseForm(stepOneForm(choicesOf(context)), request.body);
      if (!form.ok) return renderStepOne(reply, 400, context, viewer, values, { errors: form.errors });
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
        return renderStepOne(reply, 400, context, viewer, values, { errors: errorsOf(problems) });
      }
      const { advice } = answer;
      if (!advice.allowed) {
        const refusal: Refusal = {
          method: methodLabels[advice.method],
          recommended: methodLabels[advice.recommended],
          reasons: [...advice.reasons]
            .sort((a, b) => effectOrder[a.effect] - effectOrder[b.effect])
            .filter((reason) => reason.effect === 'refuses' || reason.effect === 'notes')
            .map((reason) => reason.explanation),
        };
        const text = `${methodLabels[advice.method]} cannot be used for this disclosure: send it by ${methodName(advice.recommended)} instead`;
        return renderStepOne(
          reply,
          400,
          context,
          viewer,
          { ...values, method: advice.recommended },
          { errors: fieldError('method', text), refusal },
        );
      }
      // Consent (R3.3) and an emergency share's approval are asked again before the checklist, so the practitioner learns at once.
      const standing = await disclosures.standingProblems(viewer, context.decision.id, answers);
      if (standing.length > 0)
        return renderStepOne(reply, 400, context, viewer, values, {
          errors: errorsOf(standing.map((problem) => ({ field: problem.field, text: problem.message }))),
        });
      // The secure exchange is not logged here: sending its package records the disclosure.
      if (answers.method === 'secure-exchange')
        return reply.redirect(exchangePaths.send(context.decision.id), 303);
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
    // The telephone checklist is for a call received or a call made: asked first, on its own page.
    const call = answers.method === 'telephone' ? callDirectionOf(values['callDirection']) : undefined;
    if (answers.method === 'telephone' && call === undefined)
      return renderCallDirection(reply, context, values['callDirection'], errors !== undefined);
    const recipient = recipientOf(context, answers.recipientIndex);
    const [organisation, answer, offSite] = await Promise.all([
      orgs.find(recipient.organisationId),
      disclosures.advise(viewer, context.decision.id, answers),
      answers.method === 'in-person' ? disclosures.offSiteEntries(viewer) : [],
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
      ...(call === undefined
        ? []
        : [
            {
              key: { text: 'The call' },
              value: { text: call === 'incoming' ? 'You received it' : 'You made it' },
              actions: {
                items: [
                  {
                    href: disclosurePaths.checklist(context.decision.id),
                    text: 'Change',
                    visuallyHiddenText: 'whether you made the call or received it',
                  },
                ],
              },
            },
          ]),
    ];
    return reply.code(status).render('disclosures/views/checklist.njk', {
      pageTitle: `${methodLabels[method]}: the checklist`,
      backLink: disclosurePaths.newForDecision(context.decision.id),
      action: disclosurePaths.checklist(context.decision.id),
      changePath: disclosurePaths.newForDecision(context.decision.id),
      decision: decisionFacts(context),
      method,
      afterSharing: recordedAfterSharing(method),
      methodLabel: methodLabels[method],
      template: checklistTemplates[method],
      questions: questionsOf(method),
      call,
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
              .map((reason) => reason.explanation),
      receiptDays: advice?.receiptWithinWorkingDays ?? null,
      // In person: the entry of the viewer's off-site log it was carried under, one preselected when only one will do.
      offSiteItems: [
        ...(offSite.length === 1 ? [] : [{ value: '', text: 'Select the entry' }]),
        ...offSite.map((entry) => ({
          value: entry.id,
          text: `${entry.reference}: ${entry.what} (${entry.status === 'out' ? 'off site now' : 'returned'})`,
        })),
      ],
      newOffSitePath: custodyPaths.log(),
      values,
      errors,
    });
  }

  /** The telephone checklist's first question: did you make the call or receive it? */
  function renderCallDirection(
    reply: FastifyReply,
    context: DisclosureContext,
    chosen: unknown,
    refused: boolean,
  ) {
    return reply.code(refused ? 400 : 200).render('disclosures/views/call-direction.njk', {
      pageTitle: 'Did you make the call or receive it?',
      backLink: disclosurePaths.newForDecision(context.decision.id),
      action: disclosurePaths.checklist(context.decision.id),
      decision: decisionFacts(context),
      values: { call: callDirectionOf(chosen) },
      errors: refused ? fieldError('call', 'Select whether you made the call or received it') : undefined,
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

  app.get('/decisions/:id/disclosures/checklist', { config: recordersPage('none') }, async (request, reply) =>
    openDecision(request, reply, async (context, viewer) => {
      const draft = readDraft(request, context);
      if (draft === undefined)
        return reply.redirect(disclosurePaths.newForDecision(context.decision.id), 303);
      const organisation = await orgs.find(recipientOf(context, draft.recipientIndex).organisationId);
      const { call } = checklistPageQuery.parse(request.query);
      if (draft.method === 'telephone' && callDirectionOf(call) === undefined)
        return renderCallDirection(reply, context, call, call !== undefined);
      return renderChecklist(reply, 200, context, viewer, draft, {
        ...checklistDefaults(context, draft, organisation),
        ...(draft.method === 'telephone' ? { callDirection: call } : {}),
      });
    }),
  );

  app.post(
    '/decisions/:id/disclosures/checklist',
    { config: recordersPage(['disclosure.recorded']) },
    async (request, reply) =>
      openDecision(request, reply, async (context, viewer) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const stepOne = stepOneForm(choicesOf(context)).safeParse(
          Object.fromEntries(
            stepOneFields.filter((field) => field in body).map((field) => [field, body[field]]),
          ),
        );
        // Step 1's answers no longer hold (the decision changed, or the form was altered): start again.
        if (!stepOne.success) {
          nothingToAudit();
          return reply.redirect(disclosurePaths.newForDecision(context.decision.id), 303);
        }
        const answers = stepOne.data;
        const method = answers.method;
        const values = typedAnswers(
          request.body,
          ['description', 'offSiteEntryId', ...checklistFields(method)],
          listFields,
        );
        const form = parseForm(stepTwoForm(method), request.body);
        if (!form.ok) return renderChecklist(reply, 400, context, viewer, answers, values, form.errors);
        const typed = form.value as Record<string, unknown>;
        const description = typeof typed['description'] === 'string' ? typed['description'].trim() : '';
        const offSiteEntryId =
          typeof typed['offSiteEntryId'] === 'string' ? typed['offSiteEntryId'].trim() : '';
        try {
          const id = await disclosures.record(viewer, context.decision.id, {
            recipientIndex: answers.recipientIndex,
            method,
            ...(answers.recipientAddress === undefined ? {} : { recipientAddress: answers.recipientAddress }),
            categoryIds: [...answers.categoryIds],
            description,
            checklist: checklistAnswers(method, typed, description),
            // A choice that is not an entry's id is refused by the service like a missing one.
            ...(method === 'in-person'
              ? { offSiteEntryId: isUuid(offSiteEntryId) ? offSiteEntryId : undefined }
              : {}),
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
}

/** The description's messages for a checklist filled in before sending, in the words of its label. */
const beforeSending: Readonly<Record<string, string>> = {
  'Enter what you disclosed': 'Enter what you are sending',
  'What you disclosed must be 4000 characters or fewer':
    'What you are sending must be 4000 characters or fewer',
};

/**
 * The service's problems in the order the checklist page asks its questions: step 1's answers,
 * then, before sending, what is being sent and the method's questions; after sharing (a call, a
 * hand-over), the method's questions and then what was disclosed. On the telephone the call's
 * record is that description, so its two problems are one.
 */
function checklistProblems(
  method: ChannelMethodId,
  error: DisclosureRuleError,
): { field: string; text: string }[] {
  const fields = checklistFields(method);
  // The off-site log entry is asked first under "What you carried".
  const carried = fields.indexOf('itemsCarried');
  const questions =
    carried < 0 ? fields : [...fields.slice(0, carried), 'offSiteEntryId', ...fields.slice(carried)];
  const after = recordedAfterSharing(method);
  const order = after ? ['answers', ...questions, 'description'] : ['answers', 'description', ...questions];
  const callRecorded = error.problems.some((problem) => problem.field === 'checklist.disclosed');
  return error.problems
    .filter((problem) => !(method === 'telephone' && callRecorded && problem.field === 'description'))
    .map((problem) => ({
      field: fieldOfProblem(method, problem.field),
      text:
        !after && problem.field === 'description'
          ? (beforeSending[problem.message] ?? problem.message)
          : problem.message,
    }))
    .map((problem, index) => ({ problem, index, rank: order.indexOf(problem.field) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.problem);
}
