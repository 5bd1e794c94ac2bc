import { formatDate } from '../../lib/time.ts';
import type { PolicyPack } from '../../policy/index.ts';
import { outcomeNames, principles, type DecisionAnswers } from '../sharing.answers.ts';
import type { DecisionView } from '../sharing.service.ts';
import { consentOutcomeNames } from '../sharing.summary.ts';
import { requesterKindNames } from '../forms/request.ts';

/** What an approver reads to judge a decision (R2.16, R2.20): the whole of it, section by section. */

const thirdPartyNames: Record<NonNullable<DecisionAnswers['information']>['thirdParties'], string> = {
  none: 'The information identifies no third party who could be harmed',
  withheld: 'Information identifying third parties who could be harmed is withheld',
  shared: 'Information identifying third parties who could be harmed is shared',
};

/** Free text as paragraphs, so that the practitioner's line breaks survive without inline styles. */
export function paragraphs(text: string | null | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n+/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export interface SummaryRow {
  readonly key: string;
  readonly lines: readonly string[];
}
export interface SummarySection {
  readonly title: string;
  readonly rows: readonly SummaryRow[];
}

/** The whole decision, section by section, as the approver needs it to judge. */
export function decisionSections(decision: DecisionView, policy: PolicyPack): SummarySection[] {
  const label = (
    list: readonly { readonly id: string; readonly label: string }[],
    id: string | undefined,
  ): string | undefined =>
    id === undefined ? undefined : (list.find((entry) => entry.id === id)?.label ?? id);
  const categoryLabel = (id: string) => label(policy.informationCategories, id) ?? id;
  const { answers } = decision;
  const sections: SummarySection[] = [];
  const organisation = (id: string | undefined) =>
    id === undefined ? undefined : (decision.organisationNames[id] ?? 'Unknown organisation');
  const row = (key: string, value: string | readonly string[] | undefined | null): SummaryRow[] => {
    const lines = typeof value === 'string' ? paragraphs(value) : (value ?? []).filter((line) => line !== '');
    return lines.length === 0 ? [] : [{ key, lines }];
  };
  const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

  const request = answers.request;
  if (request !== undefined) {
    sections.push({
      title: 'About the request',
      rows: [
        ...row('Who asked', requesterKindNames[request.requesterKind]),
        ...row('Name', request.requesterName),
        ...row('Role', request.requesterRole),
        ...row('Organisation', organisation(request.requesterOrganisationId)),
        ...row('How the request was made', label(policy.sharing.requestChannels, request.channelId)),
        ...row('Received on', formatDate(request.receivedOn)),
        ...row('Purpose', label(policy.purposes, request.purposeId)),
        ...row('What was asked for', request.details),
      ],
    });
  }

  const people = answers.people;
  if (people !== undefined) {
    const shown = new Map(decision.people.map((person) => [person.id, person]));
    sections.push({
      title: 'Who the information is about',
      rows: [
        ...row(
          people.personIds.length === 1 ? 'Person' : `People (${String(people.personIds.length)})`,
          people.personIds.map((personId, index) => {
            const person = shown.get(personId);
            if (person === undefined)
              return `Person ${String(index + 1)}: you have no reason recorded to open their record`;
            const name =
              person.knownAs === null
                ? `${person.givenNames} ${person.familyName}`
                : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
            return person.dateOfBirth === null ? name : `${name}, born ${formatDate(person.dateOfBirth)}`;
          }),
        ),
        ...row('A transfer between IT systems', yesNo(people.systemTransfer === true)),
        ...row('Bulk sharing', yesNo(decision.assessment.bulk)),
      ],
    });
  }

  const recipients = answers.recipients?.recipients ?? [];
  if (recipients.length > 0) {
    sections.push({
      title: 'Who will receive it',
      rows: recipients.flatMap((recipient, index) =>
        row(recipients.length === 1 ? 'Recipient' : `Recipient ${String(index + 1)}`, [
          `${recipient.name}, ${recipient.role}, ${organisation(recipient.organisationId) ?? ''}`,
          ...(recipient.email === undefined ? [] : [`Email: ${recipient.email}`]),
          ...(recipient.telephone === undefined || recipient.telephone === ''
            ? []
            : [`Telephone: ${recipient.telephone}`]),
          `Why they need it: ${recipient.reason}`,
        ]),
      ),
    });
  }

  const information = answers.information;
  if (information !== undefined) {
    sections.push({
      title: 'What will be shared',
      rows: [
        ...row(
          'Shared',
          information.shared.map(
            (item) =>
              `${categoryLabel(item.categoryId)}: ${item.relevance}${item.sensitiveReason === undefined || item.sensitiveReason === '' ? '' : ` Why it is needed for this purpose: ${item.sensitiveReason}`}`,
          ),
        ),
        ...row('Withheld', information.withheld.map(categoryLabel)),
        ...row('Description', information.description),
        ...row('Third parties', [
          thirdPartyNames[information.thirdParties],
          ...(information.thirdPartyReason === undefined ? [] : [`Reason: ${information.thirdPartyReason}`]),
        ]),
        ...row(
          'Confirmed as',
          principles.filter((principle) => information.confirmed.includes(principle)).join(', ') ||
            'None of the principles confirmed',
        ),
        ...row('Special category information', yesNo(decision.assessment.specialCategory)),
        ...row('Criminal offence information', yesNo(decision.assessment.criminalOffence)),
      ],
    });
  }

  const basis = answers.lawfulBasis;
  const bases = policy.sharing.lawfulBases;
  const consentRows = decision.consent.map((finding, index) => {
    const name = finding.personName === '' ? `Person ${String(index + 1)}` : finding.personName;
    return `${name}: ${consentOutcomeNames[finding.outcome]}`;
  });
  if (basis !== undefined || consentRows.length > 0) {
    sections.push({
      title: 'Lawful basis and consent',
      rows: [
        ...(basis === undefined
          ? []
          : [
              ...row('Unsure which law applies', yesNo(basis.unsure)),
              ...row('Data protection basis (Article 6)', label(bases.article6, basis.article6)),
              ...row('Article 9 condition', label(bases.article9, basis.article9)),
              ...row('Schedule 1 condition', label(bases.schedule1, basis.schedule1)),
              ...row('Criminal offence condition', label(bases.criminalOffence, basis.criminalOffence)),
              ...row('Common-law position', label(bases.commonLaw, basis.commonLaw)),
              ...row('Why the duty of confidence is not observed', basis.confidenceReason),
              ...row('Public-interest justification', basis.justification),
              ...row('Statutory provision or court order', basis.statute),
            ]),
        ...row('Consent register', consentRows),
        ...row('Shared without consent that covers it', yesNo(decision.assessment.withoutConsent)),
      ],
    });
  }

  const openness = answers.openness;
  if (openness !== undefined) {
    sections.push({
      title: 'Telling the family',
      rows: [
        ...row('Told about the share', yesNo(openness.told)),
        ...(openness.told
          ? row('What they were told', openness.toldDetails)
          : row('Why they were not told', openness.notToldReason)),
      ],
    });
  }

  const safety = answers.safety;
  if (safety !== undefined) {
    sections.push({
      title: 'Safety and risks',
      rows: [
        ...row('Safety and well-being', safety.wellbeing),
        ...row('Risks of sharing', safety.riskOfSharing),
        ...row('Risks of not sharing', safety.riskOfNotSharing),
      ],
    });
  }

  const outcome = answers.outcome;
  if (outcome !== undefined) {
    sections.push({
      title: 'The practitioner’s decision',
      rows: [
        ...row('Decision', outcomeNames[outcome.outcome]),
        ...row(
          'Reasons for not sharing',
          outcome.notShareReasonIds.map((id) => label(policy.sharing.notShareReasons, id) ?? id),
        ),
        ...row('Reasons', outcome.reasons),
      ],
    });
  }
  return sections;
}
