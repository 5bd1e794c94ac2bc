import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { relationshipNames } from '../people/index.ts';
import { policyLabels, type PolicyPack } from '../policy/index.ts';
import { fieldError, parseForm, type FormErrors } from '../web/forms.ts';
import { guardedPage } from './consent.access.ts';
import { ConsentRuleError } from './consent.errors.ts';
import {
  EvidenceFileError,
  evidenceTypeNames,
  maxEvidenceBytes,
  type EvidenceFile,
  type EvidenceItem,
} from './consent.evidence.ts';
import { consentPaths } from './consent.paths.ts';
import { addMonths, type ConsentRecord } from './consent.record.ts';
import {
  childCapacities,
  confirmationForm,
  consentFields,
  consentForm,
  consentPageQuery,
  consentParams,
  decisions,
  defaultReviewOn,
  howGivenChoices,
  newConsentQuery,
  personParams,
  prevailingViews,
  reviewFields,
  reviewForm,
  withdrawalFields,
  withdrawalForm,
  withdrawalMethods,
  withdrawers,
  type ConsentAnswers,
  type ConsentOutcome,
} from './consent.schema.ts';
import type {
  ConsentDetails,
  ConsentHistoryItem,
  ConsentService,
  RecordingContext,
} from './consent.service.ts';
import {
  consentStatusNames,
  consentStatusTagClasses,
  liveStatuses,
  type ConsentStatus,
} from './consent.status.ts';
import type {
  ChildCapacity,
  ConsentDecision,
  ConsentEventKind,
  HowGiven,
  PrevailingView,
  WithdrawalMethod,
  WithdrawnBy,
} from './consent.table.ts';

export interface ConsentRouteOptions {
  readonly consent: ConsentService;
  readonly policy: PolicyPack;
}

/** Who works with consent: practitioners, their managers, and the DPO and Caldicott Guardian. */
const consentAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };

export const decisionNames: Record<ConsentDecision, string> = {
  given: 'Consent given',
  refused: 'Consent refused',
  not_sought: 'Consent not sought',
};
const capacityNames: Record<ChildCapacity, string> = {
  competent: 'Competent to make this decision',
  not_competent: 'Not competent to make this decision',
  not_assessed: 'Not assessed',
};
const prevailingViewNames: Record<PrevailingView, string> = {
  child: 'The child or young person’s',
  parent_carer: 'The parent or carer’s',
};
const howGivenNames: Record<HowGiven, string> = {
  written: 'In writing',
  verbal: 'Verbally',
  electronic: 'Electronically',
};
const withdrawalMethodNames: Record<WithdrawalMethod, string> = {
  in_person: 'In person',
  telephone: 'By telephone',
  letter: 'By letter',
  email: 'By email',
};
const withdrawnByNames: Record<WithdrawnBy, string> = {
  child: 'The child or young person',
  parent_carer: 'The parent or carer',
  both: 'Both',
};
const eventNames: Record<ConsentEventKind, string> = {
  recorded: 'Recorded',
  reviewed: 'Consent reviewed',
  review_overdue: 'Review overdue',
  withdrawn: 'Consent withdrawn',
  expired: 'Consent expired',
  superseded: 'Replaced by a new record',
};
const outcomeNotices: Record<ConsentOutcome, string> = {
  recorded: 'Consent record saved.',
  superseded: 'Consent record saved. It replaces the record that was reviewed.',
  withdrawn: 'Withdrawal recorded. From now on this consent covers no sharing decision.',
  reviewed: 'Review recorded. The consent stands until its new review date.',
  evidence: 'Evidence uploaded.',
};

const evidenceParams = z.strictObject({ id: z.uuid(), evidenceId: z.uuid() });

/** An upload as the multipart reader leaves it in `request.body`: the CSRF token and at most one file. */
interface EvidenceUploadBody {
  _csrf?: string;
  file?: EvidenceFile;
  malformed?: boolean;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const dateFields = ['givenOn', 'reviewOn', 'expiresOn', 'withdrawnOn', 'nextReviewOn'];
const listFields = new Set([
  'consentGivenBy',
  'purposeIds',
  'recipientOrganisationIds',
  'methodIds',
  'categoryIds',
  'retentionFormIds',
]);

export async function consentRoutes(app: FastifyInstance, options: ConsentRouteOptions): Promise<void> {
  const { consent: consents, policy } = options;
  const labels = policyLabels(policy);

  function describeHistory(items: readonly ConsentHistoryItem[]) {
    return items.map((item) => ({
      label: { text: item.kind === 'recorded' ? decisionNames[item.decision] : eventNames[item.kind] },
      text: historyText(item),
      datetime: { timestamp: item.occurredOn },
      byline: { text: item.recordedByName ?? 'Safeshare' },
      consentId: item.consentId,
    }));
  }

  function historyText(item: ConsentHistoryItem): string {
    const purposes = item.purposeIds.map((id) => labels.purposes[id] ?? id).join(', ');
    switch (item.kind) {
      case 'recorded':
        return `For: ${purposes}.`;
      case 'reviewed':
        return `Still valid. ${item.note ?? ''}`.trim();
      case 'withdrawn':
        return `For: ${purposes}. No new sharing decision may rely on it.`;
      case 'review_overdue':
        return `The review date has passed. For: ${purposes}.`;
      case 'expired':
        return `For: ${purposes}.`;
      case 'superseded':
        return 'A review found the consent had changed; a new record replaces it.';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The person's consents

  app.get('/people/:personId/consents', { config: consentAccess }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const view = await consents.forPerson(viewerOf(request), params.data.personId);
      return reply.render('consent/views/list.njk', {
        pageTitle: `Consent – ${personName(view.person)}`,
        backLink: consentPaths.person(view.person.id),
        person: view.person,
        personName: personName(view.person),
        consents: view.consents.map((record) => summaryOf(record)),
        timeline: describeHistory(view.history),
        createPath: consentPaths.create(view.person.id),
      });
    });
  });

  function summaryOf(record: ConsentRecord) {
    return {
      id: record.id,
      path: consentPaths.show(record.id),
      decision: decisionNames[record.decision],
      status: consentStatusNames[record.status],
      statusClass: consentStatusTagClasses[record.status],
      purposes: record.purposeIds.map((id) => labels.purposes[id] ?? id),
      givenOn: record.givenOn,
      reviewOn: record.reviewOn,
      live: (liveStatuses as readonly ConsentStatus[]).includes(record.status),
      reviewOverdue: record.reviewOverdueSince !== null,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Recording consent: the form, then check your answers

  function formChoices(context: RecordingContext) {
    return {
      decisionItems: decisions.map((value) => ({
        value,
        text: decisionNames[value],
        hint: {
          text:
            value === 'not_sought'
              ? 'Say why in the section on consent not sought'
              : value === 'refused'
                ? 'They said no: record who refused and what to'
                : 'They agreed, having been told everything this form records',
        },
      })),
      giverItems: [
        { value: 'child', text: 'The child or young person' },
        { value: 'parent_carer', text: 'A parent or carer with parental responsibility' },
      ],
      parentCarerItems: context.parentCarers.map((relative) => ({
        value: relative.person.id,
        text: `${personName(relative.person)} (${relative.label})`,
      })),
      capacityItems: childCapacities.map((value) => ({ value, text: capacityNames[value] })),
      prevailingItems: prevailingViews.map((value) => ({
        value,
        text: `${prevailingViewNames[value]} view`,
      })),
      notSoughtItems: policy.consentNotSoughtReasons.map((reason) => ({
        value: reason.id,
        text: reason.label,
        hint: reason.requiresDetail ? { text: 'Give more detail below' } : undefined,
      })),
      purposeItems: policy.purposes.map((purpose) => ({
        value: purpose.id,
        text: purpose.label,
        hint: { text: `${purpose.description} Reviewed every ${purpose.reviewMonths} months.` },
      })),
      organisationItems: context.organisations.map((organisation) => ({
        value: organisation.id,
        text: organisation.name,
      })),
      methodItems: policy.sharingMethods.map((method) => ({ value: method.id, text: method.label })),
      categoryItems: policy.informationCategories.map((category) => ({
        value: category.id,
        text: category.label,
        hint: category.special ? { text: 'Special category or criminal offence information' } : undefined,
      })),
      retentionItems: policy.retentionForms.map((form) => ({ value: form.id, text: form.label })),
      howGivenItems: howGivenChoices.map((value) => ({ value, text: howGivenNames[value] })),
      shortestReview: Math.min(...policy.purposes.map((purpose) => purpose.reviewMonths)),
    };
  }

  async function renderForm(
    reply: FastifyReply,
    request: FastifyRequest,
    status: number,
    context: RecordingContext,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    await consents.recordView(viewerOf(request), context.person, 'new', null);
    return reply.code(status).render('consent/views/new.njk', {
      pageTitle: context.supersedes === undefined ? 'Record consent' : 'Record the changed consent',
      backLink:
        context.supersedes === undefined
          ? consentPaths.list(context.person.id)
          : consentPaths.review(context.supersedes.id),
      action: consentPaths.create(context.person.id),
      person: context.person,
      personName: personName(context.person),
      supersedes: context.supersedes,
      values,
      errors: errors === undefined ? undefined : anchorDates(errors),
      ...formChoices(context),
    });
  }

  function parseConsent(context: RecordingContext, body: unknown) {
    return parseForm(
      consentForm({ pack: policy, today: consents.today(), dateOfBirth: context.person.dateOfBirth }),
      body,
    );
  }

  app.get('/people/:personId/consents/new', { config: consentAccess }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    const query = newConsentQuery.safeParse(request.query);
    if (!params.success || !query.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const viewer = viewerOf(request);
      const context = await consents.recordingContext(viewer, params.data.personId, query.data.supersedes);
      if (query.data.supersedes !== undefined) {
        if (context.supersedes === undefined) return reply.callNotFound();
        return renderForm(reply, request, 200, context, answersFromRecord(context.supersedes));
      }
      const draft = await consents.draft(viewer, context.person.id);
      return renderForm(reply, request, 200, context, draft ?? {});
    });
  });

  app.post('/people/:personId/consents/new', { config: consentAccess }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const viewer = viewerOf(request);
      const raw = answersOf(request.body, consentFields);
      const supersedesId =
        typeof raw['supersedesId'] === 'string' && raw['supersedesId'] !== ''
          ? raw['supersedesId']
          : undefined;
      const context = await consents.recordingContext(viewer, params.data.personId, supersedesId);
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
    });
  });

  /** The checks the service makes again when saving, shown on the form so the practitioner can put them right. */
  function familyAndDirectoryProblem(
    context: RecordingContext,
    answers: ConsentAnswers,
  ): FormErrors | undefined {
    if (
      answers.parentCarerId !== null &&
      !context.parentCarers.some((relative) => relative.person.id === answers.parentCarerId)
    ) {
      return fieldError(
        'parentCarerId',
        'Select a parent or carer with parental responsibility from the list',
      );
    }
    const directory = new Set(context.organisations.map((organisation) => organisation.id));
    if (!answers.recipientOrganisationIds.every((id) => directory.has(id)))
      return fieldError('recipientOrganisationIds', 'Select organisations from the partner directory');
    return undefined;
  }

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

  async function checkContext(request: FastifyRequest, personId: string): Promise<RecordingContext> {
    const viewer = viewerOf(request);
    const draft = await consents.draft(viewer, personId);
    const supersedesId = draft?.['supersedesId'];
    return consents.recordingContext(
      viewer,
      personId,
      typeof supersedesId === 'string' && supersedesId !== '' ? supersedesId : undefined,
    );
  }

  app.get('/people/:personId/consents/new/check', { config: consentAccess }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const context = await checkContext(request, params.data.personId);
      const answers = await draftAnswers(request, context);
      if (answers === undefined) return reply.redirect(consentPaths.create(context.person.id), 303);
      return renderCheck(reply, request, 200, context, answers);
    });
  });

  app.post('/people/:personId/consents/new/check', { config: consentAccess }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const viewer = viewerOf(request);
      const context = await checkContext(request, params.data.personId);
      const answers = await draftAnswers(request, context);
      if (answers === undefined) return reply.redirect(consentPaths.create(context.person.id), 303);
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok) return renderCheck(reply, request, 400, context, answers, linkedTo(form.errors, 'save'));
      try {
        const id = await consents.record(viewer, context.person.id, answers);
        return await reply.redirect(
          `${consentPaths.show(id)}?done=${answers.supersedesId === null ? 'recorded' : 'superseded'}`,
          303,
        );
      } catch (error) {
        if (error instanceof ConsentRuleError) {
          const draft = (await consents.draft(viewer, context.person.id)) ?? {};
          return renderForm(
            reply,
            request,
            400,
            context,
            draft,
            (consentFields as readonly string[]).includes(error.field) || dateFields.includes(error.field)
              ? fieldError(error.field, error.message)
              : { summary: [{ text: error.message, href: '#decision' }], fields: {} },
          );
        }
        throw error;
      }
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Reviews due (R3.4). Registered before /consents/:id, though Fastify prefers the static path anyway.

  app.get('/consents/reviews', { config: consentAccess }, async (request, reply) => {
    const list = await consents.reviewsFor(viewerOf(request));
    const rows = (items: typeof list.overdue) =>
      items.map((item) => ({
        path: consentPaths.show(item.consentId),
        personName: item.personName,
        decision: decisionNames[item.decision],
        purposes: item.purposeIds.map((id) => labels.purposes[id] ?? id).join(', '),
        reviewOn: item.reviewOn,
      }));
    return reply.render('consent/views/reviews.njk', {
      pageTitle: 'Consent reviews',
      scope: list.scope,
      overdue: rows(list.overdue),
      dueSoon: rows(list.dueSoon),
      truncated: list.truncated,
      limit: list.limit,
      columnWidth: 'full',
    });
  });

  // ---------------------------------------------------------------------------------------------
  // One consent: details, withdrawal, review

  function detailsContext(details: ConsentDetails) {
    const record = details.consent;
    return {
      person: details.person,
      personName: personName(details.person),
      consent: record,
      summary: summaryOf(record),
      shown: {
        parentCarer:
          record.parentCarer === null
            ? null
            : `${details.parentCarer === null ? 'A parent or carer' : personName(details.parentCarer)} (${relationshipNames[record.parentCarer.relationship]}, with parental responsibility)`,
        capacity: record.childCapacity === null ? null : capacityNames[record.childCapacity],
        prevailingView:
          record.prevailingView === null ? null : `${prevailingViewNames[record.prevailingView]} view`,
        notSoughtReason:
          record.notSoughtReasonId === null
            ? null
            : (labels.consentNotSoughtReasons[record.notSoughtReasonId] ?? record.notSoughtReasonId),
        recipients: [
          ...details.recipientOrganisations.map((organisation) => organisation.name),
          ...record.recipientRoles,
        ],
        methods: record.methodIds.map((id) => labels.sharingMethods[id] ?? id),
        categories: record.categoryIds.map((id) => labels.informationCategories[id] ?? id),
        retentionForms: record.retentionFormIds.map((id) => labels.retentionForms[id] ?? id),
        howGiven: record.howGiven === null ? null : howGivenNames[record.howGiven],
        withdrawalMethod: record.withdrawal === null ? null : withdrawalMethodNames[record.withdrawal.method],
        withdrawnBy: record.withdrawal === null ? null : withdrawnByNames[record.withdrawal.by],
        recordedByName: details.recordedByName,
        withdrawalRecordedByName: details.withdrawalRecordedByName,
      },
      timeline: describeHistory(details.history),
      paths: {
        list: consentPaths.list(details.person.id),
        withdraw: consentPaths.withdraw(record.id),
        review: consentPaths.review(record.id),
        supersededBy: record.supersededById === null ? null : consentPaths.show(record.supersededById),
        supersedes: record.supersedesId === null ? null : consentPaths.show(record.supersedesId),
      },
      canWithdraw: record.status === 'given',
      canReview: (liveStatuses as readonly ConsentStatus[]).includes(record.status),
    };
  }

  async function loadDetails(
    request: FastifyRequest,
    page: 'details' | 'withdraw' | 'review',
  ): Promise<ConsentDetails | undefined> {
    const params = consentParams.safeParse(request.params);
    if (!params.success) return undefined;
    return consents.details(viewerOf(request), params.data.id, page);
  }

  async function renderDetails(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    details: ConsentDetails,
    notice?: string,
    errors?: FormErrors,
  ) {
    const evidence: readonly EvidenceItem[] =
      (await consents.evidence.list(viewerOf(request), details.consent.id)) ?? [];
    return reply.code(status).render('consent/views/show.njk', {
      pageTitle: `${decisionNames[details.consent.decision]} – ${personName(details.person)}`,
      backLink: consentPaths.list(details.person.id),
      notice,
      errors,
      evidence: evidence.map((item) => ({
        fileName: item.fileName,
        type: evidenceTypeNames[item.contentType],
        size: formatSize(item.sizeBytes),
        uploadedByName: item.uploadedByName ?? 'A former member of staff',
        uploadedAt: item.uploadedAt,
        path: consentPaths.evidenceFile(details.consent.id, item.id),
      })),
      evidenceAction: consentPaths.evidence(details.consent.id),
      ...detailsContext(details),
    });
  }

  app.get('/consents/:id', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const details = await loadDetails(request, 'details');
      if (details === undefined) return reply.callNotFound();
      const done = consentPageQuery.parse(request.query).done;
      return renderDetails(
        request,
        reply,
        200,
        details,
        done === undefined ? undefined : outcomeNotices[done],
      );
    }),
  );

  // Evidence of how consent was given (R3.2). Multipart is read only in this scope: the file and the
  // CSRF token land in request.body before the web plugin's CSRF check, which stays as it is.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: maxEvidenceBytes, files: 1, fields: 4, fieldSize: 1024, parts: 6, headerPairs: 50 },
      throwFileSizeLimit: false,
    });
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      const body: EvidenceUploadBody = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === '_csrf' && typeof part.value === 'string') body._csrf = part.value;
          } else if (part.fieldname === 'evidence' && body.file === undefined) {
            const bytes = await part.toBuffer();
            // A file input left empty may arrive with no file name at all, whatever the types say.
            const fileName: unknown = part.filename;
            const declaredType: unknown = part.mimetype;
            body.file = {
              fileName: typeof fileName === 'string' ? fileName : '',
              declaredType: typeof declaredType === 'string' ? declaredType : '',
              bytes,
              truncated: part.file.truncated,
            };
          } else {
            part.file.resume();
          }
        }
      } catch (error) {
        request.log.info({ err: error }, 'evidence upload could not be read');
        body.malformed = true;
      }
      request.body = body;
    });

    scope.post('/consents/:id/evidence', { config: consentAccess }, async (request, reply) =>
      guardedPage(reply, async () => {
        const details = await loadDetails(request, 'details');
        if (details === undefined) return reply.callNotFound();
        const body = (request.body ?? {}) as EvidenceUploadBody;
        const refuse = (text: string) =>
          renderDetails(request, reply, 400, details, undefined, fieldError('evidence', text));
        if (body.malformed === true) return refuse('The selected file could not be read: choose it again');
        const file = body.file !== undefined && body.file.fileName !== '' ? body.file : undefined;
        try {
          const id = await consents.evidence.upload(viewerOf(request), details.consent.id, file);
          if (id === undefined) return reply.callNotFound();
          return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=evidence`, 303);
        } catch (error) {
          if (error instanceof EvidenceFileError) return refuse(error.message);
          throw error;
        }
      }),
    );
  });

  app.get('/consents/:id/evidence/:evidenceId', { config: consentAccess }, async (request, reply) => {
    const params = evidenceParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    return guardedPage(reply, async () => {
      const file = await consents.evidence.download(
        viewerOf(request),
        params.data.id,
        params.data.evidenceId,
      );
      if (file === undefined) return reply.callNotFound();
      // A fixed name: never the uploaded name or the child's, which would leak into downloads folders and logs.
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="consent-evidence-${file.id}.${file.extension}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    });
  });

  function renderWithdraw(
    reply: FastifyReply,
    status: number,
    details: ConsentDetails,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('consent/views/withdraw.njk', {
      pageTitle: 'Record that consent has been withdrawn',
      backLink: consentPaths.show(details.consent.id),
      action: consentPaths.withdraw(details.consent.id),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors),
      methodItems: withdrawalMethods.map((value) => ({ value, text: withdrawalMethodNames[value] })),
      withdrawnByItems: withdrawers.map((value) => ({ value, text: withdrawnByNames[value] })),
      ...detailsContext(details),
    });
  }

  app.get('/consents/:id/withdraw', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const details = await loadDetails(request, 'withdraw');
      if (details === undefined) return reply.callNotFound();
      if (details.consent.status !== 'given')
        return reply.redirect(consentPaths.show(details.consent.id), 303);
      return renderWithdraw(reply, 200, details, {});
    }),
  );

  app.post('/consents/:id/withdraw', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const details = await loadDetails(request, 'withdraw');
      if (details === undefined) return reply.callNotFound();
      const values = answersOf(request.body, withdrawalFields);
      if (details.consent.status === 'withdrawn')
        return renderWithdraw(reply, 400, details, values, {
          summary: [{ text: 'This consent has already been withdrawn', href: '#withdrawnOn-day' }],
          fields: {},
        });
      const form = parseForm(
        withdrawalForm({ today: consents.today(), givenOn: details.consent.givenOn }),
        request.body,
      );
      if (!form.ok) return renderWithdraw(reply, 400, details, values, form.errors);
      try {
        await consents.withdraw(viewerOf(request), details.consent.id, form.value);
        return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=withdrawn`, 303);
      } catch (error) {
        if (error instanceof ConsentRuleError)
          return renderWithdraw(reply, 400, details, values, ruleErrors(error, withdrawalFields));
        throw error;
      }
    }),
  );

  function renderReview(
    reply: FastifyReply,
    status: number,
    details: ConsentDetails,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const suggested = addMonths(
      consents.today(),
      Math.min(
        ...details.consent.purposeIds.map(
          (id) => policy.purposes.find((purpose) => purpose.id === id)?.reviewMonths ?? 12,
        ),
      ),
    );
    return reply.code(status).render('consent/views/review.njk', {
      pageTitle: 'Review consent',
      backLink: consentPaths.show(details.consent.id),
      action: consentPaths.review(details.consent.id),
      values,
      suggested,
      errors: errors === undefined ? undefined : anchorDates(errors),
      ...detailsContext(details),
    });
  }

  app.get('/consents/:id/review', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const details = await loadDetails(request, 'review');
      if (details === undefined) return reply.callNotFound();
      if (!(liveStatuses as readonly ConsentStatus[]).includes(details.consent.status))
        return reply.redirect(consentPaths.show(details.consent.id), 303);
      return renderReview(reply, 200, details, {});
    }),
  );

  app.post('/consents/:id/review', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const details = await loadDetails(request, 'review');
      if (details === undefined) return reply.callNotFound();
      const values = answersOf(request.body, reviewFields);
      const form = parseForm(reviewForm({ today: consents.today() }), request.body);
      if (!form.ok) return renderReview(reply, 400, details, values, form.errors);
      if (!(liveStatuses as readonly ConsentStatus[]).includes(details.consent.status)) {
        return renderReview(reply, 400, details, values, {
          summary: [
            {
              text: 'This consent record is no longer in force: record a new consent instead',
              href: '#reviewOutcome',
            },
          ],
          fields: {},
        });
      }
      if (form.value.outcome === 'changed')
        return reply.redirect(consentPaths.supersede(details.person.id, details.consent.id), 303);
      try {
        await consents.review(viewerOf(request), details.consent.id, form.value);
        return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=reviewed`, 303);
      } catch (error) {
        if (error instanceof ConsentRuleError)
          return renderReview(reply, 400, details, values, ruleErrors(error, reviewFields));
        throw error;
      }
    }),
  );
}

function viewerOf(request: FastifyRequest): Viewer {
  // Consent routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined) throw new Error('a consent page was reached without a signed-in viewer');
  return request.viewer;
}

function personName(person: {
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs: string | null;
}): string {
  return person.knownAs === null
    ? `${person.givenNames} ${person.familyName}`
    : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
}

/** A date's error links to its first field (the day), as the GOV.UK date input pattern asks. */
function anchorDates(errors: FormErrors): FormErrors {
  return {
    summary: errors.summary.map((entry) =>
      dateFields.includes(entry.href.slice(1)) ? { ...entry, href: `${entry.href}-day` } : entry,
    ),
    fields: errors.fields,
  };
}

function linkedTo(errors: FormErrors, target: string): FormErrors {
  return { summary: errors.summary.map((entry) => ({ ...entry, href: `#${target}` })), fields: {} };
}

function ruleErrors(error: ConsentRuleError, fields: readonly string[]): FormErrors {
  if (fields.includes(error.field) || fields.includes(`${error.field}-day`))
    return fieldError(error.field, error.message);
  return { summary: [{ text: error.message, href: `#${fields[0] ?? 'form'}` }], fields: {} };
}

/** What was typed, to show again beside the errors: text as text, lists as lists; anything else is dropped. */
function answersOf(body: unknown, fields: readonly string[]): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {};
  if (body === null || typeof body !== 'object') return answers;
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key)) continue;
    if (listFields.has(key)) {
      const items = [value]
        .flat()
        .filter((item): item is string => typeof item === 'string' && item.length <= 100);
      answers[key] = items.slice(0, 100);
    } else if (typeof value === 'string') {
      answers[key] = value.slice(0, 10_000);
    }
  }
  return answers;
}

/** A consent's answers, to start the form for the record that replaces it. The decision date is left for the new decision. */
function answersFromRecord(record: ConsentRecord): Record<string, string | string[]> {
  const yesNo = (value: boolean | null) => (value === null ? '' : value ? 'yes' : 'no');
  return {
    decision: record.decision,
    consentGivenBy: [
      ...(record.givenByChild ? ['child'] : []),
      ...(record.parentCarer === null ? [] : ['parent_carer']),
    ],
    parentCarerId: record.parentCarer?.personId ?? '',
    childCapacity: record.childCapacity ?? '',
    capacityNotAssessedReason: record.capacityNotAssessedReason ?? '',
    childView: record.childView ?? '',
    prevailingView: record.prevailingView ?? '',
    notSoughtReason: record.notSoughtReasonId ?? '',
    notSoughtDetail: record.notSoughtDetail ?? '',
    purposeIds: [...record.purposeIds],
    useDescription: record.useDescription ?? '',
    recipientOrganisationIds: [...record.recipientOrganisationIds],
    recipientRoles: record.recipientRoles.join('\n'),
    methodIds: [...record.methodIds],
    categoryIds: [...record.categoryIds],
    retentionPeriod: record.retentionPeriod ?? '',
    retentionFormIds: [...record.retentionFormIds],
    toldSharedWithoutConsent: yesNo(record.toldSharedWithoutConsent),
    toldMayWithdraw: yesNo(record.toldMayWithdraw),
    howGiven: record.howGiven ?? '',
    evidenceNote: '',
    supersedesId: record.id,
  };
}
