import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * The text of a PDF in an embedded font, read by pdf.js as a reader would (through the font's
 * ToUnicode map): test/support/pdf-text.ts decodes only PDFKit's built-in fonts. Words joined by
 * spaces, runs of spaces collapsed.
 */
export async function reportPdfText(pdf: Buffer): Promise<string> {
  const pdfjs: typeof PdfJs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  const lines: string[] = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) lines.push(item.str);
  }
  await document.destroy();
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}
