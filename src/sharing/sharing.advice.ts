import type { PolicyPack } from '../policy/index.ts';
import { outcomeNames } from './sharing.answers.ts';
import type { DecisionView } from './sharing.model.ts';
import { consentOutcomeNames } from './sharing.summary.ts';

/**
 * The summary an adviser reads beside the practitioner's question. Anonymised (R2.19, the default):
 * built only from the structured answers (purpose, organisations, categories, consent, the bases
 * chosen) and never from names, dates of birth, identifiers or free text, which could identify the
 * person. Not anonymised: the people's names and the request's own words are added.
 */
export function adviceSummary(
  view: Pick<DecisionView, 'answers' | 'people' | 'consent' | 'organisationNames' | 'assessment'>,
  pack: PolicyPack,
  options: { readonly anonymised: boolean },
): string {
  const { answers } = view;
  const label = (list: readonly { id: string; label: string }[], id: string | undefined) =>
    list.find((entry) => entry.id === id)?.label;
  const lines: string[] = [];
  const purpose = label(pack.purposes, answers.request?.purposeId);
  if (purpose !== undefined) lines.push(`Purpose: ${purpose}.`);
  const request = answers.request;
  if (request !== undefined) {
    const from =
      request.requesterOrganisationId === undefined
        ? undefined
        : view.organisationNames[request.requesterOrganisationId];
    lines.push(
      request.requesterKind === 'own-initiative'
        ? 'The practitioner is considering sharing on their own initiative.'
        : `Asked by ${request.requesterKind === 'colleague' ? 'a colleague' : 'another agency'}${from === undefined ? '' : ` (${from})`}${request.requesterRole === undefined || request.requesterRole === '' ? '' : `, role: ${request.requesterRole}`}.`,
    );
  }
  const count = answers.people?.personIds.length ?? 0;
  if (count > 0)
    lines.push(
      `About ${count === 1 ? 'one person' : `${String(count)} people`}${view.assessment.bulk ? ' (a bulk share)' : ''}.`,
    );
  if (!options.anonymised) {
    if (view.people.length > 0)
      lines.push(
        `People: ${view.people.map((person) => `${person.givenNames} ${person.familyName}`).join(', ')}.`,
      );
    if (request !== undefined) lines.push(`Request: ${request.details}`);
  }
  const recipients = answers.recipients?.recipients ?? [];
  if (recipients.length > 0)
    lines.push(
      `Recipients: ${recipients.map((recipient) => `${recipient.role}, ${view.organisationNames[recipient.organisationId] ?? 'another organisation'}`).join('; ')}.`,
    );
  const shared = (answers.information?.shared ?? []).map(
    (item) => label(pack.informationCategories, item.categoryId) ?? item.categoryId,
  );
  const withheld = (answers.information?.withheld ?? []).map(
    (id) => label(pack.informationCategories, id) ?? id,
  );
  if (shared.length > 0) lines.push(`Proposed to share: ${shared.join(', ')}.`);
  if (withheld.length > 0) lines.push(`Proposed to withhold: ${withheld.join(', ')}.`);
  view.consent.forEach((finding, index) => {
    const who = options.anonymised
      ? view.consent.length === 1
        ? 'The person'
        : `Person ${String(index + 1)}`
      : finding.personName;
    lines.push(`${who}: ${lowerFirst(consentOutcomeNames[finding.outcome])}.`);
  });
  const basis = answers.lawfulBasis;
  if (basis?.unsure === true) lines.push('The practitioner is unsure which law applies.');
  const commonLaw = label(pack.sharing.lawfulBases.commonLaw, basis?.commonLaw);
  const article6 = label(pack.sharing.lawfulBases.article6, basis?.article6);
  if (article6 !== undefined) lines.push(`Data protection basis considered: ${article6}.`);
  if (commonLaw !== undefined) lines.push(`Common-law position considered: ${commonLaw}.`);
  const outcome = answers.outcome?.outcome;
  if (outcome !== undefined) lines.push(`Proposed decision: ${outcomeNames[outcome]}.`);
  return lines.length === 0
    ? 'The practitioner has not yet recorded any details of this decision.'
    : lines.join('\n');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
