import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../auth/index.ts';
import { TestBrowser } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { maxAttempts } from './mail.delivery.ts';

let context: TestContext;
let dataDir: string;
let organisationId: string;
let otherOrganisationId: string;
let recipient: TestStaff;
let otherRecipient: TestStaff;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-outbox-'));
  // No SMTP_URL: the embedded default writes each message to <DATA_DIR>/outbox/.
  context = await testApp({ DATA_DIR: dataDir });
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  otherOrganisationId = await createOrganisation(context, { name: 'Wiltshire Council' });
  recipient = await createStaff(context, { organisationId });
  otherRecipient = await createStaff(context, { organisationId: otherOrganisationId });
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function notify(staff: TestStaff, subject: string): Promise<string> {
  await context.db.transaction().execute(async (trx) => {
    await context.services.notifications.notify(trx, {
      organisationId: staff.organisationId,
      userId: staff.id,
      kind: 'incident.reported',
      subject,
      body: 'An incident has been reported.',
      link: '/incidents',
    });
  });
  context.clock.advance(1_000);
  return (
    await context.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('subject', '=', subject)
      .executeTakeFirstOrThrow()
  ).id;
}

async function as(roles: readonly Role[], organisation = organisationId): Promise<TestBrowser> {
  return signIn(context, await createStaff(context, { roles, organisationId: organisation }));
}

describe('the outbox folder (no SMTP_URL)', () => {
  it('writes each message as an .eml file named by time and outbox id', async () => {
    const id = await notify(recipient, 'A consent has been withdrawn');
    const report = await context.services.mail.deliverDue();
    expect(report.failures).toEqual([]);
    const files = await fs.readdir(path.join(dataDir, 'outbox'));
    const file = files.find((name) => name.endsWith(`-${id}.eml`));
    expect(file).toMatch(/^\d{8}T\d{6}Z-[0-9a-f-]{36}\.eml$/);
    const message = await fs.readFile(path.join(dataDir, 'outbox', file ?? ''), 'utf8');
    expect(message).toContain('Subject: A consent has been withdrawn');
    expect(message).toContain(`To: ${recipient.email}`);
    expect(message).toContain('From: Safeshare <no-reply@localhost>');
    expect(message).toContain('http://localhost:3000/incidents');
    expect((await fs.stat(path.join(dataDir, 'outbox', file ?? ''))).mode & 0o077).toBe(0);
    expect(files.filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('the email outbox page', () => {
  it("shows administrators their organisation's mail, newest first, with status and last error", async () => {
    await notify(recipient, 'An advice request needs your answer');
    await context.services.mail.deliverDue();
    const failedId = await notify(recipient, 'A file has not been returned');
    await context.db
      .updateTable('mail_outbox')
      .set({ attempts: maxAttempts, last_error: 'EENVELOPE 550 RCPT TO' })
      .where('id', '=', failedId)
      .execute();
    await notify(recipient, 'A review is overdue');
    await notify(otherRecipient, 'Wiltshire only');

    const browser = await as(['admin']);
    const page = await browser.get('/admin/outbox');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Email outbox');
    expect(page.body).toContain(recipient.email);
    expect(page.body).not.toContain('Wiltshire only');
    expect(page.body).not.toContain(otherRecipient.email);
    expect(page.body.indexOf('A review is overdue')).toBeLessThan(
      page.body.indexOf('A file has not been returned'),
    );
    expect(page.body.indexOf('A file has not been returned')).toBeLessThan(
      page.body.indexOf('An advice request needs your answer'),
    );
    expect(page.body).toMatch(/govuk-tag--red">\s*Failed/);
    expect(page.body).toMatch(/govuk-tag--green">\s*Sent/);
    expect(page.body).toMatch(/govuk-tag--blue">\s*Waiting to send/);
    expect(page.body).toContain('EENVELOPE 550 RCPT TO');
    expect(page.body).toContain('href="/admin/outbox"');
  });

  it('shows a sent message as written to the outbox folder, to administrators and the IT service desk', async () => {
    const id = await notify(recipient, 'Your removable media register needs checking');
    await context.services.mail.deliverDue();
    for (const role of ['admin', 'it_service_desk'] as const) {
      const browser = await as([role]);
      const list = await browser.get('/admin/outbox');
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain(`href="/admin/outbox/${id}"`);
      const message = await browser.get(`/admin/outbox/${id}`);
      expect(message.statusCode).toBe(200);
      expect(message.body).toContain('Subject: Your removable media register needs checking');
      expect(message.body).toContain(`To: ${recipient.email}`);
    }
  });

  it('says when a message has not been written yet', async () => {
    const id = await notify(recipient, 'Pending for now');
    const browser = await as(['admin']);
    const message = await browser.get(`/admin/outbox/${id}`);
    expect(message.statusCode).toBe(200);
    expect(message.body).toContain('The message has not been written to the outbox folder yet.');
  });

  it("refuses everyone else, and hides other organisations' messages", async () => {
    const id = await notify(otherRecipient, 'For Wiltshire staff');
    for (const role of [
      'practitioner',
      'manager',
      'dpo',
      'auditor',
      'caldicott_guardian',
      'ig_lead',
    ] as const) {
      const browser = await as([role]);
      expect((await browser.get('/admin/outbox')).statusCode).toBe(403);
      expect((await browser.get(`/admin/outbox/${id}`)).statusCode).toBe(403);
    }
    const admin = await as(['admin']);
    expect((await admin.get(`/admin/outbox/${id}`)).statusCode).toBe(404);
    const otherAdmin = await as(['admin'], otherOrganisationId);
    expect((await otherAdmin.get(`/admin/outbox/${id}`)).statusCode).toBe(200);

    const signedOut = new TestBrowser(context.app);
    const response = await signedOut.get('/admin/outbox');
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/sign-in?next=%2Fadmin%2Foutbox');
  });

  it('answers 404 for a malformed or unknown message and a page that does not exist', async () => {
    const browser = await as(['it_service_desk']);
    for (const url of [
      '/admin/outbox/not-a-uuid',
      `/admin/outbox/${randomUUID()}`,
      '/admin/outbox/..%2F..%2Fsecret.key',
      '/admin/outbox?page=abc',
      '/admin/outbox?page=0',
      '/admin/outbox?page=99',
      '/admin/outbox?page=1&page=2',
      '/admin/outbox?status=failed',
    ]) {
      expect((await browser.get(url)).statusCode, url).toBe(404);
    }
  });

  it('pages through the outbox 50 at a time', async () => {
    const organisation = await createOrganisation(context);
    const staff = await createStaff(context, { organisationId: organisation });
    for (let index = 1; index <= 51; index += 1) await notify(staff, `Message number ${index}.`);
    const browser = await as(['admin'], organisation);
    const first = await browser.get('/admin/outbox');
    expect(first.body).toContain('Message number 51.');
    expect(first.body).not.toContain('Message number 1.');
    expect(first.body).toContain('href="/admin/outbox?page=2"');
    const second = await browser.get('/admin/outbox?page=2');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Message number 1.');
    expect(second.body).not.toContain('Message number 2.');
    expect(second.body).toContain('href="/admin/outbox"');
  });

  it("lists an organisation's outbox with an index", async () => {
    const plan = await context.db.transaction().execute(async (trx) => {
      // A tiny table is cheaper to scan; forbid scans to see which index the query would use.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return trx
        .selectFrom('mail_outbox')
        .select(['id', 'subject'])
        .where('organisation_id', '=', organisationId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(51)
        .offset(50)
        .explain('json');
    });
    expect(JSON.stringify(plan)).toContain('mail_outbox_organisation_idx');
  });
});
