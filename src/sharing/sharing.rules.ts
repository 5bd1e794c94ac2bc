import { roleNames } from '../auth/index.ts';
import type { Approver, PolicyPack } from '../policy/index.ts';
import { principles, type DecisionAnswers, type SectionName } from './sharing.answers.ts';
import {
  approvalKindNames,
  sectionTitles,
  type ApprovalFact,
  type ApprovalKind,
  type Assessment,
  type DecisionFacts,
  type DecisionProblem,
  type NeededApproval,
} from './sharing.assessment.ts';

/**
 * The decision rules (golden rules 1-7, R2.1-R2.23) as one pure function: given the answers so far
 * and the facts around them (consent checks, advice, approvals), what still stands in the way of
 * recording the decision. No I/O, so the rules are fast and can be tested exhaustively.
 */

export { approvalKindNames, sectionTitles, worstConsent } from './sharing.assessment.ts';
export type {
  AdviceFact,
  ApprovalFact,
  ApprovalKind,
  Assessment,
  DecisionFacts,
  DecisionProblem,
  NeededApproval,
  PersonConsent,
  RecordedAssessment,
} from './sharing.assessment.ts';

export function sensitiveCategoriesFor(pack: PolicyPack, purposeId: string | undefined): ReadonlySet<string> {
  const byPurpose = pack.sharing.sensitiveCategoriesByPurpose;
  return new Set([
    ...(byPurpose['*'] ?? []),
    ...(purposeId === undefined ? [] : (byPurpose[purposeId] ?? [])),
  ]);
}

export function assessDecision(answers: DecisionAnswers, facts: DecisionFacts): Assessment {
  const { pack } = facts;
  const problems: DecisionProblem[] = [];
  const problem = (section: DecisionProblem['section'], code: string, message: string) =>
    problems.push({ section, code, message });

  const outcome = answers.outcome?.outcome;
  const sharing = outcome === 'share' || outcome === 'share-in-part';
  const needed: SectionName[] = [
    'request',
    'people',
    'openness',
    'safety',
    'outcome',
    ...(outcome === 'not-share' ? [] : (['recipients', 'information', 'lawfulBasis'] as const)),
  ];
  for (const section of needed) {
    if (answers[section] === undefined)
      problem(section, 'SECTION_MISSING', `Complete "${sectionTitles[section]}"`);
  }

  // 1. The request (R2.11): a purpose the pack knows, and who asked.
  const request = answers.request;
  if (request !== undefined) {
    if (!pack.purposes.some((purpose) => purpose.id === request.purposeId))
      problem('request', 'PURPOSE_UNKNOWN', 'Select a purpose from the list');
    if (request.requesterKind !== 'own-initiative') {
      if (request.requesterName === undefined || request.requesterName === '')
        problem('request', 'REQUESTER_NAME', 'Enter the name of the person who asked');
      if (
        request.channelId === undefined ||
        !pack.sharing.requestChannels.some((channel) => channel.id === request.channelId)
      )
        problem('request', 'CHANNEL', 'Select how the request was made');
    }
    if (request.requesterKind === 'agency' && request.requesterOrganisationId === undefined)
      problem('request', 'REQUESTER_ORGANISATION', 'Select the organisation that asked');
    if (request.receivedOn > facts.today)
      problem('request', 'RECEIVED_IN_FUTURE', 'The date of the request must be today or in the past');
  }

  // 2. People: bulk sharing (R2.16).
  const peopleCount = answers.people?.personIds.length ?? 0;
  const bulk =
    answers.people !== undefined &&
    (peopleCount > pack.sharing.bulkThreshold || answers.people.systemTransfer === true);
  if (answers.people !== undefined && answers.people.systemTransfer === undefined)
    problem(
      'people',
      'SYSTEM_TRANSFER',
      'Answer whether the information will be transferred between IT systems',
    );

  // 3. Recipients (R2.6, R2.11).
  const recipients = answers.recipients?.recipients ?? [];
  const internal =
    recipients.length > 0 &&
    recipients.every((recipient) => recipient.organisationId === facts.organisationId);

  // 4. What is shared (R2.7, R2.22).
  const information = answers.information;
  const categories = new Map(pack.informationCategories.map((category) => [category.id, category]));
  const shared = information?.shared ?? [];
  const specialCategory = shared.some((item) => categories.get(item.categoryId)?.special === true);
  const criminalOffence = shared.some((item) => categories.get(item.categoryId)?.criminal === true);
  if (information !== undefined && sharing) {
    if (shared.length === 0)
      problem(
        'information',
        'NOTHING_SHARED',
        'Select at least one category of information to share, or record a decision not to share',
      );
    const sensitive = sensitiveCategoriesFor(pack, request?.purposeId);
    const seen = new Set<string>();
    for (const item of shared) {
      const category = categories.get(item.categoryId);
      if (category === undefined)
        problem('information', 'CATEGORY_UNKNOWN', 'Select categories from the list');
      else if (
        sensitive.has(item.categoryId) &&
        (item.sensitiveReason === undefined || item.sensitiveReason === '')
      ) {
        problem(
          'information',
          'SENSITIVE_REASON',
          `Give the reason "${category.label}" is needed for this purpose`,
        );
      }
      if (seen.has(item.categoryId)) problem('information', 'CATEGORY_TWICE', 'Select each category once');
      seen.add(item.categoryId);
    }
    for (const withheld of information.withheld) {
      if (!categories.has(withheld))
        problem('information', 'CATEGORY_UNKNOWN', 'Select categories from the list');
      if (seen.has(withheld))
        problem(
          'information',
          'SHARED_AND_WITHHELD',
          `"${categories.get(withheld)?.label ?? withheld}" cannot be both shared and withheld`,
        );
    }
    if (outcome === 'share-in-part' && information.withheld.length === 0)
      problem('information', 'PART_WITHOUT_WITHHELD', 'Select what is withheld when sharing in part');
    if (
      information.thirdParties === 'shared' &&
      (information.thirdPartyReason === undefined || information.thirdPartyReason === '')
    ) {
      problem(
        'information',
        'THIRD_PARTY_REASON',
        'Give the reason information identifying a third party who could be harmed is shared',
      );
    }
    const missing = principles.filter((principle) => !information.confirmed.includes(principle));
    if (missing.length > 0)
      problem('information', 'PRINCIPLES', `Confirm the information is ${missing.join(', ')}`);
  }

  // 5. Lawful basis (R2.1, R2.3, R2.4) and consent (R2.20, invariant 3).
  const basis = answers.lawfulBasis;
  const bases = pack.sharing.lawfulBases;
  const commonLaw =
    basis?.commonLaw === undefined
      ? undefined
      : bases.commonLaw.find((option) => option.id === basis.commonLaw);
  // R2.3: unsure which law applies, the decision waits until each adviser the pack names has answered
  // (the source policy asks the DPO and the Caldicott Guardian, not either).
  const lawAdvice = pack.sharing.lawAdvice;
  const lawAdvisersNeeded =
    basis?.unsure === true
      ? shared.some((item) => lawAdvice.healthCategories.includes(item.categoryId))
        ? lawAdvice.healthAdvisers
        : lawAdvice.advisers
      : [];
  const lawAdvisersOutstanding = lawAdvisersNeeded.filter(
    (adviser) => !facts.advice.some((advice) => advice.status === 'answered' && advice.adviser === adviser),
  );
  // A decision not to share shares nothing, so it does not wait for the law to be settled.
  const lawAdviceOutstanding = sharing && lawAdvisersOutstanding.length > 0;
  if (lawAdviceOutstanding)
    problem(
      'advice',
      'LAW_ADVICE',
      `You are unsure which law applies: the decision cannot be recorded until ${adviserNames(lawAdvisersNeeded)} ${lawAdvisersNeeded.length === 1 ? 'has' : 'have each'} given advice. Still waiting for: ${adviserNames(lawAdvisersOutstanding)}`,
    );
  if (basis !== undefined && sharing) {
    const known = (list: readonly { id: string }[], value: string | undefined) =>
      value !== undefined && list.some((option) => option.id === value);
    if (!known(bases.article6, basis.article6))
      problem('lawfulBasis', 'ARTICLE6', 'Select the data protection basis (UK GDPR Article 6)');
    if (specialCategory && !known(bases.article9, basis.article9))
      problem(
        'lawfulBasis',
        'ARTICLE9',
        'Select the Article 9 condition: special category information is shared',
      );
    if (specialCategory && !known(bases.schedule1, basis.schedule1))
      problem('lawfulBasis', 'SCHEDULE1', 'Select the Data Protection Act 2018 Schedule 1 condition');
    if (criminalOffence && !known(bases.criminalOffence, basis.criminalOffence))
      problem(
        'lawfulBasis',
        'CRIMINAL_OFFENCE',
        'Select the condition for sharing criminal offence information',
      );
    if (commonLaw === undefined)
      problem('lawfulBasis', 'COMMON_LAW', 'Select the common-law position on confidentiality');
    else {
      if (
        commonLaw.asks.includes('confidenceReason') &&
        (basis.confidenceReason === undefined || basis.confidenceReason === '')
      )
        problem(
          'lawfulBasis',
          'CONFIDENCE_REASON',
          'Give the reasons for not observing the duty of confidence',
        );
      // A legal duty compels the share: the provision is named in place of a public-interest judgement.
      if (commonLaw.asks.includes('statute') && (basis.statute === undefined || basis.statute === ''))
        problem(
          'lawfulBasis',
          'STATUTE',
          'Name the statutory provision or court order that requires you to share',
        );
    }
  }

  const consent = facts.consent;
  const refusedOrWithdrawn = consent.some(
    (person) => person.outcome === 'refused' || person.outcome === 'withdrawn',
  );
  const withoutConsent = sharing && consent.some((person) => person.outcome !== 'covered');
  if (sharing && commonLaw !== undefined) {
    if (commonLaw.reliesOnConsent) {
      for (const person of consent) {
        if (person.outcome === 'withdrawn')
          problem(
            'lawfulBasis',
            'CONSENT_WITHDRAWN',
            'Consent has been withdrawn: it cannot be relied on. Choose another basis or do not share',
          );
        else if (person.outcome !== 'covered')
          problem(
            'lawfulBasis',
            'CONSENT_NOT_COVERING',
            'The consent register does not show consent that covers this share: choose another basis, or record consent first',
          );
      }
    } else if (commonLaw.id === 'implied-consent') {
      // R2.9: implied consent is only for colleagues inside the organisation, and never against a "no".
      if (!internal)
        problem(
          'lawfulBasis',
          'IMPLIED_EXTERNAL',
          'Implied consent applies only to recipients in your own organisation',
        );
      if (refusedOrWithdrawn)
        problem(
          'lawfulBasis',
          'IMPLIED_AGAINST_REFUSAL',
          'Consent was refused or withdrawn: implied consent cannot be relied on',
        );
    } else if (refusedOrWithdrawn && !commonLaw.setsAsideConfidence) {
      problem(
        'lawfulBasis',
        'AGAINST_REFUSAL',
        'Consent was refused or withdrawn: sharing needs an overriding public interest or a legal duty',
      );
    }
    if (
      withoutConsent &&
      commonLaw.asks.includes('justification') &&
      (basis?.justification === undefined || basis.justification === '')
    ) {
      problem(
        'lawfulBasis',
        'JUSTIFICATION',
        'Give the public-interest justification, based on the facts, for sharing without consent',
      );
    }
  }
  // A public-interest override waits for approval (R2.20); a legal duty that names its provision does not.
  const override =
    sharing &&
    (commonLaw?.needsApproval === true ||
      (refusedOrWithdrawn &&
        commonLaw?.reliesOnConsent !== true &&
        commonLaw?.asks.includes('statute') !== true));

  // 6. Openness (R2.18).
  const openness = answers.openness;
  if (openness !== undefined) {
    if (openness.told && (openness.toldDetails === undefined || openness.toldDetails === ''))
      problem(
        'openness',
        'TOLD_DETAILS',
        'Say what the person or family was told: why, what, how and with whom',
      );
    if (!openness.told && (openness.notToldReason === undefined || openness.notToldReason === ''))
      problem(
        'openness',
        'NOT_TOLD_REASON',
        'Say why telling the person or family would be unsafe or inappropriate',
      );
  }

  // 7. The decision (R2.10, R2.23): its reasons are always recorded.
  if (answers.outcome !== undefined && answers.outcome.reasons.trim() === '')
    problem('outcome', 'REASONS', 'Give the reasons for your decision');
  if (answers.outcome?.outcome === 'not-share') {
    const reasons = answers.outcome.notShareReasonIds;
    if (reasons.length === 0)
      problem(
        'outcome',
        'NOT_SHARE_REASONS',
        'Select why you are not sharing: confidentiality alone is not a reason',
      );
    if (reasons.some((reason) => !pack.sharing.notShareReasons.some((option) => option.id === reason)))
      problem('outcome', 'NOT_SHARE_REASON_UNKNOWN', 'Select reasons from the list');
  }

  // Approvals (R2.16, R2.20): the latest answer of each kind counts.
  const approvals: NeededApproval[] = [];
  const healthShared = shared.some((item) =>
    pack.sharing.approvals.publicInterest.healthCategories.includes(item.categoryId),
  );
  if (override && pack.sharing.approvals.publicInterest.required) {
    approvals.push(
      approvalStatus(
        'public-interest',
        healthShared
          ? pack.sharing.approvals.publicInterest.healthApprovers
          : pack.sharing.approvals.publicInterest.approvers,
        facts.approvals,
      ),
    );
  }
  if (sharing && bulk)
    approvals.push(approvalStatus('bulk', pack.sharing.approvals.bulk.approvers, facts.approvals));
  const otherProblems = problems.length;
  for (const approval of approvals) {
    if (approval.status === 'approved') continue;
    const what = approvalKindNames[approval.kind].toLowerCase();
    if (approval.status === 'refused')
      problem(
        'approval',
        'APPROVAL_REFUSED',
        `Approval for ${what} was refused: change the decision or do not share`,
      );
    else
      problem(
        'approval',
        'APPROVAL_NEEDED',
        `${approvalKindNames[approval.kind]} needs approval before the decision can be recorded`,
      );
  }

  const readyForApproval =
    otherProblems === 0 &&
    approvals.some(
      (approval) =>
        approval.status === 'not-requested' ||
        approval.status === 'withdrawn' ||
        approval.status === 'refused',
    );
  const emergencyPossible =
    pack.sharing.approvals.emergency.allowed &&
    sharing &&
    otherProblems === 0 &&
    approvals.length > 0 &&
    approvals.every(
      (approval) =>
        approval.kind === 'public-interest' &&
        (approval.status === 'not-requested' || approval.status === 'withdrawn'),
    );
  return {
    problems,
    sharing,
    bulk,
    withoutConsent,
    override,
    internal,
    specialCategory,
    criminalOffence,
    approvals,
    lawAdviceOutstanding,
    lawAdvisersNeeded,
    lawAdvisersOutstanding,
    readyForApproval,
    emergencyPossible,
    canRecord: problems.length === 0,
  };
}

function approvalStatus(
  kind: ApprovalKind,
  approvers: readonly Approver[],
  facts: readonly ApprovalFact[],
): NeededApproval {
  const latest = facts.filter((fact) => fact.kind === kind).at(-1);
  return { kind, approvers, status: latest?.status ?? 'not-requested' };
}

/** Advisers in words for the rules' messages: "the Data Protection Officer and the Caldicott Guardian". */
function adviserNames(advisers: readonly Approver[]): string {
  const names = advisers.map((adviser) =>
    adviser === 'line-manager' ? 'your line manager' : `the ${roleNames[adviser]}`,
  );
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}
