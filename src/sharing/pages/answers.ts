import type { PolicyPack } from '../../policy/index.ts';
import { formatDate } from '../../lib/time.ts';
import { outcomeNames, principles } from '../sharing.answers.ts';
import { sensitiveCategoriesFor } from '../sharing.rules.ts';
import type { DecisionView } from '../sharing.service.ts';
import { consentOutcomeNames } from '../sharing.summary.ts';
import { principleNames, thirdPartyNames } from '../forms/information.ts';
import { requesterKindNames } from '../forms/request.ts';
import { approverList, consentOutcomeTags, labelOf, personName } from './names.ts';
import { pageTitles, type PageKey } from './navigation.ts';

/** The answers in words, page by page, for check your answers and the record sheet; the consent register's findings. */

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
  /** The field the Change link goes to; none for what Safeshare works out, which has no Change link. */
  readonly field: string | undefined;
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
  /** A row of answers; `field` is the question it answers, and none for what Safeshare works out. */
  const row = (key: string, lines: readonly (string | undefined)[], field?: string): AnswerRow => ({
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
                    request.requesterKind === 'colleague' ? 'colleagueChannelId' : 'channelId',
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
            row(
              'Transfer between IT systems',
              [people.systemTransfer === undefined ? 'Not answered' : people.systemTransfer ? 'Yes' : 'No'],
              'systemTransfer',
            ),
            row('Bulk share', [
              view.assessment.bulk
                ? `Yes: it needs the approval of the ${approverList(pack.sharing.approvals.bulk.approvers)}`
                : 'No',
            ]),
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
            ...(basis.statute === undefined
              ? []
              : [row('Statutory provision or court order', [basis.statute], 'statute')]),
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
