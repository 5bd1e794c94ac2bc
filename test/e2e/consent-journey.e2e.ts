import fs from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays, addMonths, londonToday } from '../../src/consent/consent.record.ts';
import type { ConsentAnswers } from '../../src/consent/consent.schema.ts';
import { isValidNhsNumber, testNhsNumbers } from '../../src/lib/nhs-number.ts';
import type { PersonDetails } from '../../src/people/index.ts';
import { formatDate } from '../../src/lib/time.ts';
import { pdfText } from '../support/pdf-text.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import {
  ConsentCheckPage,
  ConsentListPage,
  ConsentNewPage,
  ConsentNoticePage,
  ConsentReviewsPage,
  ConsentShowPage,
  ConsentWithdrawPage,
} from './pages/consent.page.ts';
import { PeoplePage, PersonRecordPage } from './pages/people.page.ts';
import { signIn } from './pages/sign-in.page.ts';

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
    const home = await signIn(page, priya);

    await home.navigateTo('People');
    await page.waitForURL('**/people');
    const people = await PeoplePage.verifyOnPage(page);
    await people.search('Amelia Clark');
    await page.waitForURL('**/people/search');
    const results = people.openableResults;
    await expect.poll(() => results.getByRole('link').allTextContents()).toEqual(['Clarke, Amelia']);
    await people.check('consent-search');

    await results.getByRole('link', { name: 'Clarke, Amelia' }).click();
    await page.waitForURL(`**/people/${ameliaId}`);
    const record = await PersonRecordPage.verifyOnPage(page, 'Amelia Clarke');
    expect((await record.familyMembers())[1]).toBe('Rachel Clarke Mother Yes');
    await record.check('person-record');

    await record.clickLink('Consent records');
    await page.waitForURL(`**/people/${ameliaId}/consents`);
    const list = await ConsentListPage.verifyOnPage(page);
    expect(await list.mainText()).toContain('No consent has been recorded for this person yet.');
    await list.check('consent-list');

    await list.clickButton('Record consent');
    await page.waitForURL(`**/people/${ameliaId}/consents/new`);
    const form = await ConsentNewPage.verifyOnPage(page);
    await form.check('consent-new');

    // 1. The decision.
    await form.choose('Was consent given, refused or not sought?', 'Consent given');
    await form.fillDate('Date of the decision', today);
    // 2. Who gave it: Amelia, competent for this decision, and her mother.
    await form.choose('Who gave or refused consent?', 'The child or young person', { exact: false });
    await form.choose('Who gave or refused consent?', 'A parent or carer with parental responsibility', {
      exact: false,
    });
    await form.choose('Which parent or carer?', 'Rachel Clarke (Mother)', { exact: false });
    await form.choose(
      'Is the child or young person competent to make this decision?',
      'Competent to make this decision',
    );
    await page
      .getByRole('textbox', { name: 'The child or young person’s view' })
      .fill(
        'Amelia wants her teachers to know so that she can get help with reading. She is happy for her mum to be involved.',
      );
    await form.choose('Whose view prevails?', 'The child or young person’s view', { exact: false });
    // 4. What it covers.
    await form.choose('Purposes', educationSupport, { exact: false });
    await page
      .getByLabel('How the information will be used')
      .fill(
        'To agree reading support with Oakfield Primary School and review it at her school support plan meetings.',
      );
    await form.choose('Organisations it may be shared with', 'Oakfield Primary School', { exact: false });
    await form.choose('How it will be shared', 'Secure email', { exact: false });
    await form.choose('How it will be shared', 'In person', { exact: false });
    await form.choose('Information that may be shared', 'Education');
    await form.choose('Information that may be shared', 'Health, including mental health', { exact: false });
    await page.getByLabel('How long it will be held').fill('Until Amelia’s 25th birthday');
    await form.choose('The form it will be held in', 'Electronic');
    // 5. What they were told; 6. how it was given.
    await form.choose('Were they told when information may be shared without their consent?', 'Yes', {
      exact: false,
    });
    await form.choose('Were they told they may withdraw consent at any time?', 'Yes', { exact: false });
    await form.choose('How was consent given or refused?', 'In writing', { exact: false });
    await page.getByLabel('Evidence (optional)').fill('Signed consent form scanned to the case file.');
    await form.clickButton('Continue');

    await page.waitForURL(`**/people/${ameliaId}/consents/new/check`);
    const check = await ConsentCheckPage.verifyOnPage(page);
    const answers = await check.summaryLines();
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
    await check.check('consent-check-answers');

    await check.save();
    await page.waitForURL(/\/consents\/[0-9a-f-]{36}\?done=recorded$/);
    consentId = new URL(page.url()).pathname.split('/')[2] ?? '';
    const saved = await ConsentShowPage.verifyOnPage(page, 'Consent given');
    expect(await saved.successBannerText()).toContain('Consent record saved.');
    const details = await saved.summaryLines();
    expect(details).toContain('Status: Given');
    expect(details).toContain('Recorded by: Priya Sharma');
    expect(details).toContain(
      'Given or refused by: The child or young person Rachel Clarke (Mother, with parental responsibility)',
    );
    expect(details).toContain('Who it may be shared with: Oakfield Primary School');
    await saved.check('consent-details');

    const covered = await journey.services.consent.check(priyaViewer, {
      personId: ameliaId,
      purposeId: 'education-support',
      recipientOrganisationId: schoolId,
      categoryIds: ['education', 'health'],
      methodId: 'secure-email',
    });
    expect(covered).toEqual({ outcome: 'covered', consentId });
    const stored = await journey.services.consent.find(priyaViewer, consentId);
    expect(stored).toMatchObject({
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
    const notice = await ConsentNoticePage.verifyOnPage(page, 'Amelia');
    expect(await notice.mainText()).toContain('Oakfield Primary School');
    await notice.check('consent-notice');

    const download = await notice.downloadPdf();
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
    await (await ConsentShowPage.verifyOnPage(page, 'Consent given')).clickButton('Record withdrawal');
    await page.waitForURL(`**/consents/${consentId}/withdraw`);
    const withdraw = await ConsentWithdrawPage.verifyOnPage(page);
    await withdraw.check('consent-withdraw');

    await withdraw.fillDate('When was the withdrawal received?', today);
    await withdraw.choose('How was it received?', 'By telephone', { exact: false });
    await withdraw.choose('Who withdrew consent?', 'The parent or carer', { exact: false });
    await page
      .getByLabel('Note (optional)')
      .fill(
        'Rachel Clarke phoned: she no longer wants health information shared with the school. Tell Oakfield Primary School.',
      );
    await withdraw.clickButton('Record withdrawal');

    await page.waitForURL(`**/consents/${consentId}?done=withdrawn`);
    const withdrawn = await ConsentShowPage.verifyOnPage(page, 'Consent given');
    expect(await withdrawn.successBannerText()).toContain('Withdrawal recorded.');
    const details = await withdrawn.summaryLines();
    expect(details).toContain('Status: Withdrawn');
    expect(details).toContain(`Received on: ${formatDate(today)}`);
    expect(details).toContain('How it was received: By telephone');
    expect(details).toContain('Withdrawn by: The parent or carer');
    expect(details).toContain('Review by: Not applicable: no longer in force');
    expect(await page.getByRole('button', { name: 'Record withdrawal' }).count()).toBe(0);
    await withdrawn.check('consent-withdrawn');

    await withdrawn.clickLink('All consent records for Amelia Clarke');
    await page.waitForURL(`**/people/${ameliaId}/consents`);
    const list = await ConsentListPage.verifyOnPage(page);
    expect((await list.records())[1]).toBe(
      `Consent given ${educationSupport} ${formatDate(today)} Not applicable Withdrawn`,
    );
    expect(await list.historyEntries()).toEqual(['Consent withdrawn', 'Consent given']);
    expect(await list.historyEntrySaying('No new sharing decision may rely on it.')).toBe(
      'Consent withdrawn',
    );
    await list.check('consent-history');

    // The family's notice now says the agreement was taken back.
    await page.goto(`/consents/${consentId}/notice`);
    const notice = await ConsentNoticePage.verifyOnPage(page, 'Amelia');
    expect(await page.getByText(`This agreement was taken back on ${formatDate(today)}.`).isVisible()).toBe(
      true,
    );
    await notice.check('consent-notice-withdrawn');

    const register = await journey.services.consent.check(priyaViewer, {
      personId: ameliaId,
      purposeId: 'education-support',
      recipientOrganisationId: schoolId,
      categoryIds: ['education'],
      methodId: 'secure-email',
    });
    expect(register).toEqual({ outcome: 'withdrawn', consentId });
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
    await (await signIn(managerPage, tom)).navigateTo('Consent reviews');
    await managerPage.waitForURL('**/consents/reviews');
    const reviews = await ConsentReviewsPage.verifyOnPage(managerPage);
    const text = await reviews.mainText();
    expect(text).toContain(
      'Consent records of the people allocated to you and to the staff you manage whose review is overdue or due in the next 30 days.',
    );
    expect(text).toContain('No consent reviews are overdue.');
    const dueSoon = managerPage.getByRole('table', { name: 'Due in the next 30 days (1)' });
    expect(await reviews.tableRows('Due in the next 30 days (1)')).toEqual([
      'Person Record Purposes Review by',
      `Kacper Nowak Consent given for Kacper Nowak Early help assessment and support ${formatDate(dueOn)}`,
    ]);
    await reviews.check('consent-reviews-manager');

    await dueSoon.getByRole('link', { name: 'Consent given for Kacper Nowak' }).click();
    await managerPage.waitForURL(`**/consents/${dueConsentId}`);
    const due = await ConsentShowPage.verifyOnPage(managerPage, 'Consent given');
    expect(await due.summaryLines()).toContain(`Review by: ${formatDate(dueOn)}`);
    expect(await managerPage.getByRole('button', { name: 'Review consent' }).count()).toBe(1);
    await due.check('consent-review-due-manager');
  });
});
