import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { londonToday } from '../../src/lib/time.ts';
import { isValidNhsNumber, testNhsNumbers } from '../../src/lib/nhs-number.ts';
import type { PersonDetails } from '../../src/people/index.ts';
import { givenConsentAnswers } from '../support/consent-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import { measureEffort, type Effort } from './effort.ts';
import { PersonRecordPage, PersonSharingHistoryPage } from './pages/people.page.ts';
import {
  MyDecisionsPage,
  RecordSheetPage,
  SharingCheckPage,
  SharingConfirmationPage,
  SharingOverviewPage,
  SharingQuestionPage,
  type SharingQuestion,
} from './pages/sharing.page.ts';
import { signIn } from './pages/sign-in.page.ts';

const organisationName = 'Swindon Borough Council';

let journey: Journey;
let organisationId: string;
let schoolId: string;
let priya: JourneyStaff;
let priyaViewer: Viewer;
let ameliaId: string;
let leoId: string;
let today: string;

/** Test-range NHS numbers (999 000 0000 to 999 999 9999): never a real person's. */
const nhsNumbers = testNhsNumbers(314_159);

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
  await services.orgs.create(systemActor, {
    name: 'Wiltshire Police',
    kind: 'police',
    switchboardPhone: '01380735735',
    hosted: false,
  });
  priya = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
  priyaViewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId,
    organisationName,
    roles: ['practitioner'],
  };

  // Amelia (9) has an EHC plan; her mother Rachel has a criminal record, which is not the school's business.
  ameliaId = await services.people.register(
    systemActor,
    organisationId,
    personDetails('Amelia', 'Clarke', '2017-03-14'),
    { allocateTo: priya.id },
  );
  await services.people.addRelative(priyaViewer, ameliaId, {
    kind: 'new',
    details: personDetails('Rachel', 'Clarke', '1988-06-14'),
    relationship: 'mother',
    parentalResponsibility: true,
  });
  // Consent, recorded through the consent register, covers the school, and education and health information.
  await services.consent.record(
    priyaViewer,
    ameliaId,
    givenConsentAnswers({
      givenOn: today,
      givenByChild: false,
      childCapacity: 'not_competent',
      prevailingView: 'parent_carer',
      parentCarerId: (await services.people.relatives(priyaViewer, ameliaId))[0]?.person.id ?? null,
      childView: 'Amelia likes her teaching assistant helping her with talking and listening.',
      purposeIds: ['education-support'],
      recipientOrganisationIds: [schoolId],
      recipientRoles: [],
      categoryIds: ['education', 'health'],
    }),
  );
  leoId = await services.people.register(
    systemActor,
    organisationId,
    personDetails('Leo', 'Marsh', '2015-01-20'),
    { allocateTo: priya.id },
  );
});

describe('sharing decisions: the seven golden rules as a guided, recorded decision', () => {
  // One sign-in for both journeys: a one-time code is never accepted twice.
  let page: Page;
  let effort: Effort;
  beforeAll(async () => {
    page = await journey.newPage();
    effort = await measureEffort(page);
    await signIn(page, priya);
  });

  it('shares education and health information with a school, withholding a parent’s criminal record, in six question pages', async () => {
    const questionPages: string[] = [];
    const question = async (slug: SharingQuestion) => {
      const questionPage = await SharingQuestionPage.verifyOnPage(page, slug);
      questionPages.push(slug);
      await questionPage.check(`sharing-${slug}`);
      return questionPage;
    };

    const record = await PersonRecordPage.open(page, ameliaId, 'Amelia Clarke');
    await record.check('sharing-person-record');
    await effort.start();
    await record.makeSharingDecision();

    // 1. The request: the school's SENCo telephoned.
    const request = await question('request');
    await request.choose('Who asked for the information?', 'Someone from another organisation', {
      exact: false,
    });
    await page.getByLabel('Their name').fill('Rebecca Sutton');
    await page.getByLabel('Their role (optional)').fill('Special educational needs coordinator');
    await page.getByLabel('Their organisation').selectOption({ label: 'Oakfield Primary School' });
    await request.choose('How did they ask?', 'Telephone call', { exact: false });
    // The date the request was received is already today.
    expect(await request.question('When was the request received?').getByLabel('Year').inputValue()).toBe(
      today.slice(0, 4),
    );
    await request.choose('What is the purpose of sharing?', 'Education support, including an EHC plan', {
      exact: false,
    });
    await page
      .getByLabel('What was asked for?')
      .fill(
        'The school is reviewing Amelia’s EHC plan and asks for the latest health and education information.',
      );
    await request.saveAndContinue();

    // 2. The people: Amelia is already there, from her record.
    const people = await question('people');
    expect(
      await page.getByRole('table', { name: 'People the information is about' }).textContent(),
    ).toContain('Amelia Clarke');
    // Nothing is pre-selected until the practitioner answers.
    const transfer = people.question('Will the information be transferred between IT systems?');
    expect(await transfer.getByLabel('No', { exact: true }).isChecked()).toBe(false);
    expect(await transfer.getByLabel('Yes', { exact: true }).isChecked()).toBe(false);
    await people.choose('Will the information be transferred between IT systems?', 'No');
    await people.saveAndContinue();

    // 3. The recipient: the SENCo, filled in from the request.
    const recipients = await question('recipients');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Rebecca Sutton');
    await page
      .getByLabel('Why do they need the information?')
      .fill(
        'She coordinates the annual review of Amelia’s EHC plan and needs her current needs and provision.',
      );
    await recipients.saveAndContinue();

    // 4. The information: education and health shared, the mother's criminal record withheld.
    const information = await question('information');
    await information.choose('What information will you share?', 'Education');
    await page
      .getByLabel('How is “Education” relevant to the purpose?')
      .fill('Her attainment and the support in place, for the plan review.');
    await information.choose('What information will you share?', 'Health, including mental health');
    await page
      .getByLabel('How is “Health, including mental health” relevant to the purpose?')
      .fill('Her speech and language needs, named in section C of the plan.');
    await information.choose(
      'What information do you hold but will not share?',
      "A parent's or carer's criminal record",
      { exact: false },
    );
    await information.choose(
      /identify anyone who could be harmed/,
      'No: it identifies nobody who could be harmed',
      { exact: false },
    );
    for (const principle of [
      'Necessary',
      'Proportionate',
      'Relevant',
      'Adequate',
      'Accurate',
      'Timely',
      'Secure',
    ])
      await information.choose('Confirm the information you will share is:', principle);
    await information.saveAndContinue();

    // 5. The lawful basis: the register shows consent covering the share; consent is already chosen.
    const lawfulBasis = await question('lawful-basis');
    expect(await lawfulBasis.summaryLines()).toContain('Consent in place that covers this share');
    expect(
      await lawfulBasis
        .question('The common-law duty of confidence')
        .getByLabel('Consent', { exact: true })
        .isChecked(),
    ).toBe(true);
    await lawfulBasis.choose(
      'Data protection basis (UK GDPR Article 6)',
      'Public task (UK GDPR Article 6(1)(e))',
      { exact: false },
    );
    await lawfulBasis.choose(
      'Condition for special category information (Article 9)',
      'Health or social care (Article 9(2)(h))',
      { exact: false },
    );
    // Article 9(2)(h) brings Schedule 1 paragraph 2 with it: it is not chosen again.
    await lawfulBasis.saveAndContinue();

    // 6. The decision: told, safe, and shared in part.
    const decision = await question('decision');
    await decision.choose('Have you told the person or family?', 'Yes');
    await page
      .getByLabel('What did you tell them?')
      .fill(
        'Rachel was told on the phone that the plan review needs the latest health and education reports, sent to the SENCo.',
      );
    await page
      .getByLabel('How does your decision affect the safety and well-being of the child and others?')
      .fill('Sharing helps the school meet Amelia’s speech and language needs.');
    await page
      .getByLabel('What is the risk of sharing?')
      .fill('Low: the school already holds the plan, and her mother’s history is withheld.');
    await page
      .getByLabel('What is the risk of not sharing?')
      .fill('The review would go ahead without her current needs, and support could be cut.');
    await decision.choose('What have you decided?', 'Share in part', { exact: false });
    await page
      .getByLabel('Your reasons')
      .fill(
        'Education and health information is needed for the review; her mother’s criminal record is not relevant to it.',
      );
    await decision.saveAndContinue();

    const check = await SharingCheckPage.verifyOnPage(page);
    const answers = await check.summaryLines();
    for (const line of [
      'Who asked: Rebecca Sutton Special educational needs coordinator Oakfield Primary School',
      'Purpose: Education support, including an EHC plan',
      'People: Amelia Clarke, born 14 March 2017',
      "Withheld: A parent's or carer's criminal record",
      'Schedule 1 condition: Health or social care purposes (paragraph 2)',
      'Common-law position: Consent',
      'Consent: Amelia Clarke: Consent in place that covers this share',
      'Decision: Share in part',
    ]) {
      expect(answers).toContain(line);
    }
    await check.check('sharing-check-answers');
    await check.recordDecision();

    const confirmation = await SharingConfirmationPage.verifyOnPage(page);
    expect(questionPages).toEqual([
      'request',
      'people',
      'recipients',
      'information',
      'lawful-basis',
      'decision',
    ]);
    // What the full journey costs, to set beside the routine path's (test/e2e/routine-share.e2e.ts).
    const spent = await effort.read();
    console.info(
      `full decision, record to recorded: ${String(spent.pages)} pages, ${String(spent.typed)} characters typed`,
    );
    const reference = await confirmation.reference();
    expect(reference).toMatch(/^SD-\d{7}$/);
    expect(await confirmation.heading.innerText()).toContain('Decision recorded');
    await confirmation.check('sharing-confirmation');

    await confirmation.clickLink('View and print the decision record sheet');
    const recordSheet = await RecordSheetPage.verifyOnPage(page, reference);
    const sheet = await recordSheet.summaryLines();
    for (const line of [
      'Status: Recorded',
      'Decision: Share in part',
      'Recorded by: Priya Sharma',
      `Policy: ${journey.services.policy.name}, version ${journey.services.policy.version}`,
      'Shared: Education: Her attainment and the support in place, for the plan review. Health, including mental health: Her speech and language needs, named in section C of the plan.',
      'Amelia Clarke: Consent in place that covers this share.',
      'Special category information: Yes',
    ]) {
      expect(sheet).toContain(line);
    }
    await recordSheet.check('sharing-record-sheet');
    // Printed, it is the record alone.
    await page.emulateMedia({ media: 'print' });
    expect(await recordSheet.mainNavigation.isVisible()).toBe(false);
    expect(await recordSheet.heading.isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    const view = await journey.services.sharing.open(
      priyaViewer,
      new URL(page.url()).pathname.split('/')[2] ?? '',
    );
    expect(view.status).toBe('recorded');
    expect(view.answers.information?.withheld).toEqual(['parent-criminal-record']);
    expect(view.recorded?.consent.map((finding) => finding.outcome)).toEqual(['covered']);
  });

  it('records a decision not to share a request it cannot verify, with its reasons', async () => {
    await (await PersonRecordPage.open(page, leoId, 'Leo Marsh')).makeSharingDecision();

    const request = await SharingQuestionPage.verifyOnPage(page, 'request');
    await request.choose('Who asked for the information?', 'Someone from another organisation', {
      exact: false,
    });
    await page.getByLabel('Their name').fill('Mark Evans');
    await page.getByLabel('Their role (optional)').fill('Says he is a detective constable');
    await page.getByLabel('Their organisation').selectOption({ label: 'Wiltshire Police' });
    await request.choose('How did they ask?', 'Telephone call', { exact: false });
    await request.choose('What is the purpose of sharing?', 'Multi-agency safeguarding', { exact: false });
    await page
      .getByLabel('What was asked for?')
      .fill('A caller asked for Leo’s address history and school; he would not give a call-back number.');
    await request.saveAndContinue();

    const people = await SharingQuestionPage.verifyOnPage(page, 'people');
    await people.choose('Will the information be transferred between IT systems?', 'No');
    await people.saveAndContinue();

    // Not sharing: the recipients, information and lawful basis are not needed.
    await (await SharingQuestionPage.verifyOnPage(page, 'recipients')).clickLink('go to your decision');
    const decision = await SharingQuestionPage.verifyOnPage(page, 'decision');
    await decision.choose('Have you told the person or family?', 'No');
    await page
      .getByLabel('Why have you not told them?')
      .fill('Telling the family about an unverified enquiry could cause needless alarm.');
    await page
      .getByLabel('How does your decision affect the safety and well-being of the child and others?')
      .fill('Giving a child’s address to an unverified caller could put him at risk.');
    await page.getByLabel('What is the risk of sharing?').fill('The caller may not be who he says.');
    await page
      .getByLabel('What is the risk of not sharing?')
      .fill('Low: a genuine officer can ask again through the police’s secure channel.');
    await decision.choose('What have you decided?', 'Do not share', { exact: false });
    await decision.choose(
      'Why are you not sharing?',
      'The identity or authority of the person asking could not be verified',
      { exact: false },
    );
    await page
      .getByLabel('Your reasons')
      .fill(
        'The caller’s identity could not be checked; he was told to ask through the police’s secure channel.',
      );
    await decision.check('sharing-decision-not-share');
    await decision.saveAndContinue();

    const check = await SharingCheckPage.verifyOnPage(page);
    const answers = await check.summaryLines();
    expect(answers).toContain('Decision: Do not share');
    expect(answers).toContain(
      'Why you are not sharing: The identity or authority of the person asking could not be verified',
    );
    expect(await check.mainText()).not.toContain('Who will receive it');
    await check.check('sharing-check-answers-not-share');
    await check.recordDecision();

    const confirmation = await SharingConfirmationPage.verifyOnPage(page);
    expect(await confirmation.mainText()).toContain('Tell the person who asked that you are not sharing');
    await confirmation.check('sharing-confirmation-not-share');

    await confirmation.clickLink('Go to the decision');
    await page.waitForURL(new RegExp(`/decisions/[0-9a-f-]{36}$`));
    const overview = await SharingOverviewPage.verifyOnPage(page);
    expect(await overview.task('Who will receive it').textContent()).toContain('Not needed');
    await overview.check('sharing-overview-recorded');

    await overview.navigateTo('Sharing decisions');
    const mine = await MyDecisionsPage.verifyOnPage(page);
    expect(await page.getByRole('table', { name: /^Recently recorded \(\d+\)$/ }).textContent()).toContain(
      'Do not share',
    );
    await mine.check('sharing-my-decisions');

    await (await PersonRecordPage.open(page, leoId, 'Leo Marsh')).openSharingHistory();
    await page.waitForURL(`**/people/${leoId}/sharing`);
    const history = await PersonSharingHistoryPage.verifyOnPage(page);
    const rows = await history.tableRows('Sharing decisions, newest first');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('Multi-agency safeguarding Do not share Priya Sharma');
    await history.check('sharing-person-history');
  });
});
