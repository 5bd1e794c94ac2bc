import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { agreementPaths } from '../../agreements/agreements.paths.ts';
import type { Viewer } from '../../auth/index.ts';
import { methodName } from '../../channels/index.ts';
import { disclosurePaths } from '../../disclosures/disclosures.paths.ts';
import { exchangePaths } from '../../exchange/exchange.paths.ts';
import { checkboxes } from '../../lib/fields.ts';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import { parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { LeftRoutinePath, prefilledAnswers, type RoutineOption } from '../routine.service.ts';
import { labelOf, personName } from '../pages/names.ts';
import { sharingPaths } from '../sharing.paths.ts';
import { deciders, type DecisionPages } from './context.ts';

const personParams = z.strictObject({ id: z.uuid() });
/** An option names its agreement, partner and purpose: ids only, never personal data. */
const optionQuery = z.object({ option: z.string().max(200).optional().catch(undefined) });
const routineFields = [
  'option',
  'recipientName',
  'recipientRole',
  'recipientEmail',
  'channelId',
  'asked',
  'categoryIds',
  'method',
  'thirdParties',
  'riskChanged',
];
const routineForm = z.strictObject({
  option: z.string().max(200).default(''),
  recipientName: z.string().max(10_000).default(''),
  recipientRole: z.string().max(10_000).default(''),
  recipientEmail: z.string().max(10_000).optional(),
  channelId: z.string().max(100).default(''),
  asked: z.string().max(10_000).default(''),
  categoryIds: checkboxes(z.string().max(60)).pipe(z.array(z.string()).max(50)),
  method: z.string().max(40).default(''),
  thirdParties: z.enum(['yes', 'no'], { error: 'Say whether it identifies anyone else who could be harmed' }),
  riskChanged: z.enum(['yes', 'no'], {
    error: 'Say whether anything you know changes the risks the agreement assessed',
  }),
});

const keyOf = (option: RoutineOption) =>
  `${option.agreement.id}.${option.recipientOrganisationId}.${option.purposeId}`;

/**
 * The routine path (issue: a routine share in six pages): from a person's record, a share that an
 * agreement in force and the consent register already answer is confirmed on one page and recorded,
 * then sent by the agreed method. Anything unusual leaves for the full decision, keeping what was
 * entered.
 */
export function routineRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, policy } = pages;

  async function load(viewer: Viewer, personId: unknown) {
    const params = personParams.safeParse({ id: personId });
    if (!params.success) throw new NotFoundError();
    return sharing.routineOptions(viewer, params.data.id);
  }

  function optionView(option: RoutineOption) {
    return {
      key: keyOf(option),
      text: `${option.recipientOrganisationName}: ${labelOf(policy.purposes, option.purposeId)}`,
      hint: `Agreement ${option.agreement.reference}, ${option.agreement.title}${
        option.agreement.state === 'review-overdue' ? ' (past its review date)' : ''
      }. ${option.consent === 'covered' ? 'Consent is in place.' : 'The consent register does not show consent covering it.'}`,
    };
  }

  async function renderForm(
    reply: FastifyReply,
    status: number,
    loaded: Awaited<ReturnType<typeof load>>,
    option: RoutineOption,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const { agreement } = option;
    const bases = policy.sharing.lawfulBases;
    const basis = [
      labelOf(bases.article6, agreement.ownBasis.article6),
      ...(agreement.ownBasis.article9 === undefined
        ? []
        : [labelOf(bases.article9, agreement.ownBasis.article9)]),
      ...(agreement.ownBasis.schedule1 === undefined
        ? []
        : [labelOf(bases.schedule1, agreement.ownBasis.schedule1)]),
      ...(agreement.ownBasis.criminalOffence === undefined
        ? []
        : [labelOf(bases.criminalOffence, agreement.ownBasis.criminalOffence)]),
    ];
    const chosen = Array.isArray(values['categoryIds']) ? (values['categoryIds'] as string[]) : undefined;
    return reply.code(status).render('sharing/views/routine.njk', {
      pageTitle: `Share with ${option.recipientOrganisationName}`,
      backLink: sharingPaths.routine(loaded.person.id),
      action: sharingPaths.routine(loaded.person.id),
      fullPath: sharingPaths.start(),
      personId: loaded.person.id,
      personName: personName(loaded.person),
      option: optionView(option),
      agreement,
      agreementPath: agreementPaths.agreement(agreement.id),
      purpose: labelOf(policy.purposes, option.purposeId),
      consentCovered: option.consent === 'covered',
      basis,
      prefilled: prefilledAnswers,
      channelItems: policy.sharing.requestChannels.map((channel) => ({
        value: channel.id,
        text: channel.label,
      })),
      categoryItems: agreement.categories.map((category) => ({
        value: category.categoryId,
        text: labelOf(policy.informationCategories, category.categoryId),
        hint: { text: category.relevance },
        checked: chosen === undefined ? true : chosen.includes(category.categoryId),
      })),
      methodItems: agreement.methods.map((method) => {
        const name = methodName(method);
        return { value: method, text: `${name.charAt(0).toUpperCase()}${name.slice(1)}` };
      }),
      values,
      errors,
    });
  }

  app.get('/people/:id/share-under-agreement', { config: deciders('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const loaded = await load(viewer, (request.params as { id?: unknown }).id);
    const { option: key } = optionQuery.parse(request.query);
    const option =
      loaded.options.length === 1 ? loaded.options[0] : loaded.options.find((item) => keyOf(item) === key);
    if (option !== undefined) return renderForm(reply, 200, loaded, option, { option: keyOf(option) });
    return reply.render('sharing/views/routine-choose.njk', {
      pageTitle: 'Share under a sharing agreement',
      backLink: `/people/${loaded.person.id}`,
      action: sharingPaths.routine(loaded.person.id),
      fullPath: sharingPaths.start(),
      personId: loaded.person.id,
      personName: personName(loaded.person),
      options: loaded.options.map(optionView),
      error: key === undefined ? undefined : 'Select who you are sharing with',
    });
  });

  app.post(
    '/people/:id/share-under-agreement',
    { config: deciders({ sometimes: ['decision.started', 'decision.saved', 'decision.recorded'] }) },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const loaded = await load(viewer, (request.params as { id?: unknown }).id);
      const values = typedAnswers(request.body, routineFields, ['categoryIds']);
      const option = loaded.options.find((item) => keyOf(item) === values['option']);
      if (option === undefined) return reply.redirect(sharingPaths.routine(loaded.person.id), 303);
      const form = parseForm(routineForm, request.body);
      if (!form.ok) return renderForm(reply, 400, loaded, option, values, form.errors);
      const answers = form.value;
      const method = option.agreement.methods.find((allowed) => allowed === answers.method);
      if (method === undefined)
        return renderForm(reply, 400, loaded, option, values, {
          summary: [{ text: 'Select how you will send it', href: '#method' }],
          fields: { method: { text: 'Select how you will send it' } },
        });
      try {
        const recorded = await sharing.shareRoutinely(viewer, {
          personId: loaded.person.id,
          agreementId: option.agreement.id,
          recipientOrganisationId: option.recipientOrganisationId,
          purposeId: option.purposeId,
          recipientName: answers.recipientName,
          recipientRole: answers.recipientRole,
          recipientEmail: answers.recipientEmail,
          channelId: answers.channelId,
          asked: answers.asked,
          categoryIds: answers.categoryIds,
          method,
          thirdParties: answers.thirdParties === 'yes',
          riskChanged: answers.riskChanged === 'yes',
        });
        // Decision and sending are one flow: straight on to sending by the agreed method.
        return await reply.redirect(
          method === 'secure-exchange'
            ? exchangePaths.send(recorded.id)
            : disclosurePaths.newForDecision(recorded.id),
          303,
        );
      } catch (error) {
        if (error instanceof LeftRoutinePath)
          return reply.render('sharing/views/routine-left.njk', {
            pageTitle: 'This share needs the full decision',
            reasons: error.reasons,
            decisionPath: sharingPaths.decision(error.decisionId),
          });
        if (!(error instanceof RuleError)) throw error;
        return renderForm(reply, 400, loaded, option, values, ruleErrors(error, routineFields));
      }
    },
  );
}
