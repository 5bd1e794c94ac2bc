import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts, loadImage, type SKRSContext2D } from '@napi-rs/canvas';
import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pdfKit } from '../lib/pdfkit.ts';

/**
 * "View only" (R4.6.4, the source policy's 4.6.2): a file is shown as pictures of its pages, each
 * with the recipient's address and the time burnt into the picture, never as the file itself. The
 * PDF is drawn by pdf.js (no script, no eval) onto a canvas in the server; an image is one page;
 * plain text is set as a PDF first. Office documents cannot be drawn here, so a view-only package
 * refuses them (send them as PDF).
 *
 * This deters copying rather than prevents it: anyone can photograph a screen.
 */

/** The kinds of file a view-only package can carry. */
export const viewableTypes: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'text/plain',
]);
/** Larger files are refused for view only: they are read into memory to be drawn. */
export const maxViewableMegabytes = 50;
/** Pages beyond this are not drawn: the page says so and names the sender to ask. */
export const maxViewablePages = 300;
/** Images larger than this (in pixels) are refused rather than decoded. */
const maxImagePixels = 40_000_000;
const pageWidth = 1240;

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const standardFontDataUrl = `${path.join(pdfjsRoot, 'standard_fonts')}${path.sep}`;
// The watermark's font ships with pdf.js, so it is drawn the same on a server without fonts.
const watermarkFont = 'Safeshare Watermark';
GlobalFonts.registerFromPath(
  path.join(pdfjsRoot, 'standard_fonts', 'LiberationSans-Bold.ttf'),
  watermarkFont,
);

/** The file cannot be drawn: damaged, too large, or of a kind view only does not carry. */
export class NotViewableError extends Error {
  override readonly name: string = 'NotViewableError';
}

/**
 * pdf.js, loaded on first use. Its legacy build (the one that runs on Node 20) brings core-js, which
 * replaces JSON.stringify, JSON.parse and Array.prototype.push for the whole process with polyfills
 * three to five times slower (docs/performance.md): after the first page drawn view only, every
 * request and `audit verify` paid for them. Node 20's own already do what the polyfills add, so they
 * are put back; what core-js adds that Node 20 lacks (Promise.withResolvers and others pdf.js uses)
 * stays.
 */
let pdfjs: Promise<typeof PdfJs> | undefined;

/** Node's own, taken when this module loads, before pdf.js is. */
const natives = { stringify: JSON.stringify, parse: JSON.parse, push: Array.prototype.push };

/** pdf.js loads its worker's code (with core-js again) on the first document opened, so after that too. */
function restoreNatives(): void {
  JSON.stringify = natives.stringify;
  JSON.parse = natives.parse;
  Array.prototype.push = natives.push;
}

async function openPdf(bytes: Uint8Array): Promise<PdfJs.PDFDocumentProxy> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  try {
    const { getDocument } = await pdfjs;
    const loading = getDocument({
      data: bytes,
      isEvalSupported: false,
      standardFontDataUrl,
      useSystemFonts: false,
      verbosity: 0,
    });
    return await loading.promise.catch(() => {
      throw new NotViewableError('the PDF could not be read');
    });
  } finally {
    restoreNatives();
  }
}

async function textAsPdf(text: string): Promise<Uint8Array> {
  const PDFDocument = await pdfKit();
  const document = new PDFDocument({ size: 'A4', margin: 56 });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => document.on('end', resolve));
  document.font('Courier').fontSize(10).text(text);
  document.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

/** Width and height from an image's header, before anything is decoded. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length >= 24 && view.readUInt32BE(0) === 0x89504e47)
    return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  if (view.length >= 10 && view.subarray(0, 4).toString('latin1') === 'GIF8')
    return { width: view.readUInt16LE(6), height: view.readUInt16LE(8) };
  if (view.length >= 4 && view[0] === 0xff && view[1] === 0xd8) {
    let at = 2;
    while (at + 9 < view.length) {
      if (view[at] !== 0xff) return undefined;
      const marker = view[at + 1] ?? 0;
      const length = view.readUInt16BE(at + 2);
      // Start-of-frame markers carry the size; C4, C8 and CC are not frames.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { width: view.readUInt16BE(at + 7), height: view.readUInt16BE(at + 5) };
      at += 2 + length;
    }
  }
  return undefined;
}

/** A file made ready to be drawn page by page. */
export interface Viewable {
  readonly pages: number;
  /** Draws one page (from 1) with the watermark, as PNG. */
  page(number: number, watermark: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Prepares a file for view only; refuses one that cannot be drawn. */
export async function viewableOf(bytes: Uint8Array, mediaType: string): Promise<Viewable> {
  if (!viewableTypes.has(mediaType)) throw new NotViewableError(`${mediaType} cannot be shown view only`);
  if (mediaType.startsWith('image/')) return imageViewable(bytes);
  const pdf = await openPdf(
    mediaType === 'text/plain' ? await textAsPdf(Buffer.from(bytes).toString('utf8')) : bytes,
  );
  return {
    pages: Math.min(pdf.numPages, maxViewablePages),
    async page(number, watermark) {
      if (!Number.isInteger(number) || number < 1 || number > Math.min(pdf.numPages, maxViewablePages))
        throw new NotViewableError('no such page');
      const page = await pdf.getPage(number);
      const unscaled = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: Math.min(2, pageWidth / unscaled.width) });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      try {
        // pdf.js draws onto any object with the canvas 2D API; @napi-rs/canvas provides it.
        await page.render({ canvas, viewport }).promise;
      } catch {
        throw new NotViewableError('the page could not be drawn');
      } finally {
        page.cleanup();
      }
      drawWatermark(context, canvas.width, canvas.height, watermark);
      return canvas.encode('png');
    },
    close: () => pdf.destroy(),
  };
}

async function imageViewable(bytes: Uint8Array): Promise<Viewable> {
  const size = imageSize(bytes);
  if (size === undefined || size.width * size.height > maxImagePixels || size.width * size.height === 0)
    throw new NotViewableError('the image is damaged or too large to show');
  return {
    pages: 1,
    async page(number, watermark) {
      if (number !== 1) throw new NotViewableError('no such page');
      let image: Awaited<ReturnType<typeof loadImage>>;
      try {
        image = await loadImage(Buffer.from(bytes));
      } catch {
        throw new NotViewableError('the image could not be read');
      }
      const scale = Math.min(1, pageWidth / image.width);
      const canvas = createCanvas(Math.ceil(image.width * scale), Math.ceil(image.height * scale));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      drawWatermark(context, canvas.width, canvas.height, watermark);
      return canvas.encode('png');
    },
    close: async () => undefined,
  };
}

/** The watermark, repeated diagonally over the whole page so that no part of it can be cut clear. */
function drawWatermark(context: SKRSContext2D, width: number, height: number, text: string): void {
  const size = Math.max(14, Math.round(width / 48));
  context.save();
  context.font = `${String(size)}px "${watermarkFont}"`;
  context.fillStyle = 'rgba(175, 0, 0, 0.22)';
  context.translate(width / 2, height / 2);
  context.rotate(-Math.PI / 6);
  const step = context.measureText(text).width + size * 3;
  const reach = Math.hypot(width, height);
  for (let y = -reach; y < reach; y += size * 5)
    for (let x = -reach + ((y / (size * 5)) % 2) * (step / 2); x < reach; x += step)
      context.fillText(text, x, y);
  context.restore();
}
