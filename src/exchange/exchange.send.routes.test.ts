import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import {
  asPractitioner,
  childId,
  colleague,
  context,
  elsewhere,
  practitioner,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import { signIn } from '../../test/support/factories.ts';
import { samplePdf } from '../../test/support/sample-files.ts';

let dataDir: string;
let pdf: Buffer;
const address = 'rebecca.sutton@wiltshire.gov.uk';
const word = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 1)]);
const form = {
  recipientIndex: '0',
  recipientAddress: '',
  categoryIds: ['education'],
  message: 'The EHC needs assessment report is attached.',
  mode: 'download',
  expiresInDays: '7',
  downloadLimit: '2',
};

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-exchange-send-'));
  await setUpDisclosureWorldWith({ DATA_DIR: dataDir });
  context.clock.set('2026-12-01T10:00:00Z');
  pdf = await samplePdf({ pages: 2, text: 'Education, health and care needs assessment: summary.' });
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function packageCount(): Promise<number> {
  const row = await context.db
    .selectFrom('exchange_packages')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Sealed objects that belong to no package or reply and are not shredded: what a refusal left behind. */
async function orphanObjects() {
  return context.db
    .selectFrom('exchange_objects')
    .leftJoin('exchange_packages', 'exchange_packages.message_object_id', 'exchange_objects.id')
    .leftJoin('exchange_package_files', 'exchange_package_files.object_id', 'exchange_objects.id')
    .leftJoin('exchange_replies', 'exchange_replies.message_object_id', 'exchange_objects.id')
    .leftJoin('exchange_reply_files', 'exchange_reply_files.object_id', 'exchange_objects.id')
    .select('exchange_objects.id')
    .where('exchange_objects.shredded_at', 'is', null)
    .where('exchange_packages.id', 'is', null)
    .where('exchange_package_files.id', 'is', null)
    .where('exchange_replies.id', 'is', null)
    .where('exchange_reply_files.id', 'is', null)
    .execute();
}

async function lastCode(to = address): Promise<string> {
  const mail = await context.db
    .selectFrom('mail_outbox')
    .select('body')
    .where('to_address', '=', to)
    .where('subject', 'like', 'Your % code')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return /Your code is (\d{6})/.exec(mail.body)?.[1] ?? '';
}

/** A recipient without an account, through the code pages, with the package open. */
async function recipientOf(packageId: string): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get(`/exchange/packages/${packageId}`);
  context.clock.advance(1000);
  await browser.post(`/exchange/packages/${packageId}/code-request`, { address });
  const entered = await browser.post(`/exchange/packages/${packageId}/code`, {
    address,
    code: await lastCode(),
  });
  expect(entered.statusCode).toBe(303);
  return browser;
}

describe('sending a package from the decision’s page (R4.6.4)', () => {
  it('streams the files in, logs the disclosure with the package, and e-mails only a link', async () => {
    const sender = await signIn(context, practitioner);
    const decision = await sender.get(`/decisions/${shareToNeighbour}`);
    expect(decision.body).toContain(`href="/decisions/${shareToNeighbour}/packages/new"`);
    const page = await sender.get(`/decisions/${shareToNeighbour}/packages/new`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('This deters copying but does not prevent it');

    const sent = await sender.postMultipart(`/decisions/${shareToNeighbour}/packages/new`, form, [
      { name: 'C:\\Users\\priya\\EHC report.pdf', bytes: pdf, type: 'application/pdf' },
      { name: 'notes.txt', bytes: Buffer.from('Annual review due in March.\n'), type: 'text/plain' },
    ]);
    expect(sent.statusCode, errorSummary(sent.body).join('; ')).toBe(303);
    expect(sent.headers['location']).toBe(`/decisions/${shareToNeighbour}#packages`);

    const row = await context.db
      .selectFrom('exchange_packages')
      .innerJoin('disclosures', 'disclosures.id', 'exchange_packages.disclosure_id')
      .select([
        'exchange_packages.id',
        'exchange_packages.download_limit',
        'exchange_packages.expires_at',
        'exchange_packages.sent_at',
        'disclosures.method',
        'disclosures.description',
      ])
      .orderBy('exchange_packages.sent_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ method: 'secure-exchange', download_limit: 2 });
    expect(row.expires_at.getTime() - row.sent_at.getTime()).toBe(7 * 86_400_000);
    expect(row.description).toBe('Secure exchange package: a message and EHC report.pdf, notes.txt.');
    const files = await context.db
      .selectFrom('exchange_package_files')
      .select(['name', 'media_type', 'bytes'])
      .where('package_id', '=', row.id)
      .orderBy('position')
      .execute();
    expect(files).toEqual([
      { name: 'EHC report.pdf', media_type: 'application/pdf', bytes: pdf.length },
      { name: 'notes.txt', media_type: 'text/plain', bytes: 28 },
    ]);
    const mail = await context.db
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('to_address', '=', address)
      .where('body', 'like', `%${row.id}%`)
      .executeTakeFirstOrThrow();
    expect(mail.subject).toMatch(/^Secure information from Swindon Borough Council/);
    expect(`${mail.subject} ${mail.body}`).not.toMatch(/Amelia|Hughes|EHC|assessment/);
  });

  it('refuses what it must, says why, and sends nothing', async () => {
    const sender = await signIn(context, practitioner);
    const url = `/decisions/${shareToNeighbour}/packages/new`;
    const before = await packageCount();

    const blank = await sender.postMultipart(url, { ...form, categoryIds: [], mode: '', expiresInDays: '' }, [
      { name: 'report.pdf', bytes: pdf },
    ]);
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Select the information you are sending',
      'Choose whether the recipient may download the files or only view them',
      'Enter how many days the package can be opened, from 1 to 30',
    ]);
    expect(blank.body).toContain('Choose the files again before you send');

    const tooLong = await sender.postMultipart(url, { ...form, expiresInDays: '31' }, []);
    expect(errorSummary(tooLong.body)).toEqual(['Choose an expiry from 1 to 30 days']);

    const viewOnlyWord = await sender.postMultipart(url, { ...form, mode: 'view-only' }, [
      { name: 'report.pdf', bytes: pdf },
      { name: 'plan.docx', bytes: word },
    ]);
    expect(viewOnlyWord.statusCode).toBe(400);
    expect(errorSummary(viewOnlyWord.body)).toEqual([
      'plan.docx cannot be sent view only: view only shows PDFs, images and plain text, so save it as a PDF or let the recipient download it',
    ]);

    const unknownType = await sender.postMultipart(url, form, [
      { name: 'tool.exe', bytes: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]) },
    ]);
    expect(errorSummary(unknownType.body)).toEqual([
      'tool.exe is not a kind of file the exchange accepts: send a PDF, an image, an Office document or plain text',
    ]);
    const empty = await sender.postMultipart(url, form, [{ name: 'empty.pdf', bytes: Buffer.alloc(0) }]);
    expect(errorSummary(empty.body)).toEqual(['empty.pdf is empty']);

    const noToken = await sender.postMultipart(url, form, [{ name: 'report.pdf', bytes: pdf }], {
      csrf: false,
    });
    expect(noToken.statusCode).toBe(403);

    // Someone who may not record disclosures cannot send either.
    const stranger = await signIn(context, elsewhere);
    expect((await stranger.get(url)).statusCode).toBe(404);

    expect(await packageCount()).toBe(before);
    // Nothing refused was left behind: every object sealed for these attempts was shredded.
    expect(await orphanObjects()).toEqual([]);
  });
});

describe('view only (R4.6.4)', () => {
  it('shows each page as a watermarked picture, never the file, and audits the viewing', async () => {
    const sent = await context.services.exchange.send(asPractitioner, shareToNeighbour, {
      recipientIndex: 0,
      categoryIds: ['education'],
      message: 'Read the report before the meeting.',
      mode: 'view-only',
      files: [{ name: 'report.pdf', content: Readable.from([pdf]) }],
    });
    const recipient = await recipientOf(sent.id);
    const opened = await recipient.get(`/exchange/packages/${sent.id}`);
    expect(opened.body).toContain('View report.pdf');
    expect(opened.body).not.toContain('Download report.pdf');
    const viewHref = /href="(\/exchange\/packages\/[^"]+\/view)"/.exec(opened.body)?.[1] ?? '';
    const fileHref = viewHref.replace(/\/view$/, '');

    const view = await recipient.get(viewHref);
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('it deters copying but cannot prevent it');
    const pages = [...view.body.matchAll(/<img src="([^"]+)" alt="Page (\d) of 2 of report.pdf"/g)];
    expect(pages.map((match) => match[2])).toEqual(['1', '2']);

    const picture = await recipient.get(pages[0]?.[1] ?? '');
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toBe('image/png');
    expect(picture.headers['cache-control']).toBe('no-store');
    // The watermark is drawn into the picture: a page of black text on white has no red in it.
    const image = PNG.sync.read(picture.rawPayload);
    let red = 0;
    for (let at = 0; at < image.data.length; at += 4) {
      const [r, g, b] = [image.data[at] ?? 0, image.data[at + 1] ?? 0, image.data[at + 2] ?? 0];
      if (r - g > 25 && r - b > 25) red += 1;
    }
    expect(red / (image.width * image.height)).toBeGreaterThan(0.01);

    // The file itself is never sent, and a stranger gets no page.
    expect((await recipient.get(fileHref)).statusCode).toBe(404);
    const stranger = new TestBrowser(context.app);
    expect((await stranger.get(pages[0]?.[1] ?? '')).statusCode).toBe(403);
    expect((await recipient.get(viewHref.replace(/\/view$/, '/pages/3'))).statusCode).toBe(404);

    const viewed = await context.db
      .selectFrom('audit_events')
      .select('actor_label')
      .where('action', '=', 'exchange.file_viewed')
      .where('entity_id', '=', sent.id)
      .execute();
    expect(viewed).toEqual([{ actor_label: `${address} (recipient)` }]);
  });
});

describe('replies and hosted partners (R4.6.4)', () => {
  it('takes the recipient’s reply with a file, tells the sender, and shows it only to those who may manage the package', async () => {
    const sent = await context.services.exchange.send(asPractitioner, shareToNeighbour, {
      recipientIndex: 0,
      categoryIds: ['education'],
      message: 'Please send your notes back.',
      mode: 'download',
      files: [],
    });
    const recipient = await recipientOf(sent.id);
    const blank = await recipient.postMultipart(`/exchange/packages/${sent.id}/reply`, { message: ' ' }, []);
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter your reply']);
    const replied = await recipient.postMultipart(
      `/exchange/packages/${sent.id}/reply`,
      { message: 'Our notes from the review are attached.' },
      [{ name: 'review notes.pdf', bytes: pdf, type: 'application/pdf' }],
    );
    expect(replied.statusCode, errorSummary(replied.body).join('; ')).toBe(303);
    expect((await recipient.get(`/exchange/packages/${sent.id}?replied=1`)).body).toContain(
      'Your reply was sent securely',
    );

    const sender = await signIn(context, practitioner);
    const decision = await sender.get(`/decisions/${shareToNeighbour}`);
    expect(decision.body).toContain('Our notes from the review are attached.');
    const href =
      new RegExp(`href="(/exchange/packages/${sent.id}/replies/[^"]+)"`).exec(decision.body)?.[1] ?? '';
    const file = await sender.get(href);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(pdf)).toBe(true);
    const told = await context.db
      .selectFrom('notifications')
      .select('subject')
      .where('user_id', '=', practitioner.id)
      .where('kind', '=', 'exchange.reply_received')
      .execute();
    expect(told).toHaveLength(1);

    // A colleague with no part in the case reads neither the decision nor the reply's files.
    const other = await signIn(context, colleague);
    expect((await other.get(`/decisions/${shareToNeighbour}`)).statusCode).toBe(404);
    expect((await other.get(href)).statusCode).toBe(404);
  });

  it('lists a package for a hosted partner’s member of staff in Received, and opens it signed in without a code', async () => {
    const neighbour = await context.db
      .selectFrom('users')
      .select(['organisation_id'])
      .where('id', '=', elsewhere.id)
      .executeTakeFirstOrThrow();
    const staffAddress = `jo.evans.${Date.now().toString(36)}@wiltshire.gov.uk`;
    await context.db
      .updateTable('users')
      .set({ email: staffAddress })
      .where('id', '=', elsewhere.id)
      .execute();
    const sent = await context.services.exchange.send(asPractitioner, shareToNeighbour, {
      recipientIndex: 0,
      recipientAddress: staffAddress,
      categoryIds: ['education'],
      message: 'For the transfer-in conference.',
      mode: 'download',
      files: [],
    });
    const partner = await signIn(context, { ...elsewhere, email: staffAddress });
    const received = await partner.get('/exchange/received');
    expect(received.statusCode).toBe(200);
    expect(received.body).toContain(sent.reference);
    const opened = await partner.get(`/exchange/packages/${sent.id}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('For the transfer-in conference.');
    const confirmed = await context.db
      .selectFrom('exchange_packages')
      .innerJoin('disclosures', 'disclosures.id', 'exchange_packages.disclosure_id')
      .select(['disclosures.receipt_confirmed_at', 'exchange_packages.recipient_organisation_id'])
      .where('exchange_packages.id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(confirmed.receipt_confirmed_at).not.toBeNull();
    expect(confirmed.recipient_organisation_id).toBe(neighbour.organisation_id);

    // The sender's own colleague, signed in, is not the recipient: the code page, not the package.
    const notTheRecipient = await signIn(context, colleague);
    expect((await notTheRecipient.get(`/exchange/packages/${sent.id}`)).body).not.toContain(
      'For the transfer-in conference.',
    );
    expect((await notTheRecipient.get('/exchange/received')).body).not.toContain(sent.reference);
    await context.services.exchange.revoke(asPractitioner, sent.id, 'Sent before the meeting was moved.');
    expect((await partner.get(`/exchange/packages/${sent.id}`)).statusCode).toBe(410);
  });
});

// Last: it withdraws the child's consent, which every share above relies on.
describe('checks made again once the files are in (R3.3)', () => {
  it('refuses a package whose consent was withdrawn while its files were uploading, and keeps nothing', async () => {
    const before = await packageCount();
    const consent = await context.db
      .selectFrom('consents')
      .select('id')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    // The files arrive one by one; the consent is withdrawn after the checks made before the upload.
    async function* filesArrivingDuringWithdrawal() {
      await context.services.consent.withdraw(asPractitioner, consent.id, {
        withdrawnOn: '2026-12-01',
        method: 'telephone',
        by: 'parent_carer',
        note: 'Mum rang to withdraw consent while the report was uploading.',
      });
      yield { name: 'report.pdf', content: Readable.from([pdf]) };
    }
    await expect(
      context.services.exchange.send(asPractitioner, shareToNeighbour, {
        recipientIndex: 0,
        categoryIds: ['education'],
        message: 'The report is attached.',
        mode: 'download',
        files: filesArrivingDuringWithdrawal(),
      }),
    ).rejects.toMatchObject({ name: 'DisclosureRuleError' });
    expect(await packageCount()).toBe(before);
    expect(await orphanObjects()).toEqual([]);
  });
});
