import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { consentPaths } from '../../consent/index.ts';
import type { LawfulBasisQuestion } from '../../policy/index.ts';
import { RuleError } from '../../lib/errors.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import {
  outcomeNames,
  principles,
  requesterKinds,
  thirdPartyHandling,
  type DecisionAnswers,
} from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import { assessDecision, sensitiveCategoriesFor } from '../sharing.rules.ts';
import type { DecisionView } from '../sharing.service.ts';
import { decisionFields, decisionForm, decisionLimits, decisionValues } from '../forms/decision.ts';
import { checkboxFields, type FormValues } from '../forms/fields.ts';
import {
  informationFields,
  informationForm,
  informationLimits,
  informationValues,
  principleNames,
  thirdPartyNames,
} from '../forms/information.ts';
import {
  lawfulBasisFields,
  lawfulBasisForm,
  lawfulBasisLimits,
  lawfulBasisValues,
  pairedSchedule1,
} from '../forms/lawful-basis.ts';
import { questionQuery } from '../forms/params.ts';
import {
  requestDetailsLimit,
  requesterKindNames,
  requestFields,
  requestForm,
  requestValues,
} from '../forms/request.ts';
import { consentFindings } from '../pages/answers.ts';
import { approverList, purposeName } from '../pages/names.ts';
import { canStart, nextPath, pageSections, type PageKey } from '../pages/navigation.ts';
import {
  dateFields,
  deciders,
  labelled,
  notAuthor,
  questionContext,
  sectionErrors,
  type DecisionPages,
} from './context.ts';

/** Which field of a page each of the rules' problems is about, so that the error summary links to it. */
const problemFields: Readonly<Record<string, string>> = {
  PURPOSE_UNKNOWN: 'purposeId',
  REQUESTER_NAME: 'requesterName',
  CHANNEL: 'channelId',
  REQUESTER_ORGANISATION: 'requesterOrganisationId',
  RECEIVED_IN_FUTURE: 'receivedOn',
  SYSTEM_TRANSFER: 'systemTransfer',
  NOTHING_SHARED: 'shared',
  CATEGORY_UNKNOWN: 'shared',
  SENSITIVE_REASON: 'shared',
  CATEGORY_TWICE: 'shared',
  SHARED_AND_WITHHELD: 'withheld',
  PART_WITHOUT_WITHHELD: 'withheld',
  THIRD_PARTY_REASON: 'thirdPartyReason',
  PRINCIPLES: 'confirmed',
  ARTICLE6: 'article6',
  ARTICLE9: 'article9',
  SCHEDULE1: 'schedule1',
  CRIMINAL_OFFENCE: 'criminalOffence',
  COMMON_LAW: 'commonLaw',
  CONFIDENCE_REASON: 'confidenceReason',
  CONSENT_WITHDRAWN: 'commonLaw',
  CONSENT_NOT_COVERING: 'commonLaw',
  IMPLIED_EXTERNAL: 'commonLaw',
  IMPLIED_AGAINST_REFUSAL: 'commonLaw',
  AGAINST_REFUSAL: 'commonLaw',
  JUSTIFICATION: 'justification',
  STATUTE: 'statute',
  TOLD_DETAILS: 'toldDetails',
  NOT_TOLD_REASON: 'notToldReason',
  NOT_SHARE_REASONS: 'notShareReasonIds',
  NOT_SHARE_REASON_UNKNOWN: 'notShareReasonIds',
};

/**
 * Four of the six question pages (the request, the information, the lawful basis, the decision);
 * the people and recipients pages have buttons of their own (people.ts, recipients.ts). Each saves
 * its sections as a draft and goes on to the next page.
 */
export function questionRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, orgs, policy, today, openDecision } = pages;

  /** The rules' problems with the sections a page saves, as that page's form errors. */
  function pageProblems(
    view: DecisionView,
    page: PageKey,
    sections: DecisionAnswers,
    fields: readonly string[],
  ): FormErrors | undefined {
    const answers: DecisionAnswers = { ...view.answers, ...sections };
    // Before the outcome is chosen, a page is judged as for a share: that is when its answers matter.
    const judged: DecisionAnswers =
      answers.outcome === undefined
        ? { ...answers, outcome: { outcome: 'share', notShareReasonIds: [], reasons: 'Not yet given' } }
        : answers;
    const assessment = assessDecision(judged, {
      pack: policy,
      organisationId: view.organisationId,
      today: today(),
      consent: view.consent,
      advice: view.advice.map((advice) => ({ adviser: advice.adviser, status: advice.status })),
      approvals: view.approvals.map((approval) => ({ kind: approval.kind, status: approval.status })),
    });
    const own = pageSections[page] as readonly string[];
    const problems = assessment.problems.filter(
      (problem) => own.includes(problem.section) && problem.code !== 'SECTION_MISSING',
    );
    if (problems.length === 0) return undefined;
    const broken = new RuleError(
      problems.map((problem) => ({
        field: problemFields[problem.code] ?? problem.section,
        code: `DECISION.${problem.code}`,
        message: problem.message,
      })),
    );
    return ruleErrors(broken, fields, dateFields);
  }

  /**
   * A question page: GET shows the saved answers (or what is already known); POST checks the form
   * and the rules for its sections, saves them and moves on. Only the author of a draft may use it.
   */
  function questionPage<O>(definition: {
    readonly page: PageKey;
    readonly url: string;
    readonly template: string;
    readonly fields: (view: DecisionView) => readonly string[];
    readonly values: (view: DecisionView) => FormValues | Promise<FormValues>;
    readonly choices: (
      view: DecisionView,
      values: FormValues,
    ) => Record<string, unknown> | Promise<Record<string, unknown>>;
    readonly schema: (view: DecisionView) => z.ZodType<O>;
    readonly sections: (value: O) => DecisionAnswers;
  }) {
    const render = async (
      reply: FastifyReply,
      status: number,
      view: DecisionView,
      fromCheck: boolean,
      values: FormValues,
      errors?: FormErrors,
    ) =>
      reply.code(status).render(definition.template, {
        ...questionContext(pages, view, definition.page, fromCheck),
        view,
        values,
        errors,
        ...(await definition.choices(view, values)),
      });

    app.get(definition.url, { config: deciders('none') }, async (request, reply) => {
      const { view } = await openDecision(request, false);
      if (!view.can.edit || !canStart(view.answers, definition.page))
        return reply.redirect(sharingPaths.decision(view.id), 303);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      return render(reply, 200, view, fromCheck, await definition.values(view));
    });

    app.post(definition.url, { config: deciders(['decision.saved']) }, async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const fields = definition.fields(view);
      const values = typedAnswers(request.body, fields, checkboxFields);
      const form = parseForm(definition.schema(view), request.body);
      if (!form.ok) return render(reply, 400, view, fromCheck, values, anchorDates(form.errors, dateFields));
      const sections = definition.sections(form.value);
      const problems = skipsRules(sections)
        ? undefined
        : pageProblems(view, definition.page, sections, fields);
      if (problems !== undefined) return render(reply, 400, view, fromCheck, values, problems);
      try {
        await sharing.save(viewer, view.id, sections);
      } catch (error) {
        if (error instanceof RuleError)
          return render(reply, 400, view, fromCheck, values, sectionErrors(error, fields));
        throw error;
      }
      return reply.redirect(
        nextPath(view.id, definition.page, fromCheck, { ...view.answers, ...sections }),
        303,
      );
    });
  }

  // 1. The request.
  questionPage({
    page: 'request',
    url: '/decisions/:id/request',
    template: 'sharing/views/request.njk',
    fields: () => requestFields,
    values: (view) => requestValues(view.answers.request, today()),
    choices: async () => ({
      detailsLimit: requestDetailsLimit,
      requesterKindItems: requesterKinds.map((kind) => ({ value: kind, text: requesterKindNames[kind] })),
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...(await orgs.list()).map((organisation) => ({ value: organisation.id, text: organisation.name })),
      ],
      channelItems: labelled(policy.sharing.requestChannels),
      purposeItems: policy.purposes.map((purpose) => ({
        value: purpose.id,
        text: purpose.label,
        hint: { text: purpose.description },
      })),
    }),
    schema: () => requestForm({ pack: policy, today: today() }),
    sections: (value) => ({ request: value }),
  });

  // 4. The information: categories shared, each with its relevance, and those withheld (R2.7, R2.22).
  questionPage({
    page: 'information',
    url: '/decisions/:id/information',
    template: 'sharing/views/information.njk',
    fields: () => informationFields(policy),
    values: (view) => informationValues(view.answers.information),
    choices: (view) => {
      const sensitive = sensitiveCategoriesFor(policy, view.answers.request?.purposeId);
      return {
        limits: informationLimits,
        purpose: purposeName(policy, view.answers.request?.purposeId ?? null),
        categories: policy.informationCategories.map((category) => ({
          id: category.id,
          label: category.label,
          special: category.special,
          criminal: category.criminal,
          sensitive: sensitive.has(category.id),
        })),
        thirdPartyItems: thirdPartyHandling.map((value) => ({ value, text: thirdPartyNames[value] })),
        principleItems: principles.map((principle) => ({
          value: principle,
          text: principleNames[principle].text,
          hint: { text: principleNames[principle].hint },
        })),
      };
    },
    schema: (view) => informationForm({ pack: policy, purposeId: view.answers.request?.purposeId }),
    sections: (value) => ({ information: value }),
  });

  // 5. The lawful basis, beside what the consent register says for each person (R2.1, R2.3, R2.4, R2.20).
  const sensitivity = (view: DecisionView) => {
    const categories = new Map(policy.informationCategories.map((category) => [category.id, category]));
    const shared = view.answers.information?.shared ?? [];
    return {
      specialCategory: shared.some((item) => categories.get(item.categoryId)?.special === true),
      criminalOffence: shared.some((item) => categories.get(item.categoryId)?.criminal === true),
    };
  };
  // Each footing says what it asks and whether it waits for approval, so the page asks only that.
  const questionNames: Record<LawfulBasisQuestion, string> = {
    confidenceReason: 'why you are not observing the duty of confidence',
    justification: 'the public-interest justification',
    statute: 'the statutory provision or court order',
  };
  const commonLawItems = () =>
    policy.sharing.lawfulBases.commonLaw.map((option) => {
      const asks = option.asks.map((question) => questionNames[question]);
      const then = [
        ...(asks.length === 0 ? [] : [`You will be asked for ${asks.join(' and ')}.`]),
        ...(option.needsApproval
          ? [
              `The decision waits for approval by the ${approverList(policy.sharing.approvals.publicInterest.approvers)} (the ${approverList(policy.sharing.approvals.publicInterest.healthApprovers)} for health information).`,
            ]
          : []),
      ].join(' ');
      const hint = [option.help ?? '', then].filter((text) => text !== '').join(' ');
      return { value: option.id, text: option.label, ...(hint === '' ? {} : { hint: { text: hint } }) };
    });
  const askedBy = (question: LawfulBasisQuestion) =>
    `Only for: ${policy.sharing.lawfulBases.commonLaw
      .filter((option) => option.asks.includes(question))
      .map((option) => option.label)
      .join('; ')}`;
  // R2.3: who must each advise if the practitioner is unsure which law applies, for what is shared.
  const lawAdvisersFor = (view: DecisionView) => {
    const { lawAdvice } = policy.sharing;
    return (view.answers.information?.shared ?? []).some((item) =>
      lawAdvice.healthCategories.includes(item.categoryId),
    )
      ? lawAdvice.healthAdvisers
      : lawAdvice.advisers;
  };
  // An Article 9 condition that brings its Schedule 1 condition with it says so, so it is not asked twice.
  const article9Items = () =>
    policy.sharing.lawfulBases.article9.map((option) => {
      const paired = policy.sharing.lawfulBases.schedule1.find(
        (condition) => condition.id === pairedSchedule1(policy, option.id),
      );
      const hint =
        paired === undefined
          ? option.help
          : `Recorded with the Schedule 1 condition “${paired.label}”: you need not choose it below.`;
      return {
        value: option.id,
        text: option.label,
        ...(hint === undefined ? {} : { hint: { text: hint } }),
      };
    });
  const everyoneCovered = (view: DecisionView) =>
    view.consent.length > 0 && view.consent.every((finding) => finding.outcome === 'covered');
  questionPage({
    page: 'lawfulBasis',
    url: '/decisions/:id/lawful-basis',
    template: 'sharing/views/lawful-basis.njk',
    fields: () => lawfulBasisFields,
    values: (view) => lawfulBasisValues(view.answers.lawfulBasis, policy, everyoneCovered(view)),
    choices: (view) => {
      const bases = policy.sharing.lawfulBases;
      return {
        consent: consentFindings(view, policy).map((finding) => ({
          ...finding,
          path: finding.consentId === undefined ? undefined : consentPaths.show(finding.consentId),
        })),
        everyoneCovered: everyoneCovered(view),
        ...sensitivity(view),
        lawAdvisers: approverList(lawAdvisersFor(view), 'others', 'and'),
        article6Items: labelled(bases.article6),
        article9Items: article9Items(),
        schedule1Items: labelled(bases.schedule1),
        limits: lawfulBasisLimits,
        criminalOffenceItems: labelled(bases.criminalOffence),
        commonLawItems: commonLawItems(),
        askedBy: {
          confidenceReason: askedBy('confidenceReason'),
          justification: askedBy('justification'),
          statute: askedBy('statute'),
        },
      };
    },
    schema: (view) => lawfulBasisForm({ pack: policy, ...sensitivity(view) }),
    sections: (value) => ({ lawfulBasis: value }),
  });

  // 6. The decision: openness (R2.18), safety and the balance of risks (R2.10, R2.21), the outcome and its reasons (R2.23).
  questionPage({
    page: 'decision',
    url: '/decisions/:id/decision',
    template: 'sharing/views/decision.njk',
    fields: () => decisionFields,
    values: (view) => decisionValues(view.answers),
    choices: () => ({
      outcomeItems: (['share', 'share-in-part', 'not-share'] as const).map((value) => ({
        value,
        text: outcomeNames[value],
      })),
      notShareItems: labelled(policy.sharing.notShareReasons),
      limits: decisionLimits,
    }),
    schema: () => decisionForm({ pack: policy }),
    sections: (value) => value,
  });
}

/** "Not sure which law applies" is saved as it stands: the DPO's or Caldicott Guardian's advice settles it (R2.3). */
function skipsRules(sections: DecisionAnswers): boolean {
  return sections.lawfulBasis?.unsure === true;
}
