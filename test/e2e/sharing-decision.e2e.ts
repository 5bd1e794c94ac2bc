import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { londonToday } from '../../src/lib/time.ts';
import { isValidNhsNumber, testNhsNumbers, type PersonDetails } from '../../src/people/index.ts';
import { givenConsentAnswers } from '../support/consent-fixtures.ts';
import {
  checkPage,
  createJourneyStaff,
  startJourney,
  type Journey,
  type JourneyStaff,
  signInThroughPages,
} from './e2e-harness.ts';

const organisationName = 'Swindon Borough Council';
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

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

/** The rows of the page's summary lists, as "key: value" lines with whitespace collapsed. */
async function summaryText(page: Page): Promise<string> {
  const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();
  const rows = await page.locator('.govuk-summary-list__row').all();
  const lines: string[] = [];
  for (const row of rows)
    lines.push(
      `${tidy(await row.locator('.govuk-summary-list__key').innerText())}: ${tidy(await row.locator('.govuk-summary-list__value').innerText())}`,
    );
  return lines.join('\n');
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
  beforeAll(async () => {
    page = await journey.newPage();
    await signInThroughPages(page, priya);
  });

  it('shares education and health information with a school, withholding a parent’s criminal record, in six question pages', async () => {
    const questionPages: string[] = [];
    const question = async (slug: string, title: string) => {
      await page.waitForURL(new RegExp(`/decisions/${uuid}/${slug}$`));
      expect(await page.locator('h1').textContent()).toBe(title);
      questionPages.push(slug);
      await checkPage(page, `sharing-${slug}`);
    };

    await page.goto(`/people/${ameliaId}`);
    await checkPage(page, 'sharing-person-record');
    await page.getByRole('button', { name: 'Make a sharing decision' }).click();

    // 1. The request: the school's SENCo telephoned.
    await question('request', 'About the request');
    await page
      .getByRole('group', { name: 'Who asked for the information?' })
      .getByLabel('Someone from another organisation')
      .check();
    await page.getByLabel('Their name').fill('Rebecca Sutton');
    await page.getByLabel('Their role (optional)').fill('Special educational needs coordinator');
    await page.getByLabel('Their organisation').selectOption({ label: 'Oakfield Primary School' });
    await page.getByRole('group', { name: 'How did they ask?' }).getByLabel('Telephone call').check();
    // The date the request was received is already today.
    expect(
      await page
        .getByRole('group', { name: 'When was the request received?' })
        .getByLabel('Year')
        .inputValue(),
    ).toBe(today.slice(0, 4));
    await page
      .getByRole('group', { name: 'What is the purpose of sharing?' })
      .getByLabel('Education support, including an EHC plan')
      .check();
    await page
      .getByLabel('What was asked for?')
      .fill(
        'The school is reviewing Amelia’s EHC plan and asks for the latest health and education information.',
      );
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // 2. The people: Amelia is already there, from her record.
    await question('people', 'Who the information is about');
    expect(
      await page.getByRole('table', { name: 'People the information is about' }).textContent(),
    ).toContain('Amelia Clarke');
    await page
      .getByRole('group', { name: 'Will the information be transferred between IT systems?' })
      .getByLabel('No', { exact: true })
      .check();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // 3. The recipient: the SENCo, filled in from the request.
    await question('recipients', 'Who will receive it');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Rebecca Sutton');
    await page
      .getByLabel('Why do they need the information?')
      .fill(
        'She coordinates the annual review of Amelia’s EHC plan and needs her current needs and provision.',
      );
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // 4. The information: education and health shared, the mother's criminal record withheld.
    await question('information', 'What will be shared');
    const shared = page.getByRole('group', { name: 'What information will you share?' });
    await shared.getByLabel('Education', { exact: true }).check();
    await page
      .getByLabel('How is “Education” relevant to the purpose?')
      .fill('Her attainment and the support in place, for the plan review.');
    await shared.getByLabel('Health, including mental health', { exact: true }).check();
    await page
      .getByLabel('How is “Health, including mental health” relevant to the purpose?')
      .fill('Her speech and language needs, named in section C of the plan.');
    await page
      .getByRole('group', { name: 'What information do you hold but will not share?' })
      .getByLabel("A parent's or carer's criminal record")
      .check();
    await page
      .getByRole('group', { name: /identify anyone who could be harmed/ })
      .getByLabel('No: it identifies nobody who could be harmed')
      .check();
    const principles = page.getByRole('group', { name: 'Confirm the information you will share is:' });
    for (const principle of [
      'Necessary',
      'Proportionate',
      'Relevant',
      'Adequate',
      'Accurate',
      'Timely',
      'Secure',
    ])
      await principles.getByLabel(principle, { exact: true }).check();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // 5. The lawful basis: the register shows consent covering the share; consent is already chosen.
    await question('lawful-basis', 'Lawful basis and consent');
    expect(await page.locator('.govuk-summary-list').first().textContent()).toContain(
      'Consent in place that covers this share',
    );
    expect(
      await page
        .getByRole('group', { name: 'The common-law duty of confidence' })
        .getByLabel('Consent', { exact: true })
        .isChecked(),
    ).toBe(true);
    await page
      .getByRole('group', { name: 'Data protection basis (UK GDPR Article 6)' })
      .getByLabel('Public task (UK GDPR Article 6(1)(e))')
      .check();
    await page
      .getByRole('group', { name: 'Condition for special category information (Article 9)' })
      .getByLabel('Health or social care (Article 9(2)(h))')
      .check();
    await page
      .getByRole('group', { name: 'Data Protection Act 2018 Schedule 1 condition' })
      .getByLabel('Health or social care purposes (paragraph 2)')
      .check();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // 6. The decision: told, safe, and shared in part.
    await question('decision', 'Your decision');
    await page
      .getByRole('group', { name: 'Have you told the person or family?' })
      .getByLabel('Yes', { exact: true })
      .check();
    await page
      .getByLabel('If you told them, what did you tell them?')
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
    await page.getByRole('group', { name: 'What have you decided?' }).getByLabel('Share in part').check();
    await page
      .getByLabel('Your reasons')
      .fill(
        'Education and health information is needed for the review; her mother’s criminal record is not relevant to it.',
      );
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/check-your-answers$`));
    const answers = await summaryText(page);
    for (const line of [
      'Who asked: Rebecca Sutton Special educational needs coordinator Oakfield Primary School',
      'Purpose: Education support, including an EHC plan',
      'People: Amelia Clarke, born 14 March 2017',
      "Withheld: A parent's or carer's criminal record",
      'Common-law position: Consent',
      'Consent: Amelia Clarke: Consent in place that covers this share',
      'Decision: Share in part',
    ]) {
      expect(answers).toContain(line);
    }
    await checkPage(page, 'sharing-check-answers');
    await page.getByRole('button', { name: 'Record decision' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/confirmation$`));
    expect(questionPages).toEqual([
      'request',
      'people',
      'recipients',
      'information',
      'lawful-basis',
      'decision',
    ]);
    const reference = (await page.locator('.govuk-panel__body strong').textContent()) ?? '';
    expect(reference).toMatch(/^SD-\d{7}$/);
    expect(await page.locator('.govuk-panel__title').textContent()).toContain('Decision recorded');
    await checkPage(page, 'sharing-confirmation');

    await page.getByRole('link', { name: 'View and print the decision record sheet' }).click();
    await page.waitForURL(new RegExp(`/decisions/${uuid}/record-sheet$`));
    expect(await page.locator('h1').textContent()).toBe(`Sharing decision record ${reference}`);
    const sheet = await summaryText(page);
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
    await checkPage(page, 'sharing-record-sheet');
    // Printed, it is the record alone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.govuk-service-navigation').isVisible()).toBe(false);
    expect(await page.locator('h1').isVisible()).toBe(true);
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
    await page.goto(`/people/${leoId}`);
    await page.getByRole('button', { name: 'Make a sharing decision' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/request$`));
    await page
      .getByRole('group', { name: 'Who asked for the information?' })
      .getByLabel('Someone from another organisation')
      .check();
    await page.getByLabel('Their name').fill('Mark Evans');
    await page.getByLabel('Their role (optional)').fill('Says he is a detective constable');
    await page.getByLabel('Their organisation').selectOption({ label: 'Wiltshire Police' });
    await page.getByRole('group', { name: 'How did they ask?' }).getByLabel('Telephone call').check();
    await page
      .getByRole('group', { name: 'What is the purpose of sharing?' })
      .getByLabel('Multi-agency safeguarding')
      .check();
    await page
      .getByLabel('What was asked for?')
      .fill('A caller asked for Leo’s address history and school; he would not give a call-back number.');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/people$`));
    await page
      .getByRole('group', { name: 'Will the information be transferred between IT systems?' })
      .getByLabel('No', { exact: true })
      .check();
    await page.getByRole('button', { name: 'Save and continue' }).click();

    // Not sharing: the recipients, information and lawful basis are not needed.
    await page.waitForURL(new RegExp(`/decisions/${uuid}/recipients$`));
    await page.getByRole('link', { name: 'go to your decision' }).click();
    await page.waitForURL(new RegExp(`/decisions/${uuid}/decision$`));
    await page
      .getByRole('group', { name: 'Have you told the person or family?' })
      .getByLabel('No', { exact: true })
      .check();
    await page
      .getByLabel('If you have not told them, why not?')
      .fill('Telling the family about an unverified enquiry could cause needless alarm.');
    await page
      .getByLabel('How does your decision affect the safety and well-being of the child and others?')
      .fill('Giving a child’s address to an unverified caller could put him at risk.');
    await page.getByLabel('What is the risk of sharing?').fill('The caller may not be who he says.');
    await page
      .getByLabel('What is the risk of not sharing?')
      .fill('Low: a genuine officer can ask again through the police’s secure channel.');
    await page.getByRole('group', { name: 'What have you decided?' }).getByLabel('Do not share').check();
    const reasons = page.getByRole('group', { name: 'If you are not sharing, why not?' });
    await reasons.getByLabel('The identity or authority of the person asking could not be verified').check();
    await page
      .getByLabel('Your reasons')
      .fill(
        'The caller’s identity could not be checked; he was told to ask through the police’s secure channel.',
      );
    await checkPage(page, 'sharing-decision-not-share');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/check-your-answers$`));
    const answers = await summaryText(page);
    expect(answers).toContain('Decision: Do not share');
    expect(answers).toContain(
      'Why you are not sharing: The identity or authority of the person asking could not be verified',
    );
    expect(await page.locator('main').textContent()).not.toContain('Who will receive it');
    await checkPage(page, 'sharing-check-answers-not-share');
    await page.getByRole('button', { name: 'Record decision' }).click();

    await page.waitForURL(new RegExp(`/decisions/${uuid}/confirmation$`));
    expect(await page.locator('main').textContent()).toContain(
      'Tell the person who asked that you are not sharing',
    );
    await checkPage(page, 'sharing-confirmation-not-share');

    await page.getByRole('link', { name: 'Go to the decision' }).click();
    await page.waitForURL(new RegExp(`/decisions/${uuid}$`));
    expect(
      await page.locator('.govuk-task-list__item').filter({ hasText: 'Who will receive it' }).textContent(),
    ).toContain('Not needed');
    await checkPage(page, 'sharing-overview-recorded');

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Sharing decisions' })
      .click();
    await page.waitForURL('**/decisions');
    expect(await page.getByRole('table', { name: /^Recently recorded \(\d+\)$/ }).textContent()).toContain(
      'Do not share',
    );
    await checkPage(page, 'sharing-my-decisions');

    await page.goto(`/people/${leoId}`);
    await page.getByRole('main').getByRole('link', { name: 'Sharing decisions', exact: true }).click();
    await page.waitForURL(`**/people/${leoId}/sharing`);
    const history = await page
      .getByRole('table', { name: 'Sharing decisions, newest first' })
      .getByRole('row')
      .allTextContents();
    expect(history).toHaveLength(2);
    expect(history[1]?.replace(/\s+/g, ' ')).toContain('Multi-agency safeguarding Do not share Priya Sharma');
    await checkPage(page, 'sharing-person-history');
  });
});
