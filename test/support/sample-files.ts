import { crc32, deflateSync } from 'node:zlib';
import { encode as encodeJpeg } from 'jpeg-js';
import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';

/** Real files, made as the tools that users' devices and other systems use would make them, for upload tests. */

/** A one-page PDF from PDFKit; `title` goes into its document information uncompressed, so a test can look for it in the bytes. */
export async function samplePdf(
  options: { title?: string; text?: string; pages?: number } = {},
): Promise<Buffer> {
  const document = new PDFDocument(options.title === undefined ? {} : { info: { Title: options.title } });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => document.on('end', () => resolve()));
  for (let page = 0; page < (options.pages ?? 1); page++) {
    if (page > 0) document.addPage();
    document.text(
      options.text ??
        'Consent form: I agree to information being shared with Drove Primary School. Signed, Sarah Hughes.',
    );
  }
  document.end();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * The PDF with one incremental update appended (ISO 32000-1 7.5.6), as a signing or annotating
 * tool writes it: a new document information dictionary, its own cross-reference section, and a
 * trailer pointing back at the previous one.
 */
export function withIncrementalUpdate(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const size = Number(/\/Size (\d+)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1]);
  const root = /\/Root (\d+ \d+ R)/.exec(text.slice(text.lastIndexOf('trailer')))?.[1];
  const previous = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  if (!Number.isInteger(size) || root === undefined || !Number.isInteger(previous))
    throw new Error('not a PDF this helper can update');
  const object = `${size} 0 obj\n<< /Producer (Safeshare test update) /ModDate (D:20250301120000Z) >>\nendobj\n`;
  const xref = pdf.length + object.length;
  const update = [
    object,
    'xref\n0 1\n0000000000 65535 f \n',
    `${size} 1\n${String(pdf.length).padStart(10, '0')} 00000 n \n`,
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${previous} >>\nstartxref\n${xref}\n%%EOF\n`,
  ].join('');
  return Buffer.concat([pdf, Buffer.from(update, 'latin1')]);
}

/** A small PNG photo of a form: grey paper with a darker band. */
export function samplePng(width = 32, height = 24): Buffer {
  const image = new PNG({ width, height });
  for (let index = 0; index < width * height; index++) {
    const shade = Math.floor(index / width) % 8 < 2 ? 60 : 230;
    image.data.set([shade, shade, shade, 255], index * 4);
  }
  return PNG.sync.write(image);
}

/** A small JPEG photo of a form, encoded as a camera would (baseline, JFIF). */
export function sampleJpeg(width = 32, height = 24): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let index = 0; index < width * height; index++)
    data.set([220, 215, index % width < 4 ? 40 : 205, 255], index * 4);
  return encodeJpeg({ width, height, data }, 85).data;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A well-formed greyscale PNG whose pixels are all there but number width times height: the header
 * is honest, valid CRCs and all, and the image data is a few kilobytes of deflated zeros that a
 * decoder would inflate to width times height bytes (and four times that to hold the pixels).
 */
export function largePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filtering, no interlace
  const pixels = deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', pixels),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real small JPEG whose frame header is changed to claim width by height pixels. */
export function jpegClaiming(width: number, height: number): Buffer {
  const jpeg = Buffer.from(sampleJpeg());
  const frame = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  if (frame === -1) throw new Error('no baseline frame header');
  jpeg.writeUInt16BE(height, frame + 5);
  jpeg.writeUInt16BE(width, frame + 7);
  return jpeg;
}
