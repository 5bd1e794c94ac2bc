import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatDate, formatDateTime } from '../lib/time.ts';
import { readGroups, type SubjectAccessReport } from './subject-access.report.ts';
import { pdfKit } from '../lib/pdfkit.ts';

/**
 * The subject access report as a PDF fit to send to the family: plain language, A4, a tagged PDF
 * (PDF/UA: a structure tree of headings, paragraphs and lists, language en-GB, the title shown by
 * the reader) in an embedded font (Liberation Sans, which ships with pdf.js, so the server needs no
 * fonts of its own and every name prints as written), with page numbers marked as pagination.
 */
export interface ReportPdfOptions {
  /** Tests turn compression off to read the text streams. */
  readonly compress?: boolean;
}

const margin = 57; // 2 cm
const bodySize = 12;
const ink = '#0b0c0c';

const fontsFolder = path.join(
  path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
  'standard_fonts',
);
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function loadFonts() {
  fonts ??= {
    regular: readFileSync(path.join(fontsFolder, 'LiberationSans-Regular.ttf')),
    bold: readFileSync(path.join(fontsFolder, 'LiberationSans-Bold.ttf')),
  };
  return fonts;
}

export async function renderReportPdf(
  report: SubjectAccessReport,
  options: ReportPdfOptions = {},
): Promise<Buffer> {
  const title = `Your information: who it has been shared with (${report.reference})`;
  const PDFDocument = await pdfKit();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin, left: margin, right: margin },
    compress: options.compress ?? true,
    pdfVersion: '1.7',
    // PDFKit 0.20 writes PDF/UA identification; its type package (0.17) lists only the PDF/A subsets.
    subset: 'PDF/UA' as unknown as PDFKit.Mixins.PDFSubsets,
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    bufferPages: true,
    // A neutral title: a print queue or a file list shows it, and it names nobody.
    info: {
      Title: title,
      Author: report.organisationName,
      Subject: 'Subject access report',
      CreationDate: report.producedAt,
      ModDate: report.producedAt,
    },
  });
  const { regular, bold } = loadFonts();
  doc.registerFont('Body', regular);
  doc.registerFont('Bold', bold);
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });

  const document = doc.struct('Document');
  doc.addStructure(document);
  const block = (tag: string, font: string, size: number, text: string, gap: number) => {
    document.add(
      doc.struct(tag, {}, () => {
        doc.font(font).fontSize(size).fillColor(ink).text(text, { paragraphGap: gap });
      }),
    );
  };
  const paragraph = (text: string) => block('P', 'Body', bodySize, text, 8);
  const list = (items: readonly string[]) => {
    if (items.length === 0) return;
    const element = doc.struct('L');
    document.add(element);
    doc.font('Body').fontSize(bodySize).fillColor(ink);
    doc.list([...items], {
      structParent: element,
      bulletRadius: 2.5,
      textIndent: 14,
      bulletIndent: 4,
      paragraphGap: 4,
    });
    element.end();
    doc.moveDown(0.5);
  };
  /** A heading never sits alone at the foot of a page. */
  const heading = (tag: 'H2' | 'H3', text: string) => {
    if (doc.y > doc.page.height - margin - 90) doc.addPage();
    doc.moveDown(tag === 'H2' ? 0.6 : 0.3);
    block(tag, 'Bold', tag === 'H2' ? 16 : 13, text, 6);
  };

  block('P', 'Bold', 14, report.organisationName, 10);
  block('H1', 'Bold', 22, 'Your information: who it has been shared with', 8);
  paragraph(
    `This report is about ${report.personName}${report.personDateOfBirth === null ? '' : `, born ${formatDate(report.personDateOfBirth)}`}.`,
  );
  paragraph(
    `It answers the request for information (reference ${report.reference}) we received on ${formatDate(report.receivedOn)}, made by: ${report.requester}. It was produced on ${formatDateTime(report.producedAt)}.`,
  );

  heading('H2', 'About this report');
  paragraph(
    'The law (the UK General Data Protection Regulation, Article 15) gives you the right to know what information we hold about you, who we have shared it with, and why. This report lists, from our records:',
  );
  list([
    'every decision we made about sharing your information, and what it was based on',
    'each time we sent information about you, to whom and how',
    'your consent records, and what has happened to them',
    'who has looked at your record, and why',
  ]);
  paragraph(
    'Some details are left out to protect other people, such as family members or people who gave us information. Where we have done this, the report says so.',
  );

  heading('H2', 'Decisions about sharing your information');
  paragraph(
    'Before anyone shares information about you, they must decide whether it is right to share, record the reason, and say which law allows it. A decision may be to share, to share only some information, or not to share.',
  );
  if (report.decisions.length === 0)
    paragraph('We have not recorded any decision about sharing your information.');
  for (const decision of report.decisions) {
    heading('H3', `Decision ${decision.reference}, ${formatDate(decision.recordedAt)}`);
    list([
      `Decided by: ${decision.organisationName}`,
      `The decision: ${decision.outcome}`,
      `Why: ${decision.purpose}`,
      `To whom: ${decision.recipients.map((recipient) => `${recipient.role}, ${recipient.organisationName}`).join('; ') || 'Nobody'}`,
      `What information: ${decision.categories.join(', ') || 'None'}`,
      `The law that allowed it: ${decision.lawfulBasis}`,
      `Consent: ${decision.consent}`,
      `Were you told at the time: ${decision.told}`,
      ...(decision.details === null ? [] : [`What was shared: ${decision.details}`]),
    ]);
    for (const line of decision.redactions) paragraph(line);
  }

  heading('H2', 'When information about you was sent');
  paragraph(
    'Each time information was sent under one of the decisions above, we recorded when, to whom, how, and what. Why it was sent, and the law that allowed it, are under its decision above. "Receipt confirmed" means the person it was sent to told us it arrived.',
  );
  if (report.disclosures.length === 0) paragraph('We have not sent any information about you.');
  list(
    report.disclosures.map(
      (disclosure) =>
        `${formatDateTime(disclosure.disclosedAt)}: ${disclosure.categories.join(', ') || 'information'} sent by ${disclosure.method} to the ${disclosure.role}, ${disclosure.organisationName} (decision ${disclosure.decisionReference}).${disclosure.details === null ? ' What was sent is not described, to protect someone else.' : ` What was sent: ${disclosure.details}`}${disclosure.receiptConfirmedAt === null ? '' : ` Receipt confirmed ${formatDate(disclosure.receiptConfirmedAt)}.`}`,
    ),
  );

  heading('H2', 'Your consent records');
  paragraph(
    'Consent means agreeing that we may share information. These are the records of what was agreed, or refused, and what has happened since: when it was checked with you again (reviewed) and whether it was withdrawn.',
  );
  if (report.consents.length === 0) paragraph('We have no consent records about you.');
  for (const consent of report.consents) {
    heading('H3', `${consent.what} on ${consent.givenOn}`);
    list([
      `Now: ${consent.status}`,
      `Given by: ${consent.givenBy}`,
      ...(consent.purposes.length === 0 ? [] : [`For: ${consent.purposes.join('; ')}`]),
      ...(consent.recipients.length === 0 ? [] : [`With: ${consent.recipients.join(', ')}`]),
      ...(consent.categories.length === 0 ? [] : [`Information: ${consent.categories.join(', ')}`]),
      `To be checked with you again by: ${consent.reviewOn}`,
      ...consent.history.map((event) => `${event.on}: ${event.what}`),
    ]);
  }

  heading('H2', 'Who has looked at your record');
  paragraph(
    'Staff may look at your record only if they work with you or your family, or oversee how information is shared, or give a reason first. Every time someone looks, it is recorded.',
  );
  if (report.reads.length === 0) paragraph('Nobody has looked at your record.');
  else
    paragraph(
      'Where the same person looked several times for the same reason, we say how many times, and when first and last. Ask us if you would like every time listed.',
    );
  list(
    readGroups(report.reads).map((group) =>
      group.times === 1
        ? `${formatDateTime(group.first)}: ${group.staff}, ${group.organisationName}. ${group.what}. Reason: ${group.reason}.`
        : `${group.staff}, ${group.organisationName}. ${group.what}, ${String(group.times)} times, from ${formatDateTime(group.first)} to ${formatDateTime(group.last)}. Reason: ${group.reason}.`,
    ),
  );

  heading('H2', 'How long we keep these records');
  paragraph(
    'We keep records of sharing decisions, of what was sent, of consent and of who looked at your record for as long as our records retention schedule says for each kind of record, and then delete or destroy them safely. The record of who looked at your record is kept so that it can be checked later.',
  );
  heading('H2', 'Questions, corrections and complaints');
  paragraph(
    `To see our retention schedule, to ask about anything in this report, or if you think something is wrong, contact the Data Protection Officer at ${report.organisationName}${report.organisationPhone === null ? '' : ` by telephone on ${report.organisationPhone}`}, quoting reference ${report.reference}.`,
  );
  paragraph(
    'If you are not happy with our answer, you can complain to the Information Commissioner’s Office (ICO), which makes sure organisations follow the law about information: ico.org.uk, telephone 0303 123 1113.',
  );
  document.end();

  // Page numbers, drawn last on every page and marked as pagination (not part of the reading order).
  const pages = doc.bufferedPageRange();
  for (let index = pages.start; index < pages.start + pages.count; index += 1) {
    doc.switchToPage(index);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' });
    doc
      .font('Body')
      .fontSize(10)
      .fillColor(ink)
      .text(`Page ${String(index + 1)} of ${String(pages.count)}`, margin, doc.page.height - margin / 2 - 6, {
        width: doc.page.width - margin * 2,
        align: 'center',
        lineBreak: false,
      });
    doc.endMarkedContent();
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return finished;
}
