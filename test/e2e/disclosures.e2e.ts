import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import type { DecisionAnswers } from '../../src/sharing/index.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import {
  DisclosureChecklistPage,
  DisclosureNewPage,
  DisclosureShowPage,
  MisdirectedNewPage,
  MisdirectedPage,
  ReceiptPage,
  ReceiptsPage,
} from './pages/disclosure.page.ts';
import { PersonSharingHistoryPage } from './pages/people.page.ts';
import { SendPackagePage } from './pages/exchange.page.ts';
import { SharingOverviewPage } from './pages/sharing.page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * The disclosure log: information leaves only under a recorded decision to share, by a method the
 * policy allows, with the method's checklist complete.
 * (1) An unknown caller from the police asks by telephone: the practitioner is shown the police's
 *     published switchboard number and must record the call-back through it before disclosing.
 * (2) A letter goes by signed-for post and its receipt is confirmed.
 * (3) An e-mail from the council to the neighbouring council is refused and the secure exchange offered.
 *
 * The decisions were made on other pages of Safeshare: they are recorded through the service here.
 */

const organisationName = 'Swindon Borough Council';
const switchboard = '01632 960999';

let journey: Journey;
let dataDir: string;
let priya: JourneyStaff;
let asPriya: Viewer;
let childId: string;
let toPolice: string;
let toNeighbour: string;
let today: string;

/** From the decision's overview to step 1 of recording a disclosure. */
async function startDisclosure(
  page: Page,
  decisionId: string,
  screenshot: string,
): Promise<DisclosureNewPage> {
  const overview = await SharingOverviewPage.open(page, decisionId);
  expect(await overview.mainText()).toContain('Nothing has been disclosed under this decision yet.');
  await overview.check(screenshot);
  await overview.recordDisclosure();
  await page.waitForURL(`**/decisions/${decisionId}/disclosures/new`);
  return DisclosureNewPage.verifyOnPage(page);
}

beforeAll(async () => {
  // The secure exchange's files and keys go to a folder of this journey's own.
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-disclosures-journey-'));
  journey = await startJourney({ DATA_DIR: dataDir });
  const { services } = journey;
  today = londonToday(new Date());
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
  const policeId = await services.orgs.create(systemActor, {
    name: 'Wiltshire Police',
    kind: 'police',
    switchboardPhone: switchboard,
    hosted: false,
  });
  await services.orgs.addDomain(systemActor, councilId, 'swindon.gov.uk');
  await services.orgs.addDomain(systemActor, neighbourId, 'wiltshire.gov.uk');
  await services.orgs.addAddress(systemActor, neighbourId, {
    label: 'County Hall',
    line1: 'County Hall, Bythesea Road',
    line2: null,
    town: 'Trowbridge',
    postcode: 'BA14 8JN',
  });

  priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  asPriya = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId: councilId,
    organisationName,
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
      recipientOrganisationIds: [policeId, neighbourId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );

  const decided = (recipientOrganisationId: string, overrides: Partial<DecisionAnswers>) => {
    const routine = routineShareAnswers({ personIds: [childId], schoolId: recipientOrganisationId });
    return services.sharing.recordComplete(asPriya, {
      ...routine,
      request: { ...routine.request, receivedOn: today },
      ...overrides,
    });
  };
  toPolice = (
    await decided(policeId, {
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
  toNeighbour = (
    await decided(neighbourId, {
      recipients: {
        recipients: [
          {
            name: 'Rebecca Sutton',
            role: 'SEN caseworker',
            organisationId: neighbourId,
            email: 'rebecca.sutton@wiltshire.gov.uk',
            reason: 'She leads the EHC needs assessment.',
          },
        ],
      },
    })
  ).id;
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('the disclosure log', () => {
  let page: Page;

  it('(1) an unknown caller from the police is called back through the published switchboard before anything is disclosed', async () => {
    page = await journey.newPage();
    await signIn(page, priya);
    const start = await startDisclosure(page, toPolice, 'disclosure-overview-police');
    // The decision names one recipient: it is already selected.
    expect(
      await page
        .getByLabel('DC Sarah Price, Detective constable, child abuse investigation team')
        .isChecked(),
    ).toBe(true);
    // What the decision shares starts ticked.
    expect(await page.getByLabel('Education', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Telephone', { exact: true }).check();
    await start.check('disclosure-new-telephone');
    await start.continue();
    await page.waitForURL(`**/decisions/${toPolice}/disclosures/checklist`);
    // A call received and a call made ask different questions: which it was comes first.
    await page.getByLabel('I received the call').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`**/decisions/${toPolice}/disclosures/checklist?call=incoming`);

    const checklist = await DisclosureChecklistPage.verifyOnPage(page, 'Telephone');
    expect(await checklist.switchboardNumber(switchboard).isVisible()).toBe(true);
    expect(await checklist.mainText()).toContain(
      'ring them back through Wiltshire Police’s published switchboard number before you disclose anything',
    );
    await checklist.check('disclosure-checklist-telephone');

    await page.getByLabel('What is the caller’s name?').fill('Sarah Price');
    await page.getByLabel('Which organisation is the caller from?').fill('Wiltshire Police');
    await page
      .getByLabel('How did the caller identify themselves')
      .fill('Detective constable, child abuse investigation team, collar number 4471');
    await checklist.answer('Have you checked who the caller is?', 'Yes');
    await checklist.answer('Do you know the caller?', 'No');
    await checklist.answer('Is the caller from another organisation?', 'Yes');
    await checklist.answer(
      'Did you call back through the organisation’s published switchboard number?',
      'No',
    );
    await page.getByLabel('What is the caller’s return telephone number?').fill('01632 960123');
    await checklist.answer('Are you giving the information only to the person who asked for it?', 'Yes');
    await checklist.answer('Is the fact that the person contacted your service itself confidential?', 'No');
    await checklist.choose('Did you leave a message?', 'No message', { exact: false });
    await checklist.answer('Are you somewhere you cannot be overheard?', 'Yes');
    await page
      .getByLabel('What did you disclose during the call?')
      .fill('Amelia’s school attendance this term and the dates of the last two home visits.');
    await checklist.recordDisclosure();

    // Refused: nothing is disclosed to an unknown caller until the call-back is recorded.
    expect(await checklist.errorSummaryText()).toContain(
      'Record the call-back through the switchboard number before disclosing',
    );
    expect(await checklist.switchboardNumber(switchboard).isVisible()).toBe(true);
    await checklist.check('disclosure-checklist-telephone-refused');
    expect((await journey.services.disclosures.context(asPriya, toPolice)).disclosures).toEqual([]);

    // The practitioner rings the switchboard, is put through to DC Price, and records the call-back.
    await checklist.answer(
      'Did you call back through the organisation’s published switchboard number?',
      'Yes',
    );
    await page.getByLabel('Which number did you call back on?').fill(switchboard);
    await checklist.recordDisclosure();
    await page.waitForURL(/\/disclosures\/[0-9a-f-]{36}\?done=recorded$/);
    const recorded = await DisclosureShowPage.verifyOnPage(page, 'Telephone to Wiltshire Police');
    const shown = await recorded.mainText();
    for (const text of [
      'Disclosure recorded.',
      'Telephone to Wiltshire Police',
      'DC Sarah Price',
      'Education support, including an EHC plan',
      'Not asked for',
      'Policy requirement R4.1.2',
      'Priya Sharma',
    ])
      expect(shown).toContain(text);
    await recorded.check('disclosure-telephone-recorded');
  });

  it('(2) a letter goes by signed-for post, and its receipt is confirmed', async () => {
    const start = await startDisclosure(page, toNeighbour, 'disclosure-overview-neighbour');
    await page.getByLabel('Education', { exact: true }).check();
    await page.getByLabel('Health, including mental health', { exact: true }).check();
    await page.getByLabel('Post', { exact: true }).check();
    await start.continue();
    await page.waitForURL(`**/decisions/${toNeighbour}/disclosures/checklist`);
    const checklist = await DisclosureChecklistPage.verifyOnPage(page, 'Post');
    // The named person from the decision and the address from the directory are filled in, to check.
    expect(await page.getByLabel('Which named person is it addressed to?').inputValue()).toBe(
      'Rebecca Sutton',
    );
    expect(await page.getByLabel('Address line 1').inputValue()).toBe('County Hall, Bythesea Road');
    await checklist.check('disclosure-checklist-post');

    await checklist.choose('How is it being sent?', 'Signed for', { exact: false });
    await page.getByLabel('What is the tracking reference?').fill('RR123456785GB');
    await checklist.answer('Is the envelope marked ‘Addressee Only’?', 'Yes');
    await checklist.answer('Is it in an inner envelope inside a plain outer envelope?', 'Yes');
    await checklist.answer('Will the packaging protect the contents?', 'Yes');
    await checklist.answer('Is a disc, memory stick or other electronic media enclosed?', 'Yes');
    await checklist.answer('Is the media encrypted?', 'No');
    await checklist.answer('Have you asked the recipient to confirm receipt?', 'Yes');
    await page
      .getByLabel('What are you sending?')
      .fill('The latest education and health reports, on an encrypted memory stick.');
    await checklist.recordDisclosure();
    expect(await checklist.errorSummaryText()).toContain(
      'Encrypt the disc or memory stick before you post it',
    );
    await checklist.check('disclosure-checklist-post-refused');

    await checklist.answer('Is the media encrypted?', 'Yes');
    await checklist.recordDisclosure();
    await page.waitForURL(/\/disclosures\/[0-9a-f-]{36}\?done=recorded$/);
    const letter = new URL(page.url()).pathname;
    const recorded = await DisclosureShowPage.verifyOnPage(page, 'Post to Wiltshire Council');
    const shown = await recorded.mainText();
    for (const text of [
      'Post to Wiltshire Council',
      'Awaited',
      'Signed for',
      'RR123456785GB',
      'County Hall, Bythesea Road, Trowbridge, BA14 8JN',
    ])
      expect(shown).toContain(text);
    await recorded.check('disclosure-post-recorded');

    await recorded.navigateTo('Receipts');
    await page.waitForURL('**/disclosures/receipts');
    const receipts = await ReceiptsPage.verifyOnPage(page);
    const awaitedLetter = receipts.awaited.getByRole('row').filter({ hasText: 'Rebecca Sutton' });
    expect(await awaitedLetter.count()).toBe(1);
    await receipts.check('disclosure-receipts-awaited');
    await awaitedLetter.getByRole('link', { name: /\(disclosure\)$/ }).click();
    await page.waitForURL(`**${letter}`);
    await (
      await DisclosureShowPage.verifyOnPage(page, 'Post to Wiltshire Council')
    ).clickButton('Record that receipt was confirmed');
    await page.waitForURL(`**${letter}/receipt`);
    const receipt = await ReceiptPage.verifyOnPage(page);
    await receipt.check('disclosure-receipt');
    await receipt.recordReceipt();
    expect(await receipt.errorSummaryText()).toContain('Enter how the recipient confirmed they received it');
    await receipt.check('disclosure-receipt-errors');
    await page
      .getByLabel('How did they confirm?')
      .fill('Rebecca Sutton e-mailed to say the letter arrived sealed, with the memory stick.');
    await receipt.recordReceipt();
    await page.waitForURL(`**${letter}?done=receipt`);
    const confirmedPage = await DisclosureShowPage.verifyOnPage(page, 'Post to Wiltshire Council');
    const confirmed = await confirmedPage.mainText();
    for (const text of [
      'Receipt recorded.',
      'Confirmed',
      'Rebecca Sutton e-mailed to say the letter arrived sealed',
    ])
      expect(confirmed).toContain(text);
    await confirmedPage.check('disclosure-receipt-confirmed');
    await page.goto('/disclosures/receipts');
    expect(await (await ReceiptsPage.verifyOnPage(page)).mainText()).toContain('No receipts are awaited.');
  });

  it('(3) an e-mail from the council to the neighbouring council is not offered, with why, and the secure exchange is', async () => {
    await (await SharingOverviewPage.open(page, toNeighbour)).recordDisclosure();
    await page.waitForURL(`**/decisions/${toNeighbour}/disclosures/new`);
    const start = await DisclosureNewPage.verifyOnPage(page);
    // What the decision shares starts ticked: only the education report goes now.
    expect(await page.getByLabel('Education', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Health, including mental health', { exact: true }).uncheck();
    // The methods the policy allows are the choices; e-mail is listed after them, with why.
    expect(await page.getByLabel('Ordinary e-mail', { exact: true }).count()).toBe(0);
    const refused = await start.refusedMethods();
    expect(refused).toContain('Ordinary e-mail: Ordinary e-mail to another organisation is not secure');
    expect(refused).not.toMatch(/R\d+\.\d+/);
    await page.getByLabel('Secure exchange', { exact: true }).check();
    await start.check('disclosure-email-refused');

    // The secure exchange is not a checklist: sending its package records the disclosure.
    await start.continue();
    await page.waitForURL(`**/decisions/${toNeighbour}/packages/new`);
    const send = await SendPackagePage.verifyOnPage(page);
    await send.choose('What information are you sending?', 'Education');
    await send.fill('Message', 'The education report for the EHC needs assessment.');
    await send.send();
    await page.waitForURL(`**/decisions/${toNeighbour}#packages`);
    expect(await (await SharingOverviewPage.verifyOnPage(page)).mainText()).toMatch(
      /EX-\d{7}: to Rebecca Sutton \(rebecca\.sutton@wiltshire\.gov\.uk\)/,
    );

    const overview = await SharingOverviewPage.open(page, toNeighbour);
    expect(await overview.tableRows(/^Disclosures made under this decision/)).toHaveLength(3);
    await overview.check('disclosure-overview-with-disclosures');
    await page.goto(`/people/${childId}/sharing`);
    const history = await PersonSharingHistoryPage.verifyOnPage(page);
    expect(await history.tableRows(/^Information disclosed/)).toHaveLength(4);
    await history.check('disclosure-person-history');
  });

  it('misdirected information is logged with what was done about it', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Misdirected information' })
      .click();
    await page.waitForURL('**/misdirected');
    const log = await MisdirectedPage.verifyOnPage(page);
    await log.check('misdirected-empty');
    await log.clickButton('Record misdirected information');
    await page.waitForURL('**/misdirected/new');
    const form = await MisdirectedNewPage.verifyOnPage(page);
    await form.check('misdirected-new');
    await form.record();
    expect(await form.errorSummaryText()).toContain('Select what you have done');
    await form.check('misdirected-new-errors');

    const [year, month, day] = today.split('-');
    await page.getByLabel('Day').fill(day ?? '');
    await page.getByLabel('Month').fill(month ?? '');
    await page.getByLabel('Year').fill(year ?? '');
    await page.getByLabel('Fax', { exact: true }).check();
    await page.getByLabel('Who sent it?').fill('Great Western Hospital, paediatrics');
    await page.getByLabel('Who was it meant for?').fill('Wiltshire Council children’s services');
    await page.getByLabel('What arrived?').fill('A discharge summary about a child not known to us.');
    await page.getByLabel('I passed it to the right recipient').check();
    await page.getByLabel('I told the sender it reached the wrong place').check();
    await page
      .getByLabel('What did you do?')
      .fill('Rang the ward to tell them; forwarded it by the secure exchange to Wiltshire.');
    await form.record();
    await page.waitForURL('**/misdirected?done=recorded');
    const recorded = await MisdirectedPage.verifyOnPage(page);
    const text = await recorded.mainText();
    for (const line of [
      'Misdirected information recorded.',
      'A discharge summary about a child not known to us.',
      'Passed to the right recipient; Sender told',
    ])
      expect(text).toContain(line);
    await recorded.check('misdirected-recorded');
  });
});
