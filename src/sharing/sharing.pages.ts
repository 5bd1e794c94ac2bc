import { roleNames } from '../auth/index.ts';
import type { ConsentCheckOutcome } from '../consent/index.ts';
import { formatDate } from '../lib/time.ts';
import type { Adviser, PolicyPack } from '../policy/index.ts';
import { outcomeNames, principles, type DecisionAnswers, type SectionName } from './sharing.answers.ts';
import { sharingPaths } from './sharing.paths.ts';
import {
  approvalKindNames,
  sectionTitles,
  sensitiveCategoriesFor,
  type DecisionProblem,
  type NeededApproval,
} from './sharing.rules.ts';
import type { DecisionView } from './sharing.service.ts';
import { addendumKindNames, principleNames, requesterKindNames, thirdPartyNames } from './sharing.forms.ts';
import type { ApprovalStatus } from './sharing.table.ts';

/**
 * What the decision pages show, worked out from a decision and the policy pack: the six question
 * pages and their status, the answers in words for check your answers and the record sheet.
 */

/** The six question pages of a decision; the last holds openness, safety and the outcome. */
export const pageKeys = [
  'request',
  'people',
  'recipients',
  'information',
  'lawfulBasis',
  'decision',
] as const;
export type PageKey = (typeof pageKeys)[number];

export const pageSections: Record<PageKey, readonly SectionName[]> = {
  request: ['request'],
  people: ['people'],
  recipients: ['recipients'],
  information: ['information'],
  lawfulBasis: ['lawfulBasis'],
  decision: ['openness', 'safety', 'outcome'],
};

export const pageTitles: Record<PageKey, string> = {
  request: sectionTitles.request,
  people: sectionTitles.people,
  recipients: sectionTitles.recipients,
  information: sectionTitles.information,
  lawfulBasis: sectionTitles.lawfulBasis,
  decision: sectionTitles.outcome,
};

/** Pages a decision not to share can do without (sharing.rules.ts needs them only for a share). */
const optionalForNotShare: readonly PageKey[] = ['recipients', 'information', 'lawfulBasis'];

/** What a page needs answered before it can be: the purpose for sensitive categories, everything consent is checked against. */
const prerequisites: Record<PageKey, readonly SectionName[]> = {
  request: [],
  people: [],
  recipients: [],
  information: ['request'],
  lawfulBasis: ['request', 'people', 'recipients', 'information'],
  decision: [],
};

export function pageOf(section: SectionName): PageKey {
  return pageKeys.find((page) => pageSections[page].includes(section)) ?? 'decision';
}

export function pagePath(id: string, page: PageKey, options: { readonly fromCheck?: boolean } = {}): string {
  return sharingPaths.section(id, pageSections[page][0] ?? 'outcome', options);
}

/**
 * Where a page goes next: the following page, or check your answers after the last (or when they came
 * from there). Once the practitioner has decided not to share, the pages only a share needs are passed by.
 */
export function nextPath(
  id: string,
  page: PageKey,
  fromCheck: boolean,
  answers: DecisionAnswers = {},
): string {
  if (fromCheck) return sharingPaths.check(id);
  const notShare = answers.outcome?.outcome === 'not-share';
  const next = pageKeys
    .slice(pageKeys.indexOf(page) + 1)
    .find(
      (candidate) =>
        !(
          notShare &&
          optionalForNotShare.includes(candidate) &&
          pageSections[candidate].every((section) => answers[section] === undefined)
        ),
    );
  return next === undefined ? sharingPaths.check(id) : pagePath(id, next);
}

export function previousPath(id: string, page: PageKey, fromCheck: boolean): string {
  if (fromCheck) return sharingPaths.check(id);
  const previous = pageKeys[pageKeys.indexOf(page) - 1];
  return previous === undefined ? sharingPaths.decision(id) : pagePath(id, previous);
}

export function canStart(answers: DecisionAnswers, page: PageKey): boolean {
  return prerequisites[page].every((section) => answers[section] !== undefined);
}

export type PageStatus = 'completed' | 'incomplete' | 'cannot-start' | 'not-needed';

export function pageStatus(view: Pick<DecisionView, 'answers' | 'assessment'>, page: PageKey): PageStatus {
  const sections = pageSections[page];
  const answered = sections.every((section) => view.answers[section] !== undefined);
  const notShare = view.answers.outcome?.outcome === 'not-share';
  if (
    !answered &&
    notShare &&
    optionalForNotShare.includes(page) &&
    sections.every((section) => view.answers[section] === undefined)
  )
    return 'not-needed';
  if (answered)
    return view.assessment.problems.some((problem) =>
      (sections as readonly string[]).includes(problem.section),
    )
      ? 'incomplete'
      : 'completed';
  return canStart(view.answers, page) ? 'incomplete' : 'cannot-start';
}

/** The GOV.UK task list of the six pages; links only for the author of a decision they can still change. */
export function taskList(view: DecisionView) {
  return pageKeys.map((page) => {
    const status = pageStatus(view, page);
    const linked = view.can.edit && status !== 'cannot-start';
    return {
      title: { text: pageTitles[page] },
      ...(linked ? { href: pagePath(view.id, page) } : {}),
      ...(status === 'not-needed' ? { hint: { text: 'Optional: you have decided not to share' } } : {}),
      status:
        status === 'completed'
          ? { text: 'Completed' }
          : status === 'incomplete'
            ? { tag: { text: 'Incomplete', classes: 'govuk-tag--blue' } }
            : status === 'not-needed'
              ? { text: 'Not needed', classes: 'govuk-task-list__status--cannot-start-yet' }
              : { text: 'Cannot start yet', classes: 'govuk-task-list__status--cannot-start-yet' },
    };
  });
}

/** A problem that still stands, with where to put it right. */
export function problemLinks(view: DecisionView) {
  return view.assessment.problems.map((problem: DecisionProblem) => {
    const href =
      problem.section === 'advice'
        ? view.can.askAdvice
          ? sharingPaths.askAdvice(view.id)
          : undefined
        : problem.section === 'approval'
          ? '#approvals'
          : view.can.edit && canStart(view.answers, pageOf(problem.section))
            ? pagePath(view.id, pageOf(problem.section))
            : undefined;
    return { text: problem.message, href };
  });
}

/** An adviser or approver in words, as the practitioner ("Your line manager") or anyone else reads it. */
export function approverName(approver: Adviser, reader: 'practitioner' | 'others' = 'others'): string {
  if (approver === 'line-manager')
    return reader === 'practitioner' ? 'Your line manager' : 'The practitioner’s line manager';
  if (approver === 'supervisor')
    return reader === 'practitioner' ? 'Your supervisor (you choose who)' : 'The practitioner’s supervisor';
  return roleNames[approver];
}

export function approverList(
  approvers: readonly Adviser[],
  reader: 'practitioner' | 'others' = 'others',
): string {
  const names = approvers.map((approver) => approverName(approver, reader));
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

export const approvalStatusNames: Record<ApprovalStatus | NeededApproval['status'], string> = {
  'not-requested': 'Not yet asked for',
  pending: 'Waiting for an answer',
  approved: 'Approved',
  refused: 'Refused',
  withdrawn: 'Request withdrawn',
};

export const approvalStatusTags: Record<ApprovalStatus | NeededApproval['status'], string> = {
  'not-requested': 'govuk-tag--grey',
  pending: 'govuk-tag--yellow',
  approved: 'govuk-tag--green',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
};

export const consentOutcomeNames: Record<ConsentCheckOutcome, string> = {
  covered: 'Consent in place that covers this share',
  'not-covered': 'Consent in place, but it does not cover all of this share',
  none: 'No consent recorded for this purpose',
  expired: 'Consent has expired',
  refused: 'Consent was refused',
  withdrawn: 'Consent was withdrawn',
};

export const consentOutcomeTags: Record<ConsentCheckOutcome, string> = {
  covered: 'govuk-tag--green',
  'not-covered': 'govuk-tag--yellow',
  none: 'govuk-tag--grey',
  expired: 'govuk-tag--orange',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--red',
};

export const decisionStatusTags: Record<DecisionView['status'], string> = {
  draft: 'govuk-tag--grey',
  'awaiting-approval': 'govuk-tag--yellow',
  approved: 'govuk-tag--blue',
  recorded: 'govuk-tag--green',
};

function labelOf(
  list: readonly { readonly id: string; readonly label: string }[],
  id: string | undefined,
): string {
  if (id === undefined) return '';
  return list.find((entry) => entry.id === id)?.label ?? id;
}

export function personName(person: {
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs?: string | null;
}): string {
  return person.knownAs === null || person.knownAs === undefined
    ? `${person.givenNames} ${person.familyName}`
    : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
}

/** The consent register's answer for each person, with what it does not reach and the record it relied on. */
export function consentFindings(view: DecisionView, pack: PolicyPack) {
  return view.consent.map((finding) => {
    const relied = finding.results.find((result) => result.outcome === finding.outcome);
    const gaps = relied?.gaps;
    const missing = [
      ...(gaps?.purpose === true ? ['the purpose'] : []),
      ...(gaps?.recipient === true ? ['the recipient'] : []),
      ...(gaps?.categories ?? []).map((id) => `“${labelOf(pack.informationCategories, id)}”`),
    ];
    return {
      personName: finding.personName === '' ? 'A person whose record you cannot open' : finding.personName,
      outcome: finding.outcome,
      text: consentOutcomeNames[finding.outcome],
      tag: consentOutcomeTags[finding.outcome],
      gaps: missing.length === 0 ? undefined : `It does not cover ${missing.join(', ')}.`,
      reviewOverdue: relied?.reviewOverdue === true,
      consentId: finding.consentId,
    };
  });
}

export interface AnswerRow {
  readonly key: string;
  readonly lines: readonly string[];
  /** The field the Change link goes to. */
  readonly field: string;
}

export interface AnswerSection {
  readonly page: PageKey;
  readonly title: string;
  readonly rows: readonly AnswerRow[];
  readonly answered: boolean;
}

/** The answers in words, page by page, for check your answers and the record sheet. */
export function answerSections(view: DecisionView, pack: PolicyPack): AnswerSection[] {
  const { answers } = view;
  const organisation = (id: string | undefined) =>
    id === undefined ? '' : (view.organisationNames[id] ?? 'Unknown organisation');
  const row = (key: string, lines: readonly (string | undefined)[], field: string): AnswerRow => ({
    key,
    lines: lines.filter((line): line is string => line !== undefined && line !== ''),
    field,
  });
  const sections: AnswerSection[] = [];

  const request = answers.request;
  sections.push({
    page: 'request',
    title: pageTitles.request,
    answered: request !== undefined,
    rows:
      request === undefined
        ? []
        : [
            row(
              'Who asked',
              request.requesterKind === 'own-initiative'
                ? [requesterKindNames['own-initiative']]
                : [
                    request.requesterName,
                    request.requesterRole,
                    request.requesterKind === 'agency'
                      ? organisation(request.requesterOrganisationId)
                      : 'A colleague in your organisation',
                  ],
              'requesterKind',
            ),
            ...(request.requesterKind === 'own-initiative'
              ? []
              : [
                  row(
                    'How they asked',
                    [labelOf(pack.sharing.requestChannels, request.channelId)],
                    'channelId',
                  ),
                ]),
            row(
              request.requesterKind === 'own-initiative' ? 'Date you began considering it' : 'Date received',
              [formatDate(request.receivedOn)],
              'receivedOn-day',
            ),
            row('Purpose', [labelOf(pack.purposes, request.purposeId)], 'purposeId'),
            row(
              request.requesterKind === 'own-initiative'
                ? 'Why you are considering sharing'
                : 'What was asked for',
              [request.details],
              'details',
            ),
          ],
  });

  const people = answers.people;
  const hidden = (people?.personIds.length ?? 0) - view.people.length;
  sections.push({
    page: 'people',
    title: pageTitles.people,
    answered: people !== undefined,
    rows:
      people === undefined
        ? []
        : [
            row(
              'People',
              [
                ...view.people.map(
                  (person) =>
                    `${personName(person)}${person.dateOfBirth === null ? '' : `, born ${formatDate(person.dateOfBirth)}`}`,
                ),
                hidden > 0 ? `${String(hidden)} more whose records you cannot open` : undefined,
              ],
              'people',
            ),
            row('Transfer between IT systems', [people.systemTransfer ? 'Yes' : 'No'], 'systemTransfer'),
            row(
              'Bulk share',
              [
                view.assessment.bulk
                  ? `Yes: it needs the approval of the ${approverList(pack.sharing.approvals.bulk.approvers)}`
                  : 'No',
              ],
              'systemTransfer',
            ),
          ],
  });

  const recipients = answers.recipients?.recipients ?? [];
  sections.push({
    page: 'recipients',
    title: pageTitles.recipients,
    answered: answers.recipients !== undefined,
    rows: recipients.map((recipient, index) =>
      row(
        recipients.length === 1 ? 'Recipient' : `Recipient ${String(index + 1)}`,
        [
          recipient.name,
          recipient.role,
          organisation(recipient.organisationId),
          recipient.email,
          recipient.telephone,
          `Why they need it: ${recipient.reason}`,
        ],
        `recipients.${String(index)}.name`,
      ),
    ),
  });

  const information = answers.information;
  const sensitive = sensitiveCategoriesFor(pack, request?.purposeId);
  sections.push({
    page: 'information',
    title: pageTitles.information,
    answered: information !== undefined,
    rows:
      information === undefined
        ? []
        : [
            row(
              'Shared',
              information.shared.length === 0
                ? ['Nothing']
                : information.shared.flatMap((item) => [
                    `${labelOf(pack.informationCategories, item.categoryId)}: ${item.relevance}`,
                    sensitive.has(item.categoryId) && item.sensitiveReason !== undefined
                      ? `Why it is needed for this purpose: ${item.sensitiveReason}`
                      : undefined,
                  ]),
              'shared',
            ),
            row(
              'Withheld',
              information.withheld.length === 0
                ? ['Nothing']
                : information.withheld.map((id) => labelOf(pack.informationCategories, id)),
              'withheld',
            ),
            ...(information.description === undefined
              ? []
              : [row('Description', [information.description], 'description')]),
            row(
              'Anyone who could be harmed',
              [thirdPartyNames[information.thirdParties], information.thirdPartyReason],
              'thirdParties',
            ),
            row(
              'Principles confirmed',
              information.confirmed.length === principles.length
                ? ['All seven: necessary, proportionate, relevant, adequate, accurate, timely and secure']
                : information.confirmed.map((principle) => principleNames[principle].text),
              'confirmed',
            ),
          ],
  });

  const basis = answers.lawfulBasis;
  const bases = pack.sharing.lawfulBases;
  sections.push({
    page: 'lawfulBasis',
    title: pageTitles.lawfulBasis,
    answered: basis !== undefined,
    rows:
      basis === undefined
        ? []
        : [
            ...(basis.unsure
              ? [
                  row(
                    'Which law applies',
                    ['Not sure: the Data Protection Officer or Caldicott Guardian must advise'],
                    'unsure',
                  ),
                ]
              : []),
            row(
              'Data protection basis (Article 6)',
              [basis.article6 === undefined ? 'Not chosen' : labelOf(bases.article6, basis.article6)],
              'article6',
            ),
            ...(basis.article9 === undefined
              ? []
              : [row('Article 9 condition', [labelOf(bases.article9, basis.article9)], 'article9')]),
            ...(basis.schedule1 === undefined
              ? []
              : [row('Schedule 1 condition', [labelOf(bases.schedule1, basis.schedule1)], 'schedule1')]),
            ...(basis.criminalOffence === undefined
              ? []
              : [
                  row(
                    'Criminal offence condition',
                    [labelOf(bases.criminalOffence, basis.criminalOffence)],
                    'criminalOffence',
                  ),
                ]),
            row(
              'Common-law position',
              [basis.commonLaw === undefined ? 'Not chosen' : labelOf(bases.commonLaw, basis.commonLaw)],
              'commonLaw',
            ),
            ...(basis.confidenceReason === undefined
              ? []
              : [row('Reasons for not observing confidence', [basis.confidenceReason], 'confidenceReason')]),
            ...(basis.justification === undefined
              ? []
              : [row('Public-interest justification', [basis.justification], 'justification')]),
          ],
  });

  const { openness, safety, outcome } = answers;
  sections.push({
    page: 'decision',
    title: pageTitles.decision,
    answered: openness !== undefined || safety !== undefined || outcome !== undefined,
    rows: [
      ...(openness === undefined
        ? []
        : [
            row(
              'Told the person or family',
              openness.told ? ['Yes', openness.toldDetails] : ['No', openness.notToldReason],
              'told',
            ),
          ]),
      ...(safety === undefined
        ? []
        : [
            row('Safety and well-being', [safety.wellbeing], 'wellbeing'),
            row('Risk of sharing', [safety.riskOfSharing], 'riskOfSharing'),
            row('Risk of not sharing', [safety.riskOfNotSharing], 'riskOfNotSharing'),
          ]),
      ...(outcome === undefined
        ? []
        : [
            row('Decision', [outcomeNames[outcome.outcome]], 'outcome'),
            ...(outcome.outcome === 'not-share'
              ? [
                  row(
                    'Why you are not sharing',
                    outcome.notShareReasonIds.map((id) => labelOf(pack.sharing.notShareReasons, id)),
                    'notShareReasonIds',
                  ),
                ]
              : []),
            row('Reasons', [outcome.reasons], 'reasons'),
          ]),
    ],
  });
  return sections;
}

export function addendumKindName(kind: keyof typeof addendumKindNames): string {
  return addendumKindNames[kind].text;
}

export function purposeName(pack: PolicyPack, purposeId: string | null): string {
  return purposeId === null ? 'Not yet given' : labelOf(pack.purposes, purposeId);
}

export function approvalsPanel(view: DecisionView) {
  return {
    needed: view.assessment.approvals.map((approval) => ({
      kind: approvalKindNames[approval.kind],
      approvers: approverList(approval.approvers),
      status: approvalStatusNames[approval.status],
      tag: approvalStatusTags[approval.status],
    })),
    history: view.approvals.map((approval) => ({
      id: approval.id,
      kind: approvalKindNames[approval.kind],
      approvers: approverList(approval.approvers),
      status: approvalStatusNames[approval.status],
      tag: approvalStatusTags[approval.status],
      requestedByName: approval.requestedByName,
      requestedAt: approval.requestedAt,
      decidedByName: approval.decidedByName,
      decidedAt: approval.decidedAt,
      reason: approval.reason,
    })),
  };
}

export function advicePanel(view: DecisionView) {
  return view.advice.map((advice) => ({
    id: advice.id,
    path: sharingPaths.advice(advice.id),
    adviser: approverName(advice.adviser),
    anonymised: advice.anonymised,
    question: advice.question,
    open: advice.status === 'open',
    answer: advice.answer,
    askedByName: advice.askedByName,
    askedAt: advice.askedAt,
    answeredByName: advice.answeredByName,
    answeredAt: advice.answeredAt,
  }));
}
