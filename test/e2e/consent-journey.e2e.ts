import fs from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays, addMonths, londonToday } from '../../src/consent/consent.record.ts';
import type { ConsentAnswers } from '../../src/consent/consent.schema.ts';
import { isValidNhsNumber, testNhsNumbers, type PersonDetails } from '../../src/people/index.ts';
import { formatDate } from '../../src/lib/time.ts';
import { pdfText } from '../support/pdf-text.ts';
import {
  checkPage,
  createJourneyStaff,
  startJourney,
  type Journey,
  type JourneyStaff,
  signInThroughPages,
} from './e2e-harness.ts';

const organisationName = 'Swindon Borough Council';
const educationSupport = 'Education support, including an EHC plan';

let journey: Journey;
let organisationId: string;
let schoolId: string;
let tom: JourneyStaff;
let priya: JourneyStaff;
let priyaViewer: Viewer;
let ameliaId: string;
let rachelId: string;
let today: string;

/** Test-range NHS numbers (999 000 0000 to 999 999 9999): never a real person's. */
const nhsNumbers = testNhsNumbers(271_828);

function personDetails(givenNames: string, familyName: string, dateOfBirth: string): PersonDetails {
  const nhsNumber = nhsNumbers.next().value;
  if (!nhsNumber.startsWith('999') || !isValidNhsNumber(nhsNumber))
    throw new Error(`not a test-range NHS number: ${nhsNumber}`);
  return {
    givenNames,
    familyName,
    knownAs: null,
    dateOfBirth,
    nhsNumber,
    localReference: null,
    upn: null,
    externalId: null,
    addressLine1: '14 Fleet Street',
    addressLine2: null,
    town: 'Swindon',
    postcode: 'SN1 1RQ',
  };
}

function viewerOf(staff: JourneyStaff, displayName: string, roles: Viewer['roles']): Viewer {
  return { userId: staff.id, displayName, email: staff.email, organisationId, organisationName, roles };
}

/** Consent given by a competent young person alone, for one purpose, with the review date set by hand. */
function givenByYoungPerson(purposeId: string, givenOn: string, reviewOn: string): ConsentAnswers {
  return {
    decision: 'given',
    givenOn,
    givenByChild: true,
    parentCarerId: null,
    childCapacity: 'competent',
    capacityNotAssessedReason: null,
    prevailingView: 'child',
    childView: 'Happy for the family support worker to talk to my college.',
    purposeIds: [purposeId],
    useDescription: 'To plan support with the family support worker.',
    recipientOrganisationIds: [schoolId],
    recipientRoles: [],
    methodIds: ['secure-email'],
    categoryIds: ['education'],
    retentionPeriod: 'Until the young person’s 25th birthday',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: true,
    toldMayWithdraw: true,
    howGiven: 'written',
    evidenceNote: null,
    notSoughtReasonId: null,
    notSoughtDetail: null,
    reviewOn,
    expiresOn: null,
    supersedesId: null,
  };
}

/** Fills a GOV.UK date input, found by its legend, with a yyyy-mm-dd date. */
async function fillDate(page: Page, legend: string, date: string): Promise<void> {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const group = page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(String(day));
  await group.getByLabel('Month').fill(String(month));
  await group.getByLabel('Year').fill(String(year));
}

/** The rows of the page's summary lists, as "key: value" lines with whitespace collapsed. */
async function summaryText(page: Page): Promise<string> {
  const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();
  const keys = await page.locator('.govuk-summary-list__row > .govuk-summary-list__key').allInnerTexts();
  const values = await page.locator('.govuk-summary-list__row > .govuk-summary-list__value').allInnerTexts();
  expect(values).toHaveLength(keys.length);
  return keys.map((key, index) => `${tidy(key)}: ${tidy(values[index] ?? '')}`).join('\n');
}

beforeAll(async () => {
  journey = await startJourney();
  const { services } = journey;
  today = londonToday(new Date());
  organisationId = await services.orgs.create(systemActor, {
    name: organisationName,
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  schoolId = await services.orgs.create(systemActor, {
    name: 'Oakfield Primary School',
    kind: 'school',
    switchboardPhone: '01793000111',
    hosted: false,
  });

  tom = await createJourneyStaff(journey, ['manager'], organisationId, 'Tom Hughes');
  priya = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
  await services.staff.update(systemActor, priya.id, {
    organisationId,
    displayName: 'Priya Sharma',
    jobTitle: 'Social worker',
    roles: ['practitioner'],
    lineManagerId: tom.id,
  });
  priyaViewer = viewerOf(priya, 'Priya Sharma', ['practitioner']);

  // Amelia is 12 today; her mother has parental responsibility.
  ameliaId = await services.people.register(
    systemActor,
    organisationId,
    personDetails('Amelia', 'Clarke', addMonths(today, -12 * 12)),
    { allocateTo: priya.id },
  );
  rachelId = await services.people.addRelative(priyaViewer, ameliaId, {
    kind: 'new',
    details: personDetails('Rachel', 'Clarke', '1988-06-14'),
    relationship: 'mother',
    parentalResponsibility: true,
  });
});

describe('consent: a practitioner records, explains and withdraws it, and a manager sees reviews fall due', () => {
  let page: Page;
  let consentId: string;

  it('finds the child despite a typo and records consent given by her and her mother', async () => {
    page = await journey.newPage();
    await signInThroughPages(page, priya);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await page.waitForURL('**/people');
    await page.getByLabel('Name, NHS number or case reference').fill('Amelia Clark');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/people/search');
    const results = page.getByRole('table', { name: /that you can open$/ });
    await expect.poll(() => results.getByRole('link').allTextContents()).toEqual(['Clarke, Amelia']);
    await checkPage(page, 'consent-search');

    await results.getByRole('link', { name: 'Clarke, Amelia' }).click();
    await page.waitForURL(`**/people/${ameliaId}`);
    expect(await page.locator('h1').textContent()).toBe('Amelia Clarke');
    const family = page.getByRole('table', { name: 'Family members' });
    expect((await family.getByRole('row').nth(1).textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'Rachel Clarke Mother Yes',
    );
    await checkPage(page, 'person-record');

    await page.getByRole('link', { name: 'Consent records' }).click();
    await page.waitForURL(`**/people/${ameliaId}/consents`);
    expect(await page.locator('h1').textContent()).toBe('Consent');
    expect(await page.locator('main').textContent()).toContain(
      'No consent has been recorded for this person yet.',
    );
    await checkPage(page, 'consent-list');

    await page.getByRole('button', { name: 'Record consent' }).click();
    await page.waitForURL(`**/people/${ameliaId}/consents/new`);
    await checkPage(page, 'consent-new');

    // 1. The decision.
    await page
      .getByRole('group', { name: 'Was consent given, refused or not sought?' })
      .getByLabel('Consent given', { exact: true })
      .check();
    await fillDate(page, 'Date of the decision', today);
    // 2. Who gave it: Amelia, competent for this decision, and her mother.
    const givers = page.getByRole('group', { name: 'Who gave or refused consent?' });
    await givers.getByLabel('The child or young person').check();
    await givers.getByLabel('A parent or carer with parental responsibility').check();
    await page
      .getByRole('group', { name: 'Which parent or carer?' })
      .getByLabel('Rachel Clarke (Mother)')
      .check();
    await page
      .getByRole('group', { name: 'Is the child or young person competent to make this decision?' })
      .getByLabel('Competent to make this decision', { exact: true })
      .check();
    await page
      .getByRole('textbox', { name: 'The child or young person’s view' })
      .fill(
        'Amelia wants her teachers to know so that she can get help with reading. She is happy for her mum to be involved.',
      );
    await page
      .getByRole('group', { name: 'Whose view prevails?' })
      .getByLabel('The child or young person’s view')
      .check();
    // 4. What it covers.
    await page.getByRole('group', { name: 'Purposes' }).getByLabel(educationSupport).check();
    await page
      .getByLabel('How the information will be used')
      .fill(
        'To agree reading support with Oakfield Primary School and review it at her school support plan meetings.',
      );
    await page
      .getByRole('group', { name: 'Organisations it may be shared with' })
      .getByLabel('Oakfield Primary School')
      .check();
    const methods = page.getByRole('group', { name: 'How it will be shared' });
    await methods.getByLabel('Secure email').check();
    await methods.getByLabel('In person').check();
    const categories = page.getByRole('group', { name: 'Information that may be shared' });
    await categories.getByLabel('Education', { exact: true }).check();
    await categories.getByLabel('Health, including mental health').check();
    await page.getByLabel('How long it will be held').fill('Until Amelia’s 25th birthday');
    await page
      .getByRole('group', { name: 'The form it will be held in' })
      .getByLabel('Electronic', { exact: true })
      .check();
    // 5. What they were told; 6. how it was given.
    await page
      .getByRole('group', { name: 'Were they told when information may be shared without their consent?' })
      .getByLabel('Yes')
      .check();
    await page
      .getByRole('group', { name: 'Were they told they may withdraw consent at any time?' })
      .getByLabel('Yes')
      .check();
    await page
      .getByRole('group', { name: 'How was consent given or refused?' })
      .getByLabel('In writing')
      .check();
    await page.getByLabel('Evidence (optional)').fill('Signed consent form scanned to the case file.');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`**/people/${ameliaId}/consents/new/check`);
    expect(await page.locator('h1').textContent()).toBe(
      'Check your answers before saving the consent record',
    );
    const answers = await summaryText(page);
    for (const line of [
      'Decision: Consent given',
      `Date of the decision: ${formatDate(today)}`,
      'Given or refused by: The child or young person Rachel Clarke (Mother, with parental responsibility)',
      'Child’s capacity for this decision: Competent to make this decision',
      'View that prevails: The child or young person’s view',
      'How it was given or refused: In writing',
      `Purposes: ${educationSupport}`,
      'Who it may be shared with: Oakfield Primary School',
      'How it will be shared: In person Secure email',
      'Information: Education Health, including mental health',
      'How long it will be held: Until Amelia’s 25th birthday',
      'Held as: Electronic',
      'When information may be shared without consent: Told',
      'That they may withdraw consent: Told',
      `Review date: ${formatDate(addMonths(today, 12))} (the default for these purposes)`,
      'Expiry date: None',
    ]) {
      expect(answers).toContain(line);
    }
    await checkPage(page, 'consent-check-answers');

    await page.getByRole('button', { name: 'Save consent record' }).click();
    await page.waitForURL(/\/consents\/[0-9a-f-]{36}\?done=recorded$/);
    consentId = new URL(page.url()).pathname.split('/')[2] ?? '';
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Consent record saved.');
    expect(await page.locator('h1').textContent()).toBe('Consent given');
    const details = await summaryText(page);
    expect(details).toContain('Status: Given');
    expect(details).toContain('Recorded by: Priya Sharma');
    expect(details).toContain(
      'Given or refused by: The child or young person Rachel Clarke (Mother, with parental responsibility)',
    );
    expect(details).toContain('Who it may be shared with: Oakfield Primary School');
    await checkPage(page, 'consent-details');

    const covered = await journey.services.consent.check(priyaViewer, {
      personId: ameliaId,
      purposeId: 'education-support',
      recipientOrganisationId: schoolId,
      categoryIds: ['education', 'health'],
      methodId: 'secure-email',
    });
    expect(covered).toEqual({ outcome: 'covered', consentId });
    const saved = await journey.services.consent.find(priyaViewer, consentId);
    expect(saved).toMatchObject({
      givenByChild: true,
      parentCarer: { personId: rachelId, relationship: 'mother' },
      childCapacity: 'competent',
      prevailingView: 'child',
      recipientOrganisationIds: [schoolId],
    });
  });

  it('gives the family a notice, as a page and as a PDF named without the child’s name', async () => {
    await page.getByRole('link', { name: 'Consent notice for the family' }).click();
    await page.waitForURL(`**/consents/${consentId}/notice`);
    expect(await page.locator('h1').textContent()).toBe('What we will share about Amelia, and why');
    expect(await page.locator('main').textContent()).toContain('Oakfield Primary School');
    await checkPage(page, 'consent-notice');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download as PDF' }).click(),
    ]);
    const fileName = download.suggestedFilename();
    expect(fileName).toBe(`consent-notice-${consentId}.pdf`);
    for (const part of ['amelia', 'clarke']) expect(fileName.toLowerCase()).not.toContain(part);
    const downloaded = await fs.readFile(await download.path());
    expect(downloaded.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfText(downloaded)).toContain('What we will share about Amelia, and why');

    const response = await page.request.get(`/consents/${consentId}/notice.pdf`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(response.headers()['content-disposition']).toBe(
      `attachment; filename="consent-notice-${consentId}.pdf"`,
    );
    expect((await response.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('records the mother’s withdrawal by phone, which the register honours at once', async () => {
    await page.goto(`/consents/${consentId}`);
    await page.getByRole('button', { name: 'Record withdrawal' }).click();
    await page.waitForURL(`**/consents/${consentId}/withdraw`);
    expect(await page.locator('h1').textContent()).toBe('Record that consent has been withdrawn');
    await checkPage(page, 'consent-withdraw');

    await fillDate(page, 'When was the withdrawal received?', today);
    await page.getByRole('group', { name: 'How was it received?' }).getByLabel('By telephone').check();
    await page
      .getByRole('group', { name: 'Who withdrew consent?' })
      .getByLabel('The parent or carer')
      .check();
    await page
      .getByLabel('Note (optional)')
      .fill(
        'Rachel Clarke phoned: she no longer wants health information shared with the school. Tell Oakfield Primary School.',
      );
    await page.getByRole('button', { name: 'Record withdrawal' }).click();

    await page.waitForURL(`**/consents/${consentId}?done=withdrawn`);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Withdrawal recorded.');
    const details = await summaryText(page);
    expect(details).toContain('Status: Withdrawn');
    expect(details).toContain(`Received on: ${formatDate(today)}`);
    expect(details).toContain('How it was received: By telephone');
    expect(details).toContain('Withdrawn by: The parent or carer');
    expect(details).toContain('Review by: Not applicable: no longer in force');
    expect(await page.getByRole('button', { name: 'Record withdrawal' }).count()).toBe(0);
    await checkPage(page, 'consent-withdrawn');

    await page.getByRole('link', { name: 'All consent records for Amelia Clarke' }).click();
    await page.waitForURL(`**/people/${ameliaId}/consents`);
    const records = page.getByRole('table', { name: 'Consent records, newest first' });
    expect((await records.getByRole('row').nth(1).textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      `Consent given ${educationSupport} ${formatDate(today)} Not applicable Withdrawn`,
    );
    const timeline = page.locator('.moj-timeline__item');
    expect(await timeline.locator('.moj-timeline__title').allTextContents()).toEqual([
      'Consent withdrawn',
      'Consent given',
    ]);
    expect(await timeline.first().textContent()).toContain('No new sharing decision may rely on it.');
    await checkPage(page, 'consent-history');

    // The family's notice now says the agreement was taken back.
    await page.goto(`/consents/${consentId}/notice`);
    expect(await page.locator('.govuk-warning-text').textContent()).toContain(
      `This agreement was taken back on ${formatDate(today)}.`,
    );
    await checkPage(page, 'consent-notice-withdrawn');

    const withdrawn = await journey.services.consent.check(priyaViewer, {
      personId: ameliaId,
      purposeId: 'education-support',
      recipientOrganisationId: schoolId,
      categoryIds: ['education'],
      methodId: 'secure-email',
    });
    expect(withdrawn).toEqual({ outcome: 'withdrawn', consentId });
  });

  it('shows a line manager the consent reviews falling due in his team, and no one else’s', async () => {
    const { services } = journey;
    // Kacper (16, Priya's) has consent due for review in ten days; Harry's is due too, but he is
    // allocated to a practitioner outside Tom's team.
    const kacperId = await services.people.register(
      systemActor,
      organisationId,
      personDetails('Kacper', 'Nowak', addMonths(today, -16 * 12)),
      { allocateTo: priya.id },
    );
    const dueOn = addDays(today, 10);
    const dueConsentId = await services.consent.record(
      priyaViewer,
      kacperId,
      givenByYoungPerson('early-help', addMonths(today, -11), dueOn),
    );
    const ben = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Ben Carter');
    const harryId = await services.people.register(
      systemActor,
      organisationId,
      personDetails('Harry', 'Evans', addMonths(today, -15 * 12)),
      { allocateTo: ben.id },
    );
    await services.consent.record(
      viewerOf(ben, 'Ben Carter', ['practitioner']),
      harryId,
      givenByYoungPerson('early-help', addMonths(today, -11), addDays(today, 5)),
    );

    const managerPage = await journey.newPage();
    await signInThroughPages(managerPage, tom);
    await managerPage
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Consent reviews' })
      .click();
    await managerPage.waitForURL('**/consents/reviews');
    expect((await managerPage.locator('main').textContent())?.replace(/\s+/g, ' ')).toContain(
      'Consent records of the people allocated to you and to the staff you manage whose review is overdue or due in the next 30 days.',
    );
    expect(await managerPage.locator('main').textContent()).toContain('No consent reviews are overdue.');
    const dueSoon = managerPage.getByRole('table', { name: 'Due in the next 30 days (1)' });
    const rows = await dueSoon.getByRole('row').allTextContents();
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'Person Record Purposes Review by',
      `Kacper Nowak Consent given for Kacper Nowak Early help assessment and support ${formatDate(dueOn)}`,
    ]);
    await checkPage(managerPage, 'consent-reviews-manager');

    await dueSoon.getByRole('link', { name: 'Consent given for Kacper Nowak' }).click();
    await managerPage.waitForURL(`**/consents/${dueConsentId}`);
    expect(await summaryText(managerPage)).toContain(`Review by: ${formatDate(dueOn)}`);
    expect(await managerPage.getByRole('button', { name: 'Review consent' }).count()).toBe(1);
    await checkPage(managerPage, 'consent-review-due-manager');
  });
});
