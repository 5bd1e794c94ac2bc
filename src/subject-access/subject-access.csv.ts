import { csvDocument } from '../lib/csv.ts';
import { formatDate, formatDateTime } from '../lib/time.ts';
import type { SubjectAccessReport } from './subject-access.report.ts';

const header = [
  'Kind',
  'When',
  'Reference',
  'Organisation',
  'Role or staff',
  'Method',
  'Information',
  'Purpose',
  'Lawful basis',
  'Consent',
  'Details',
] as const;

type Row = readonly [string, string, string, string, string, string, string, string, string, string, string];

/**
 * The report as one CSV table for the DPO, a kind column first: the same content as the PDF, one row
 * per decision, disclosure, consent event and read, times in UK local time. Cells are quoted (RFC
 * 4180) and any cell a spreadsheet would run as a formula is escaped (lib/csv.ts).
 */
export function reportCsv(report: SubjectAccessReport): string {
  const rows: Row[] = [];
  for (const decision of report.decisions)
    rows.push([
      'Decision',
      formatDateTime(decision.recordedAt),
      decision.reference,
      decision.recipients.map((recipient) => recipient.organisationName).join('; '),
      decision.recipients.map((recipient) => recipient.role).join('; '),
      '',
      decision.categories.join('; '),
      decision.purpose,
      decision.lawfulBasis,
      decision.consent,
      [
        `${decision.outcome}. Decided by ${decision.organisationName}.`,
        decision.details ?? '',
        ...decision.redactions,
      ]
        .filter((part) => part !== '')
        .join(' '),
    ]);
  for (const disclosure of report.disclosures)
    rows.push([
      'Disclosure',
      formatDateTime(disclosure.disclosedAt),
      disclosure.decisionReference,
      disclosure.organisationName,
      disclosure.role,
      disclosure.method,
      disclosure.categories.join('; '),
      disclosure.purpose,
      disclosure.lawfulBasis,
      disclosure.consent,
      [
        disclosure.details ?? 'Not described: the decision recorded information identifying someone else.',
        disclosure.receiptConfirmedAt === null
          ? ''
          : `Receipt confirmed ${formatDate(disclosure.receiptConfirmedAt)}.`,
      ]
        .filter((part) => part !== '')
        .join(' '),
    ]);
  for (const consent of report.consents) {
    const events =
      consent.history.length === 0 ? [{ on: consent.givenOn, what: 'Recorded' }] : consent.history;
    for (const event of events)
      rows.push([
        'Consent',
        event.on,
        '',
        consent.recipients.join('; '),
        consent.givenBy,
        '',
        consent.categories.join('; '),
        consent.purposes.join('; '),
        '',
        `${consent.what} (now: ${consent.status})`,
        event.what,
      ]);
  }
  for (const read of report.reads)
    rows.push([
      'Read',
      formatDateTime(read.at),
      '',
      read.organisationName,
      read.staff,
      '',
      '',
      '',
      '',
      '',
      `${read.what}. Reason: ${read.reason}`,
    ]);
  return csvDocument([header, ...rows]);
}
