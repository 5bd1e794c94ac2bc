import type PdfKitDocument from 'pdfkit';

let loading: Promise<typeof PdfKitDocument> | undefined;

/**
 * pdfkit, loaded with the first PDF rather than when Safeshare starts: loading it takes about a
 * third of a second, which every app server start and every `safeshare` command would otherwise pay.
 */
export function pdfKit(): Promise<typeof PdfKitDocument> {
  loading ??= import('pdfkit').then((module) => module.default);
  return loading;
}
