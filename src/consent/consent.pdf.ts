import type { ConsentNotice } from './consent.notice.ts';
import { pdfKit } from '../lib/pdfkit.ts';

/**
 * The family's consent notice as a PDF: the same content as the printable page (one
 * `ConsentNotice` feeds both), on A4, in PDFKit's built-in Helvetica (no font files, nothing
 * fetched). The PDF is tagged (headings, paragraphs and lists in a structure tree, language
 * en-GB, the title shown by the reader) so that screen readers can follow it.
 */
export interface NoticePdfOptions {
  /** The creation date written into the document. */
  readonly createdAt: Date;
  /** Tests turn compression off to read the text streams. */
  readonly compress?: boolean;
}

const margin = 57; // 2 cm
const bodySize = 12;

export async function renderNoticePdf(notice: ConsentNotice, options: NoticePdfOptions): Promise<Buffer> {
  const PDFDocument = await pdfKit();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin, left: margin, right: margin },
    compress: options.compress ?? true,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    // A neutral title: a print queue or a file list shows it, and it names no child.
    info: {
      Title: winAnsi(`Consent notice from ${notice.organisationName}`),
      Author: winAnsi(notice.organisationName),
      CreationDate: options.createdAt,
      ModDate: options.createdAt,
    },
  });
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
        doc.font(font).fontSize(size).fillColor('#0b0c0c').text(winAnsi(text), { paragraphGap: gap });
      }),
    );
  };
  const paragraph = (text: string) => block('P', 'Helvetica', bodySize, text, 8);
  const list = (items: readonly string[]) => {
    if (items.length === 0) return;
    const element = doc.struct('L');
    document.add(element);
    doc.font('Helvetica').fontSize(bodySize);
    doc.list(items.map(winAnsi), {
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
  const heading = (text: string) => {
    if (doc.y > doc.page.height - margin - 90) doc.addPage();
    doc.moveDown(0.5);
    block('H2', 'Helvetica-Bold', 15, text, 6);
  };

  block('P', 'Helvetica-Bold', 14, notice.organisationName, 10);
  block('H1', 'Helvetica-Bold', 22, notice.title, 8);
  paragraph(`Date: ${notice.issuedOn}`);
  if (notice.standing !== null) block('P', 'Helvetica-Bold', bodySize, notice.standing, 8);
  for (const text of notice.introduction) paragraph(text);
  for (const section of notice.sections) {
    heading(section.heading);
    for (const text of section.paragraphs) paragraph(text);
    list(section.list);
    for (const text of section.closing) paragraph(text);
  }

  document.end();
  doc.end();
  return finished;
}

/**
 * The built-in PDF fonts cover the Windows-1252 ("WinAnsi") characters only. Names and free text
 * may hold others (Łucja, Dương): accents outside the set are dropped from their letters, and
 * anything still not covered becomes "?", rather than a wrong glyph.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const character of text) {
    if (coveredByWinAnsi(character)) {
      out += character;
      continue;
    }
    const base = specialLetters[character] ?? character.normalize('NFKD').replace(/\p{M}/gu, '');
    out += base !== '' && allCovered(base) ? base : '?';
  }
  return out;
}

const winAnsiExtras = new Set([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e,
  0x0178,
]);

/** Letters that do not decompose into a base letter and a mark. */
const specialLetters: Readonly<Record<string, string>> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
};

function allCovered(text: string): boolean {
  for (const character of text) if (!coveredByWinAnsi(character)) return false;
  return true;
}

function coveredByWinAnsi(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xff) ||
    winAnsiExtras.has(code)
  );
}
