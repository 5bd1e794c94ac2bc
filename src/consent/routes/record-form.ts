import type { FastifyReply, FastifyRequest } from 'fastify';
import { anchorDates, fieldError, parseForm, viewerOf, type FormErrors } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import type { ConsentRecord } from '../consent.record.ts';
import {
  childCapacities,
  consentForm,
  decisions,
  howGivenChoices,
  prevailingViews,
  type ConsentAnswers,
} from '../consent.schema.ts';
import type { RecordingContext } from '../consent.service.ts';
import { dateFields, type ConsentPages } from './context.ts';
import { capacityNames, decisionNames, howGivenNames, personName, prevailingViewNames } from './names.ts';

/** The consent form (R3.1-R3.4): its choices, its checks beyond the schema, and its rendering. */
export function recordingForm(pages: ConsentPages) {
  const { consents, policy } = pages;

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

  /** The form, with what was typed and any errors; each showing is audited. */
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
      errors: errors === undefined ? undefined : anchorDates(errors, dateFields),
      ...formChoices(context),
    });
  }

  function parseConsent(context: RecordingContext, body: unknown) {
    return parseForm(
      consentForm({ pack: policy, today: consents.today(), dateOfBirth: context.person.dateOfBirth }),
      body,
    );
  }

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

  return { renderForm, parseConsent, familyAndDirectoryProblem };
}

/** A consent's answers, to start the form for the record that replaces it. The decision date is left for the new decision. */
export function answersFromRecord(record: ConsentRecord): Record<string, string | string[]> {
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
