import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jpegClaiming, largePng, samplePdf, samplePng } from '../../test/support/sample-files.ts';
import { imageSize, NotViewableError, viewableOf } from './exchange.view-only.ts';

/** View only (ADR 0021): what is drawn, and what is refused before anything is decoded. */
describe('drawing a file view only', () => {
  it('reads an image’s size from its header, and refuses one too large to decode', async () => {
    expect(imageSize(new Uint8Array(samplePng(32, 24)))).toEqual({ width: 32, height: 24 });
    expect(imageSize(new Uint8Array(jpegClaiming(20_000, 10_000)))).toEqual({
      width: 20_000,
      height: 10_000,
    });
    await expect(
      viewableOf(new Uint8Array(jpegClaiming(20_000, 10_000)), 'image/jpeg'),
    ).rejects.toBeInstanceOf(NotViewableError);
    await expect(viewableOf(new Uint8Array(largePng(8_000, 6_000)), 'image/png')).rejects.toBeInstanceOf(
      NotViewableError,
    );
  });

  it('draws each page of a PDF as a PNG, and only the pages it has', async () => {
    const viewable = await viewableOf(new Uint8Array(await samplePdf({ pages: 2 })), 'application/pdf');
    try {
      expect(viewable.pages).toBe(2);
      const png = await viewable.page(2, 'jo.evans@nhs.net · 4 December 2026 10:42');
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      await expect(viewable.page(3, 'x')).rejects.toBeInstanceOf(NotViewableError);
    } finally {
      await viewable.close();
    }
  });

  it('refuses kinds it cannot draw, and damaged PDFs', async () => {
    await expect(viewableOf(new Uint8Array([0x50, 0x4b, 3, 4]), 'application/zip')).rejects.toBeInstanceOf(
      NotViewableError,
    );
    await expect(
      viewableOf(new Uint8Array(Buffer.from('%PDF-1.7\nnot really a pdf')), 'application/pdf'),
    ).rejects.toBeInstanceOf(NotViewableError);
  });

  it('leaves Node’s own JSON.stringify, JSON.parse and Array.prototype.push in place after drawing a PDF', async () => {
    // In a process of its own: test files share one, and another may have loaded pdf.js directly.
    const script = `
      import { viewableOf } from './src/exchange/exchange.view-only.ts';
      import { samplePdf } from './test/support/sample-files.ts';
      // core-js makes its polyfills' source text look native, so they are told apart by identity.
      const before = [JSON.stringify, JSON.parse, Array.prototype.push];
      const viewable = await viewableOf(new Uint8Array(await samplePdf({ pages: 1 })), 'application/pdf');
      await viewable.page(1, 'check');
      await viewable.close();
      console.log(JSON.stringify([before[0] === JSON.stringify, before[1] === JSON.parse, before[2] === Array.prototype.push, typeof Promise.withResolvers]));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: process.cwd(), timeout: 60_000 },
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual([true, true, true, 'function']);
  }, 60_000);
});
