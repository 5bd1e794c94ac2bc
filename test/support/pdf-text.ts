import { inflateSync } from 'node:zlib';

const windows1252 = new TextDecoder('windows-1252');

/**
 * The text a PDF shows, for assertions: every content stream (inflated when compressed), the
 * strings of its TJ and Tj operators decoded from the built-in fonts' Windows-1252, a space between
 * lines, runs of spaces collapsed. Enough for PDFKit's output with its standard fonts; not a
 * general PDF reader.
 */
export function pdfText(pdf: Buffer): string {
  const lines: string[] = [];
  let from = 0;
  for (;;) {
    const start = pdf.indexOf('stream\n', from);
    if (start === -1) break;
    const end = pdf.indexOf('\nendstream', start);
    if (end === -1) break;
    const body = pdf.subarray(start + 'stream\n'.length, end);
    from = end + 'endstream'.length;
    let content: string;
    try {
      content = inflateSync(body).toString('latin1');
    } catch {
      content = body.toString('latin1');
    }
    for (const operator of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const strings =
        operator[1] === undefined
          ? [operator[2] ?? '']
          : [...operator[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((match) => match[1] ?? '');
      lines.push(strings.map((hex) => windows1252.decode(Buffer.from(hex, 'hex'))).join(''));
    }
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}
