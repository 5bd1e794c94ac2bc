import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import { nothingToAudit } from '../../lib/request-context.ts';
import { linkedTo, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import {
  confirmationForm,
  consentFields,
  defaultReviewOn,
  newConsentQuery,
  personParams,
  type ConsentAnswers,
} from '../consent.schema.ts';
import type { RecordingContext } from '../consent.service.ts';
import { addressed, consentPage, dateFields, listFields, type ConsentPages } from './context.ts';
import { capacityNames, decisionNames, howGivenNames, personName, prevailingViewNames } from './names.ts';
import { answersFromRecord, recordingForm } from './record-form.ts';

/** Recording consent: the form, then check your answers, then the saved record (R3.1-R3.4). */
export function recordRoutes(app: FastifyInstance, pages: ConsentPages): void {
  const { consents, policy, labels } = pages;
  const { renderForm, parseConsent, familyAndDirectoryProblem } = recordingForm(pages);

  app.get(
    '/people/:personId/consents/new',
    { config: consentPage(['consent.viewed']) },
    async (request, reply) => {
      const { personId } = addressed(personParams, request.params);
      const query = addressed(newConsentQuery, request.query);
      const viewer = viewerOf(request);
      const context = await consents.recordingContext(viewer, personId, query.supersedes);
      if (query.supersedes !== undefined) {
        if (context.supersedes === undefined) throw new NotFoundError();
        return renderForm(reply, request, 200, context, answersFromRecord(context.supersedes));
      }
      const draft = await consents.draft(viewer, context.person.id);
      return renderForm(reply, request, 200, context, draft ?? {});
    },
  );

  // Saving the draft records nothing (the record is audited when it is saved); a form shown again
  // beside its errors audits its showing.
  app.post(
    '/people/:personId/consents/new',
    { config: consentPage({ sometimes: ['consent.viewed'] }) },
    async (request, reply) => {
      const { personId } = addressed(personParams, request.params);
      const viewer = viewerOf(request);
      const raw = typedAnswers(request.body, consentFields, listFields);
      const supersedesId =
        typeof raw['supersedesId'] === 'string' && raw['supersedesId'] !== ''
          ? raw['supersedesId']
          : undefined;
      const context = await consents.recordingContext(viewer, personId, supersedesId);
      const form = parseConsent(context, request.body);
      if (!form.ok) return renderForm(reply, request, 400, context, raw, form.errors);
      if (form.value.supersedesId !== null && context.supersedes === undefined) {
        return renderForm(reply, request, 400, context, raw, {
          summary: [
            {
              text: 'The consent this record replaces is no longer in force: start again from the person’s consents',
              href: '#decision',
            },
          ],
          fields: {},
        });
      }
      const problem = familyAndDirectoryProblem(context, form.value);
      if (problem !== undefined) return renderForm(reply, request, 400, context, raw, problem);
      await consents.saveDraft(viewer, context.person, raw);
      return reply.redirect(consentPaths.check(context.person.id), 303);
    },
  );

  async function renderCheck(
    reply: FastifyReply,
    request: FastifyRequest,
    status: number,
    context: RecordingContext,
    answers: ConsentAnswers,
    errors?: FormErrors,
  ) {
    await consents.recordView(viewerOf(request), context.person, 'check', null);
    const parentCarer = context.parentCarers.find((relative) => relative.person.id === answers.parentCarerId);
    const organisations = new Map(
      context.organisations.map((organisation) => [organisation.id, organisation.name]),
    );
    const reviewOn = answers.reviewOn ?? defaultReviewOn(policy, answers.givenOn, answers.purposeIds);
    return reply.code(status).render('consent/views/check.njk', {
      pageTitle: 'Check your answers before saving the consent record',
      backLink: consentPaths.create(context.person.id),
      action: consentPaths.check(context.person.id),
      changePath: consentPaths.create(context.person.id),
      person: context.person,
      personName: personName(context.person),
      supersedes: context.supersedes,
      errors,
      answers,
      shown: {
        decision: decisionNames[answers.decision],
        givers: [
          answers.givenByChild ? 'The child or young person' : undefined,
          parentCarer === undefined
            ? undefined
            : `${personName(parentCarer.person)} (${parentCarer.label}, with parental responsibility)`,
        ].filter((giver): giver is string => giver !== undefined),
        capacity: answers.childCapacity === null ? null : capacityNames[answers.childCapacity],
        prevailingView:
          answers.prevailingView === null ? null : `${prevailingViewNames[answers.prevailingView]} view`,
        notSoughtReason:
          answers.notSoughtReasonId === null
            ? null
            : (labels.consentNotSoughtReasons[answers.notSoughtReasonId] ?? answers.notSoughtReasonId),
        purposes: answers.purposeIds.map((id) => labels.purposes[id] ?? id),
        recipients: [
          ...answers.recipientOrganisationIds.map((id) => organisations.get(id) ?? id),
          ...answers.recipientRoles,
        ],
        methods: answers.methodIds.map((id) => labels.sharingMethods[id] ?? id),
        categories: answers.categoryIds.map((id) => labels.informationCategories[id] ?? id),
        retentionForms: answers.retentionFormIds.map((id) => labels.retentionForms[id] ?? id),
        howGiven: answers.howGiven === null ? null : howGivenNames[answers.howGiven],
        reviewOn,
        reviewOnIsDefault: answers.reviewOn === null,
      },
    });
  }

  /** The saved draft, checked again (the day may have changed); undefined sends the practitioner back to the form. */
  async function draftAnswers(
    request: FastifyRequest,
    context: RecordingContext,
  ): Promise<ConsentAnswers | undefined> {
    const draft = await consents.draft(viewerOf(request), context.person.id);
    if (draft === undefined) return undefined;
    const form = parseConsent(context, draft);
    if (!form.ok || familyAndDirectoryProblem(context, form.value) !== undefined) return undefined;
    if (form.value.supersedesId !== null && context.supersedes === undefined) return undefined;
    return form.value;
  }

  async function checkContext(request: FastifyRequest): Promise<RecordingContext> {
    const { personId } = addressed(personParams, request.params);
    const viewer = viewerOf(request);
    const draft = await consents.draft(viewer, personId);
    const supersedesId = draft?.['supersedesId'];
    return consents.recordingContext(
      viewer,
      personId,
      typeof supersedesId === 'string' && supersedesId !== '' ? supersedesId : undefined,
    );
  }

  /** No draft to check: back to the form, which audits its own showing. */
  function backToForm(reply: FastifyReply, context: RecordingContext) {
    nothingToAudit();
    return reply.redirect(consentPaths.create(context.person.id), 303);
  }

  app.get(
    '/people/:personId/consents/new/check',
    { config: consentPage(['consent.viewed']) },
    async (request, reply) => {
      const context = await checkContext(request);
      const answers = await draftAnswers(request, context);
      if (answers === undefined) return backToForm(reply, context);
      return renderCheck(reply, request, 200, context, answers);
    },
  );

  app.post(
    '/people/:personId/consents/new/check',
    { config: consentPage(['consent.recorded']) },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const context = await checkContext(request);
      const answers = await draftAnswers(request, context);
      if (answers === undefined) return backToForm(reply, context);
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok) return renderCheck(reply, request, 400, context, answers, linkedTo(form.errors, 'save'));
      try {
        const id = await consents.record(viewer, context.person.id, answers);
        return await reply.redirect(
          `${consentPaths.show(id)}?done=${answers.supersedesId === null ? 'recorded' : 'superseded'}`,
          303,
        );
      } catch (error) {
        // The register changed since the answers were checked: the form again, beside the rule it breaks.
        if (!(error instanceof RuleError)) throw error;
        const draft = (await consents.draft(viewer, context.person.id)) ?? {};
        return renderForm(reply, request, 400, context, draft, ruleErrors(error, consentFields, dateFields));
      }
    },
  );
}
