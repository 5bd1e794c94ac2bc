import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import {
  asPractitioner,
  colleague,
  context,
  practitioner,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';

let dataDir: string;
const address = 'rebecca.sutton@wiltshire.gov.uk';
const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-exchange-pages-'));
  await setUpDisclosureWorldWith({ DATA_DIR: dataDir });
  context.clock.set('2026-12-01T10:00:00Z');
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function send(): Promise<string> {
  const sent = await context.services.exchange.send(asPractitioner, shareToNeighbour, {
    recipientIndex: 0,
    categoryIds: ['education'],
    message: 'The report is attached.\n\nCall me if anything is unclear.',
    mode: 'download',
    files: [{ name: 'EHC report.pdf', content: Readable.from([pdf]) }],
  });
  return sent.id;
}

async function lastCode(): Promise<string> {
  const mail = await context.db
    .selectFrom('mail_outbox')
    .select('body')
    .where('to_address', '=', address)
    .where('subject', 'like', 'Your % code')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return /Your code is (\d{6})/.exec(mail.body)?.[1] ?? '';
}

describe('the recipient’s pages (R4.6.4)', () => {
  it('asks for the address, sends a code, opens the package with it, and downloads its file', async () => {
    const id = await send();
    const browser = new TestBrowser(context.app);
    const start = await browser.get(`/exchange/packages/${id}`);
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('Open information sent to you securely');
    expect(start.body).not.toContain('The report is attached');

    const invalid = await browser.post(`/exchange/packages/${id}/code-request`, {
      address: 'not an address',
    });
    expect(invalid.statusCode).toBe(400);
    expect(errorSummary(invalid.body)).toEqual([
      'Enter an email address in the correct format, like name@example.gov.uk',
    ]);
    context.clock.advance(1000);
    const asked = await browser.post(`/exchange/packages/${id}/code-request`, { address });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Enter the code we sent you');
    const code = await lastCode();
    const wrong = await browser.post(`/exchange/packages/${id}/code`, {
      address,
      code: code === '111111' ? '222222' : '111111',
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)[0]).toMatch(/^The code is not right/);
    const right = await browser.post(`/exchange/packages/${id}/code`, { address, code });
    expect(right.statusCode).toBe(303);
    expect(right.headers['location']).toBe(`/exchange/packages/${id}`);

    const opened = await browser.get(`/exchange/packages/${id}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('The report is attached.');
    expect(opened.body).toContain('Call me if anything is unclear.');
    const href = /href="(\/exchange\/packages\/[^"]+\/files\/[^"]+)"/.exec(opened.body)?.[1] ?? '';
    const file = await browser.get(href);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe("attachment; filename*=UTF-8''EHC%20report.pdf");
    expect(file.rawPayload.equals(pdf)).toBe(true);

    // Another browser, without the code, sees only the address form.
    const stranger = new TestBrowser(context.app);
    expect((await stranger.get(`/exchange/packages/${id}`)).body).not.toContain('The report is attached');
    expect((await stranger.get(href)).statusCode).toBe(303);

    await context.services.exchange.revoke(asPractitioner, id, 'Sent too early.');
    const withdrawn = await browser.get(`/exchange/packages/${id}`);
    expect(withdrawn.statusCode).toBe(410);
    expect(withdrawn.body).toContain('This package was withdrawn by the sender');
    expect(withdrawn.body).toContain('It was sent by Swindon Borough Council');
  });

  it('answers an unknown or malformed link with the same clear page, never a server error', async () => {
    const browser = new TestBrowser(context.app);
    for (const url of [
      '/exchange/packages/00000000-0000-4000-8000-000000000000',
      '/exchange/packages/not-a-package',
      '/exchange/packages/00000000-0000-4000-8000-000000000000/files/00000000-0000-4000-8000-000000000001',
    ]) {
      const page = await browser.get(url);
      expect([200, 303, 404], url).toContain(page.statusCode);
    }
    const unknown = await browser.get('/exchange/packages/not-a-package');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('This link does not open anything');
    // Asking for a code for a package that does not exist answers exactly as for one that does.
    const asked = await browser.post('/exchange/packages/00000000-0000-4000-8000-000000000000/code-request', {
      address,
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Enter the code we sent you');
  });

  it('shows the sender each package under the decision with what happened to it, and lets them withdraw it', async () => {
    const id = await send();
    const recipient = new TestBrowser(context.app);
    context.clock.advance(1000);
    await recipient.post(`/exchange/packages/${id}/code-request`, { address });
    await recipient.post(`/exchange/packages/${id}/code`, { address, code: await lastCode() });
    await recipient.get(`/exchange/packages/${id}`);

    const sender = await signIn(context, practitioner);
    const page = await sender.get(`/decisions/${shareToNeighbour}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Secure exchange packages');
    expect(page.body).toMatch(new RegExp(`opened: ${address} \\(recipient\\), \\d`));
    expect(page.body).toContain(`/exchange/packages/${id}/withdraw`);
    // An incident about the package starts from it, linked to the disclosure it logged (R5.1).
    const { disclosure_id } = await context.db
      .selectFrom('exchange_packages')
      .select('disclosure_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(page.body).toContain(`href="/incidents/new?disclosure=${disclosure_id}"`);

    const someoneElse = await signIn(context, colleague);
    expect(
      (await someoneElse.post(`/exchange/packages/${id}/withdraw`, { reason: 'Mine now.' })).statusCode,
    ).toBe(404);
    const blank = await sender.post(`/exchange/packages/${id}/withdraw`, { reason: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Say why you are withdrawing the package, in up to 1000 characters',
    ]);
    const withdrawn = await sender.post(`/exchange/packages/${id}/withdraw`, {
      reason: 'Sent to the wrong caseworker.',
    });
    expect(withdrawn.statusCode).toBe(303);
    expect((await recipient.get(`/exchange/packages/${id}`)).body).toContain(
      'This package was withdrawn by the sender',
    );
    expect((await sender.get(`/decisions/${shareToNeighbour}`)).body).toContain(
      'Reason: Sent to the wrong caseworker.',
    );
  });
});
