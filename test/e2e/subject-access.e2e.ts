import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/lib/calendar.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { reportPdfText } from '../support/subject-access-pdf.ts';
import {
  checkPage,
  screenshotFolder,
  createJourneyStaff,
  startJourney,
  type Journey,
  type JourneyStaff,
} from './e2e-harness.ts';
import { signIn } from './pages/sign-in.page.ts';
import {
  NewSubjectAccessPage,
  SubjectAccessListPage,
  SubjectAccessRequestPage,
} from './pages/subject-access.page.ts';

/**
 * The DPO answers a family's subject access request: records it for the child, with the mother who
 * asked and how her identity was checked, sees its one-month deadline counting down, and downloads
 * the report as a PDF, which reads as the family will read it and draws as pages (pdftoppm).
 *
 * The family's consent, the decision to share with the police and the disclosure under it were made
 * on other pages of Safeshare: they are recorded through the services here.
 */

const run = promisify(execFile);
let journey: Journey;
let dana: JourneyStaff;
let today: string;
let childId: string;

beforeAll(async () => {
  journey = await startJourney();
  const { services } = journey;
  today = londonToday(new Date());
  const councilId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  const policeId = await services.orgs.create(systemActor, {
    name: 'Wiltshire Police',
    kind: 'police',
    switchboardPhone: '01632 960999',
    hosted: false,
  });
  const priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  dana = await createJourneyStaff(journey, ['dpo'], councilId, 'Dana Okafor');
  const asPriya: Viewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
    roles: ['practitioner'],
  };
  childId = await addPerson({ people: services.people, consents: services.consent }, councilId, {
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
      recipientOrganisationIds: [policeId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  const routine = routineShareAnswers({ personIds: [childId], schoolId: policeId });
  const decisionId = (
    await services.sharing.recordComplete(asPriya, {
      ...routine,
      request: { ...routine.request, receivedOn: today },
      recipients: {
        recipients: [
          {
            name: 'DC Sarah Price',
            role: 'Detective constable, child abuse investigation team',
            organisationId: policeId,
            reason: 'Investigating a referral about Amelia’s school.',
          },
        ],
      },
    })
  ).id;
  await services.disclosures.record(asPriya, decisionId, {
    recipientIndex: 0,
    method: 'telephone',
    categoryIds: ['education'],
    description: 'School attendance for the last term.',
    checklist: {
      callDirection: 'outgoing',
      personReached: 'DC Sarah Price',
      personRole: 'Detective constable, child abuse investigation team',
      identityConfirmed: 'known-to-you',
      numberCalled: '01632 960 123',
      onlyToPersonReached: true,
      contactConfidential: false,
      messageLeft: 'none',
      notOverheard: true,
      disclosed: 'School attendance for the last term.',
    },
  });
  await services.people.open(asPriya, childId, 'record');
});

describe('a family’s subject access request', () => {
  let page: Page;

  it('is recorded by the DPO, with its deadline one calendar month away', async () => {
    page = await journey.newPage();
    await signIn(page, dana);
    await page.goto('/subject-access');
    const list = await SubjectAccessListPage.verifyOnPage(page);
    expect(await list.mainText()).toContain('No subject access request has been recorded.');
    await list.check('subject-access-empty');
    await list.clickButton('Record a subject access request');

    const form = await NewSubjectAccessPage.verifyOnPage(page);
    await form.check('subject-access-new');
    await form.find('Amelia Hughes');
    const found = await NewSubjectAccessPage.verifyOnPage(page);
    await found.check('subject-access-new-found');
    await found.choose('Choose the person', 'Amelia Hughes');
    await found.choose(
      'Who asked?',
      'Someone with parental responsibility for a child, on the child’s behalf',
    );
    await found.fill('Their full name', 'Sophie Hughes');
    await page.getByLabel('Who they are to the child').selectOption({ label: 'Mother' });
    await found.fillDate('When was the request received?', today);
    await found.fill(
      'How was their identity checked?',
      'Seen in person with her passport, and Amelia’s birth certificate naming her.',
    );
    await found.fillDate('When was their identity checked?', today);
    await found.clickButton('Record the request');

    await page.waitForURL(/\/subject-access\/[0-9a-f-]{36}\?done=recorded$/);
    const request = await SubjectAccessRequestPage.verifyOnPage(page, 'Amelia Hughes');
    expect(await request.successBannerText()).toContain('Request recorded.');
    const lines = await request.summaryLines();
    expect(lines).toContain('Asked by: Sophie Hughes, mother with parental responsibility');
    expect(await request.mainText()).toMatch(/\d+ days left/);
    await request.check('subject-access-request');

    await page.goto('/subject-access');
    const listed = await SubjectAccessListPage.verifyOnPage(page);
    expect(await listed.mainText()).toContain('1 open');
    await listed.check('subject-access-list');
  });

  it('is answered with a PDF report that reads as the family will read it', async () => {
    await page.getByRole('link', { name: /^SAR-\d{7}$/ }).click();
    const request = await SubjectAccessRequestPage.verifyOnPage(page, 'Amelia Hughes');
    const download = await request.download('Download the report as PDF');
    expect(download.suggestedFilename()).toMatch(/^SAR-\d{7}-subject-access\.pdf$/);
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'subject-access-'));
    const pdfPath = path.join(folder, 'report.pdf');
    await download.saveAs(pdfPath);
    const pdf = await fs.readFile(pdfPath);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Page numbers are drawn last, so they sit wherever a page broke in the text: read without them.
    const text = (await reportPdfText(pdf)).replace(/ ?Page \d+ of \d+/g, '');
    expect(text).toContain('Your information: who it has been shared with');
    expect(text).toContain('This report is about Amelia Hughes');
    expect(text).toContain('Sophie Hughes (mother, with parental responsibility)');
    expect(text).toContain('Detective constable, child abuse investigation team, Wiltshire Police');
    expect(text).toContain('Education sent by the telephone to the Detective constable');
    expect(text).toContain('Priya Sharma, Swindon Borough Council. Looked at the record');
    expect(text).not.toContain('Sarah Price');

    // The first page drawn as an image, as a printer or a screen would: not blank, not tiny.
    await run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdfPath, path.join(folder, 'page')]);
    const pngName = (await fs.readdir(folder)).find(
      (name) => name.startsWith('page') && name.endsWith('.png'),
    );
    expect(pngName).toBeDefined();
    const png = await fs.readFile(path.join(folder, pngName ?? ''));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
    await fs.copyFile(
      path.join(folder, pngName ?? ''),
      path.join(screenshotFolder, 'subject-access-report-page-1.png'),
    );

    const after = await SubjectAccessRequestPage.verifyOnPage(page, 'Amelia Hughes');
    await page.reload();
    expect(await after.summaryLines()).toContain('Report: Produced 1 time, last');
    await after.check('subject-access-request-produced');
  });

  it('can be started from the child’s record, with the child already chosen', async () => {
    await page.goto(`/people/${childId}`);
    await page.getByRole('heading', { level: 1, name: 'Amelia Hughes' }).waitFor();
    await checkPage(page, 'subject-access-person-record');
    await page.getByRole('button', { name: 'Subject access request' }).click();
    const form = await NewSubjectAccessPage.verifyOnPage(page);
    expect(await form.question('Choose the person').getByLabel('Amelia Hughes').isChecked()).toBe(true);
    await form.check('subject-access-new-from-record');
  });
});
