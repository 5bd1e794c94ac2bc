import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { letterDisclosure } from '../support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import { IncidentPage, OffSitePage, ReportIncidentPage } from './pages/incidents.page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * When things go wrong (R5, R4.3):
 * (1) a letter went to the wrong address: the practitioner reports it from its disclosure; her line
 *     manager, the IT service desk and the DPO each see it; the DPO grades it "report to the ICO",
 *     records the report inside the 72 hours, and closes it with the lessons learned;
 * (2) a laptop logged off site is reported lost, becoming an incident linked to its log entry.
 */

let journey: Journey;
let priya: JourneyStaff;
let maria: JourneyStaff;
let desk: JourneyStaff;
let dana: JourneyStaff;
let disclosureId: string;
let today: string;

/**
 * London's date and time of day some minutes ago, as yyyy-mm-dd and HH:MM: when the practitioner
 * found out (in the first minutes of a London day, still the day before).
 */
function londonAgo(minutes: number): { readonly date: string; readonly time: string } {
  const at = new Date(Date.now() - minutes * 60_000);
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return { date: londonToday(at), time };
}

/** Answers when it happened and when it was discovered: that day, some minutes ago. */
async function happenedAndDiscovered(report: ReportIncidentPage, minutesAgo: number): Promise<void> {
  const discovered = londonAgo(minutesAgo);
  await report.when('When did it happen?', discovered.date);
  await report.when(
    'When was it discovered?',
    discovered.date,
    'What time was it discovered?',
    discovered.time,
  );
}

/** Each person's browser, signed in once: a second sign-in in the same 30 seconds would reuse a one-time code. */
const browsers = new Map<string, Page>();
async function signedIn(staff: JourneyStaff): Promise<Page> {
  const open = browsers.get(staff.id);
  if (open !== undefined) return open;
  const page = await journey.newPage();
  await signIn(page, staff);
  browsers.set(staff.id, page);
  return page;
}

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
  const schoolId = await services.orgs.create(systemActor, {
    name: 'Oakfield Primary School',
    kind: 'school',
    switchboardPhone: '01793000111',
    hosted: false,
  });
  maria = await createJourneyStaff(journey, ['manager'], councilId, 'Maria Lopez');
  priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma', maria.id);
  desk = await createJourneyStaff(journey, ['it_service_desk'], councilId, 'Ian Desk');
  dana = await createJourneyStaff(journey, ['dpo'], councilId, 'Dana Okafor');
  const asPriya: Viewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
    roles: ['practitioner'],
  };
  const childId = await addPerson({ people: services.people, consents: services.consent }, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: addDays(today, -9 * 365),
    allocateTo: priya.id,
  });
  await services.consent.record(
    asPriya,
    childId,
    givenConsentAnswers({
      givenOn: addDays(today, -10),
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  const routine = routineShareAnswers({ personIds: [childId], schoolId });
  const decision = await services.sharing.recordComplete(asPriya, {
    ...routine,
    request: { ...routine.request, receivedOn: today },
  });
  disclosureId = await services.disclosures.record(asPriya, decision.id, {
    ...letterDisclosure(),
    method: 'post',
  });
});

describe('incidents and the 72-hour clock', () => {
  let reference: string;
  let incidentPath: string;
  let lostIncidentPath: string;

  it('(1) the practitioner reports a letter sent to the wrong address, from its disclosure', async () => {
    const page = await signedIn(priya);
    await page.goto(`/disclosures/${disclosureId}`);
    await page.getByRole('link', { name: 'Report an incident about this disclosure' }).click();
    const report = await ReportIncidentPage.verifyOnPage(page);
    expect(await report.mainText()).toContain('This report is about the disclosure you started it from');
    await report.choose(
      'What kind of incident is it?',
      'Information was sent to the wrong person or address',
    );
    await report.fill(
      'What happened?',
      'The letter with the annual review reports went to 14 Oak Road, not 41.',
    );
    await happenedAndDiscovered(report, 10);
    await report.fill('What information is involved?', 'Education and health reports for the annual review.');
    await report.fill('How many people is the information about?', '3');
    await report.fill('What has been done so far?', 'Rang number 14 and asked them to return it unopened.');
    await report.check('incident-report');
    await report.send();
    const incident = await IncidentPage.verifyOnPage(page);
    expect(await incident.successBannerText()).toContain(
      'Your line manager, the IT service desk and the Data Protection Officer have been told',
    );
    reference = (await incident.heading.innerText()).trim();
    incidentPath = new URL(page.url()).pathname;
    expect(await incident.mainText()).toContain('Open the disclosure');
  });

  it('shows it to the line manager, the IT service desk and the DPO', async () => {
    for (const staff of [maria, desk, dana]) {
      const page = await signedIn(staff);
      await page.goto('/incidents');
      expect(await page.getByRole('main').innerText(), staff.displayName).toContain(reference);
    }
  });

  it('the DPO grades it "report to the ICO", records the report inside the clock, and closes it with lessons', async () => {
    const page = await signedIn(dana);
    await page.goto(incidentPath);
    const incident = await IncidentPage.verifyOnPage(page);
    expect(await incident.mainText()).toMatch(/left to report to the ICO|hours? left/i);
    await incident.check('incident-dpo');
    await incident.choose('How likely is it that people are harmed?', 'Likely');
    await incident.choose('How severe would the harm be?', 'Adverse');
    await incident.clickButton('Record the grading');
    const graded = await IncidentPage.verifyOnPage(page);
    expect(await graded.mainText()).toContain('Report to the ICO');

    const toIco = londonAgo(1);
    await graded.fillDate('When was it reported?', toIco.date);
    await graded.fill('At what time?', toIco.time);
    await graded.fill('The ICO’s reference', 'ICO/00123456');
    await graded.clickButton('Record the report');
    const reported = await IncidentPage.verifyOnPage(page);
    expect(await reported.mainText()).toContain('ICO/00123456');

    await reported.fill(
      'What are the lessons learned?',
      'Check the house number against the case record before posting.',
    );
    await reported.choose('Was it referred to human resources?', 'No');
    await reported.clickButton('Close the incident');
    const closed = await IncidentPage.verifyOnPage(page);
    expect(await closed.successBannerText()).toContain('Incident closed');
    expect(await closed.mainText()).toContain(
      'Check the house number against the case record before posting.',
    );
    await closed.check('incident-closed');
  });

  it('(2) a laptop logged off site is reported lost, and the incident is linked to its log entry', async () => {
    const page = await signedIn(priya);
    await page.goto('/off-site');
    const list = await OffSitePage.verifyOnPage(page, 'Information off site');
    await list.clickButton('Log information taken off site');
    const form = await OffSitePage.verifyOnPage(page, 'Log information taken off site');
    await form.choose('Is it paper or electronic?', 'Electronic');
    await form.fill('What are you taking?', 'The team laptop with the case recording, asset SBC-1234.');
    await form.choose(
      'Why are you taking it?',
      'A meeting at another organisation, such as a child protection conference',
    );
    await form.fill('Where is it going?', 'Great Western Hospital');
    await form.fillDate('When will it be back?', addDays(today, 1));
    await form.fill('Time it will be back', '17:30');
    await form.choose(
      'How it is protected',
      'Paper is in a sealed file or envelope; electronic information is encrypted or password-protected',
    );
    await form.choose(
      'In a car',
      'If it goes in a car, it will be locked in the boot and never left on view',
    );
    await form.check('off-site-log');
    await form.clickButton('Log it');
    const entry = await OffSitePage.verifyOnPage(page, /^OS-\d{7}$/);
    const entryReference = (await entry.heading.innerText()).trim();
    expect(await entry.mainText()).toContain('Allowed by local policy');
    await entry.check('off-site-entry');

    await page.getByRole('link', { name: `report ${entryReference} lost` }).click();
    const report = await ReportIncidentPage.verifyOnPage(page);
    expect(await report.mainText()).toContain(`This reports ${entryReference} from the off-site log as lost`);
    await happenedAndDiscovered(report, 5);
    await report.fill('How many people is the information about?', '40');
    await page.getByLabel('This number is an estimate').check();
    await report.fill(
      'What has been done so far?',
      'Asked the hospital’s security office to look for it; IT asked to lock it remotely.',
    );
    await report.send();
    const incident = await IncidentPage.verifyOnPage(page);
    lostIncidentPath = new URL(page.url()).pathname;
    expect(await incident.mainText()).toContain('A device or paper records were lost or stolen');
    await page.getByRole('link', { name: 'Open the log entry' }).click();
    const lost = await OffSitePage.verifyOnPage(page, entryReference);
    expect(await lost.mainText()).toContain('Lost');
    expect(await lost.mainText()).not.toContain('Record its return');
  });

  it('(3) an encrypted memory stick is registered, and destroyed; a containment task is recorded on the lost laptop’s incident', async () => {
    const page = await signedIn(priya);
    await page.goto('/media');
    const list = await OffSitePage.verifyOnPage(page, 'Removable media and devices');
    await list.clickButton('Register a medium or device');
    const form = await OffSitePage.verifyOnPage(page, 'Register a medium or device');
    await form.choose('What is it?', 'USB memory stick');
    await form.fill('Asset tag', 'SBC-USB-0042');
    await form.choose('Encryption', 'It is encrypted');
    await form.fill('How is it encrypted?', 'Hardware-encrypted stick with a PIN');
    await form.fill('What personal information is on it?', 'Photographs of the family home for the court.');
    await form.fill('Why is it on it?', 'The court asked for them.');
    await form.fill('Where is the information backed up?', 'The case management system');
    await form.fillDate('When is it needed until?', addDays(today, 7));
    await form.check('media-register');
    await form.clickButton('Register it');
    const entry = await OffSitePage.verifyOnPage(page, /^MD-\d{7}$/);
    await entry.check('media-entry');
    await entry.choose('What was done with it?', 'It was destroyed');
    await entry.fill('How, and by whom?', 'Shredded by the IT service desk.');
    await entry.clickButton('Record it');
    expect(await (await OffSitePage.verifyOnPage(page, /^MD-\d{7}$/)).mainText()).toContain('Destroyed');

    // A containment task on the lost laptop's incident: the hospital asked to return it by tomorrow.
    await page.goto(lostIncidentPath);
    const incident = await IncidentPage.verifyOnPage(page);
    await incident.choose('Record a containment action', 'We asked for it back');
    await incident.fill(
      'What was done, or asked for',
      'Asked the hospital’s security office to return it if found.',
    );
    await incident.fillDate('If asked for back, by when?', addDays(today, 1));
    await incident.clickButton('Record the action');
    const contained = await IncidentPage.verifyOnPage(page);
    expect(await contained.successBannerText()).toContain('Containment recorded');
    expect(await contained.mainText()).toContain(
      'Asked the hospital’s security office to return it if found.',
    );
    await contained.check('incident-containment');
  });
});
