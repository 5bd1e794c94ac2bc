import { formatDateTime } from '../../lib/time.ts';
import { disclosurePaths } from '../../disclosures/disclosures.paths.ts';
import { sharingPaths } from '../../sharing/sharing.paths.ts';
import { filterQueryString, type OversightFilter } from '../oversight.filters.ts';
import type { OversightService } from '../oversight.service.ts';

/** What the organisation's lists show: their filters as form values, their rows, their pages and their CSV. */
export function formValues(filter: OversightFilter): Record<string, string> {
  const parts = (name: 'from' | 'to', date: string) => {
    const [year = '', month = '', day = ''] = date.split('-');
    return {
      [`${name}-day`]: String(Number(day)),
      [`${name}-month`]: String(Number(month)),
      [`${name}-year`]: year,
    };
  };
  return {
    team: filter.teamManagerId ?? '',
    recipient: filter.recipientOrganisationId ?? '',
    practitioner: filter.practitionerId ?? '',
    basis: filter.lawfulBasis ?? '',
    consent: filter.consent ?? '',
    person: filter.personId ?? '',
    ...parts('from', filter.from),
    ...parts('to', filter.to),
  };
}

export /** GOV.UK pagination with page numbers: the first, the last, and those either side of the current page. */
function pagination(path: string, filter: OversightFilter, lastPage: number) {
  if (lastPage <= 1) return null;
  const href = (page: number) => `${path}?${filterQueryString(filter, { page })}`;
  const current = filter.page;
  const items: ({ number: string; href: string; current: boolean } | { ellipsis: true })[] = [];
  for (let page = 1; page <= lastPage; page += 1) {
    if (page === 1 || page === lastPage || Math.abs(page - current) <= 1)
      items.push({ number: String(page), href: href(page), current: page === current });
    else if (items.length > 0 && !('ellipsis' in (items[items.length - 1] ?? {})))
      items.push({ ellipsis: true });
  }
  return {
    previous: current > 1 ? { href: href(current - 1) } : undefined,
    next: current < lastPage ? { href: href(current + 1) } : undefined,
    items,
  };
}

type DecisionRows = Awaited<ReturnType<OversightService['decisions']>>['rows'];
type DisclosureRows = Awaited<ReturnType<OversightService['disclosures']>>['rows'];

const outcomeWords: Readonly<Record<string, string>> = {
  share: 'Share',
  'share-in-part': 'Share in part',
  'not-share': 'Do not share',
};

export const decisionHead = [
  { text: 'Decision' },
  { text: 'Recorded' },
  { text: 'By' },
  { text: 'About' },
  { text: 'Outcome' },
  { text: 'Lawful basis' },
  { text: 'Consent' },
  { text: 'Recipients' },
  { text: 'Disclosures', format: 'numeric' },
];

export function decisionRows(rows: DecisionRows) {
  return rows.map((row) => [
    { html: link(sharingPaths.decision(row.id), row.reference) },
    { text: formatDateTime(row.recordedAt) },
    { text: row.recordedBy },
    { text: row.people },
    { text: outcomeWords[row.outcome] ?? row.outcome },
    { text: row.lawfulBasis },
    { text: row.withoutConsent ? 'Without consent' : 'With consent' },
    { text: row.recipients.join(', ') },
    { text: row.disclosures.toLocaleString('en-GB'), format: 'numeric' },
  ]);
}

export const disclosureHead = [
  { text: 'Disclosed' },
  { text: 'Decision' },
  { text: 'By' },
  { text: 'About' },
  { text: 'Method' },
  { text: 'Recipient' },
  { text: 'Lawful basis' },
  { text: 'Consent' },
  { text: 'Receipt' },
];

export function disclosureRows(rows: DisclosureRows) {
  return rows.map((row) => [
    { html: link(disclosurePaths.disclosure(row.id), formatDateTime(row.disclosedAt)) },
    { html: link(sharingPaths.decision(row.decisionId), row.reference) },
    { text: row.disclosedBy },
    { text: row.people },
    { text: row.method },
    { text: `${row.recipient}, ${row.recipientRole} (${row.recipientOrganisation})` },
    { text: row.lawfulBasis },
    { text: row.withoutConsent ? 'Without consent' : 'With consent' },
    { text: row.receipt },
  ]);
}

export function decisionCsv(rows: DecisionRows) {
  return [
    [
      'Decision',
      'Recorded',
      'By',
      'About',
      'Outcome',
      'Lawful basis',
      'Consent',
      'Recipients',
      'Disclosures',
    ],
    ...rows.map((row) => [
      row.reference,
      formatDateTime(row.recordedAt),
      row.recordedBy,
      row.people,
      outcomeWords[row.outcome] ?? row.outcome,
      row.lawfulBasis,
      row.withoutConsent ? 'Without consent' : 'With consent',
      row.recipients.join('; '),
      row.disclosures,
    ]),
  ];
}

export function disclosureCsv(rows: DisclosureRows) {
  return [
    [
      'Disclosed',
      'Decision',
      'By',
      'About',
      'Method',
      'Recipient',
      'Recipient role',
      'Recipient organisation',
      'Lawful basis',
      'Consent',
      'Receipt',
    ],
    ...rows.map((row) => [
      formatDateTime(row.disclosedAt),
      row.reference,
      row.disclosedBy,
      row.people,
      row.method,
      row.recipient,
      row.recipientRole,
      row.recipientOrganisation,
      row.lawfulBasis,
      row.withoutConsent ? 'Without consent' : 'With consent',
      row.receipt,
    ]),
  ];
}

function link(href: string, text: string): string {
  return `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${String(character.charCodeAt(0))};`);
}
