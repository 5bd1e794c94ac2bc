import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { samplePdf } from '../support/sample-files.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import {
  ReceivedPackagePage,
  RecipientAddressPage,
  RecipientCodePage,
  SendPackagePage,
  UnavailablePage,
  ViewOnlyPage,
} from './pages/exchange.page.ts';
import { SharingOverviewPage } from './pages/sharing.page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * The secure exchange, with two browsers: the practitioner at the council sends a report from a
 * recorded decision, view only; the SEN caseworker at the neighbouring council (no Safeshare account)
 * opens the link from her e-mail, proves the address with a code, reads the watermarked pages and
 * replies with a file; the practitioner sees the opening and the reply, and withdraws the package;
 * the caseworker's next page says it was withdrawn.
 */

const organisationName = 'Swindon Borough Council';
const caseworker = 'rebecca.sutton@wiltshire.gov.uk';

let journey: Journey;
let dataDir: string;
let priya: JourneyStaff;
let decisionId: string;
let report: Buffer;

/** The newest e-mail to the caseworker whose subject matches, as her mail client shows it. */
async function newestMail(subject: string): Promise<{ subject: string; body: string }> {
  return journey.db
    .selectFrom('mail_outbox')
    .select(['subject', 'body'])
    .where('to_address', '=', caseworker)
    .where('subject', 'like', subject)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-exchange-journey-'));
  journey = await startJourney({ DATA_DIR: dataDir });
  const { services } = journey;
  const today = londonToday(new Date());
  const councilId = await services.orgs.create(systemActor, {
    name: organisationName,
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  const neighbourId = await services.orgs.create(systemActor, {
    name: 'Wiltshire Council',
    kind: 'local_authority',
    switchboardPhone: '01225713000',
    hosted: false,
  });
  await services.orgs.addDomain(systemActor, councilId, 'swindon.gov.uk');
  await services.orgs.addDomain(systemActor, neighbourId, 'wiltshire.gov.uk');
  priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  const asPriya: Viewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId: councilId,
    organisationName,
    roles: ['practitioner'],
  };
  const childId = await addPerson({ people: services.people, consents: services.consent }, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: addDays(today, -12 * 365),
    allocateTo: priya.id,
  });
  await services.consent.record(
    asPriya,
    childId,
    givenConsentAnswers({
      givenOn: addDays(today, -10),
      recipientOrganisationIds: [neighbourId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  const routine = routineShareAnswers({ personIds: [childId], schoolId: neighbourId });
  decisionId = (
    await services.sharing.recordComplete(asPriya, {
      ...routine,
      request: { ...routine.request, receivedOn: today },
      recipients: {
        recipients: [
          {
            name: 'Rebecca Sutton',
            role: 'SEN caseworker',
            organisationId: neighbourId,
            email: caseworker,
            reason: 'She leads the EHC needs assessment.',
          },
        ],
      },
    })
  ).id;
  report = await samplePdf({ pages: 2, text: 'Education, health and care needs assessment: school report.' });
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('the secure exchange', () => {
  let sender: Page;
  let recipient: Page;

  it('sends a package view only from a recorded decision; the e-mail holds only a link', async () => {
    sender = await journey.newPage();
    await signIn(sender, priya);
    const overview = await SharingOverviewPage.open(sender, decisionId);
    expect(await overview.mainText()).toContain(
      'Nothing has been sent through the secure exchange under this decision yet.',
    );
    await overview.clickButton('Send through the secure exchange');
    const send = await SendPackagePage.verifyOnPage(sender);
    await send.choose('What information are you sending?', 'Education');
    await send.fill(
      'Message',
      'The school’s report for the EHC needs assessment, ahead of Thursday’s panel.',
    );
    await send.choose('How may the recipient read the files?', 'View only');
    await send.fill('Days it can be opened', '7');
    await send.attach([{ name: 'School report.pdf', mimeType: 'application/pdf', buffer: report }]);
    await send.check('exchange-send');
    await send.send();
    await sender.waitForURL(`**/decisions/${decisionId}#packages`);
    const sent = await SharingOverviewPage.verifyOnPage(sender);
    expect(await sent.mainText()).toMatch(
      /EX-\d{7}: to Rebecca Sutton \(rebecca\.sutton@wiltshire\.gov\.uk\)/,
    );
    expect(await sent.mainText()).toContain('Not opened yet');

    const mail = await newestMail('Secure information%');
    expect(mail.subject).toBe(`Secure information from ${organisationName}`);
    expect(`${mail.subject}\n${mail.body}`).not.toMatch(/Amelia|Hughes|report|EHC/i);
  });

  it('lets the caseworker in with a code, shows the watermarked pages, and takes her reply', async () => {
    const mail = await newestMail('Secure information%');
    const link = /https?:\/\/[^\s]+\/exchange\/packages\/[0-9a-f-]{36}/.exec(mail.body)?.[0] ?? '';
    expect(link).not.toBe('');
    recipient = await journey.newPage();
    await recipient.goto(new URL(link).pathname);
    const start = await RecipientAddressPage.verifyOnPage(recipient);
    await start.check('exchange-recipient-address');
    await start.askForCode(caseworker);
    const code = await RecipientCodePage.verifyOnPage(recipient);
    await code.check('exchange-recipient-code');
    const sentCode = /Your code is (\d{6})/.exec((await newestMail('Your % code')).body)?.[1] ?? '';
    await code.enterCode(sentCode);

    const opened = await ReceivedPackagePage.verifyOnPage(recipient, organisationName);
    expect(await opened.mainText()).toContain('ahead of Thursday’s panel');
    expect(await opened.mainText()).toContain('The sender chose view only');
    await opened.check('exchange-recipient-package');
    await expect(recipient.getByRole('link', { name: /Download/ }).count()).resolves.toBe(0);

    await opened.clickLink('View School report.pdf');
    const view = await ViewOnlyPage.verifyOnPage(recipient, 'School report.pdf');
    expect(await view.pageWidths()).toEqual([1224, 1224]);
    expect(await view.mainText()).toContain('it deters copying but cannot prevent it');
    await view.check('exchange-view-only');
    // Printed, the page shows the notice and none of the pages.
    await recipient.emulateMedia({ media: 'print' });
    expect(await recipient.getByRole('img').first().isVisible()).toBe(false);
    expect(await recipient.getByText('This page cannot be printed').isVisible()).toBe(true);
    await recipient.emulateMedia({ media: 'screen' });

    await recipient.getByRole('link', { name: 'Back' }).click();
    const again = await ReceivedPackagePage.verifyOnPage(recipient, organisationName);
    await again.reply('Thank you. Our educational psychologist’s notes are attached.', [
      { name: 'EP notes.pdf', mimeType: 'application/pdf', buffer: await samplePdf({ text: 'EP notes.' }) },
    ]);
    const replied = await ReceivedPackagePage.verifyOnPage(recipient, organisationName);
    expect(await replied.successBannerText()).toContain(
      `Your reply was sent securely to ${organisationName}`,
    );
    await replied.check('exchange-recipient-replied');
  });

  it('shows the practitioner the opening and the reply, and withdraws the package', async () => {
    const overview = await SharingOverviewPage.open(sender, decisionId);
    const text = await overview.mainText();
    expect(text).toMatch(/Opened \d/);
    expect(text).toContain('Reply from rebecca.sutton@wiltshire.gov.uk');
    expect(text).toContain('Our educational psychologist’s notes are attached.');
    await sender.locator('summary', { hasText: 'What happened to EX-' }).click();
    expect(await overview.mainText()).toMatch(/opened: rebecca\.sutton@wiltshire\.gov\.uk \(recipient\), \d/);
    expect(await overview.mainText()).toMatch(
      /file viewed: rebecca\.sutton@wiltshire\.gov\.uk \(recipient\)/,
    );
    await overview.check('exchange-decision-packages');
    await sender.getByLabel(/Why are you withdrawing EX-/).fill('The panel has been cancelled.');
    await sender.getByRole('button', { name: /Withdraw EX-/ }).click();
    await sender.waitForURL(`**/decisions/${decisionId}#packages`);
    expect(await (await SharingOverviewPage.verifyOnPage(sender)).mainText()).toContain(
      'Reason: The panel has been cancelled.',
    );
  });

  it('tells the caseworker, on her next page, that the sender withdrew it', async () => {
    await recipient.reload();
    const withdrawn = await UnavailablePage.verifyOnPage(
      recipient,
      'This package was withdrawn by the sender',
    );
    expect(await withdrawn.mainText()).toContain(`It was sent by ${organisationName}`);
    await withdrawn.check('exchange-withdrawn');
  });
});
