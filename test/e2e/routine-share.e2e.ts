import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { ehcAgreement } from '../support/agreement-fixtures.ts';
import { addPerson, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { samplePdf } from '../support/sample-files.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import { measureEffort } from './effort.ts';
import { SendPackagePage } from './pages/exchange.page.ts';
import { PersonRecordPage } from './pages/people.page.ts';
import { SharingOverviewPage } from './pages/sharing.page.ts';
import { RoutineSharePage } from './pages/routine.page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * A routine share, as a busy practitioner makes it: the school's SENCo asks for the health and
 * education information for an EHC plan review; the family consented, and an agreement between the
 * council and the school says what may be shared, why, on what basis and how. From the child's
 * record to "sent" in at most six pages and 300 typed characters, every page checked by axe.
 */

const organisationName = 'Swindon Borough Council';

let journey: Journey;
let dataDir: string;
let priya: JourneyStaff;
let childId: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-routine-journey-'));
  journey = await startJourney({ DATA_DIR: dataDir });
  const { services } = journey;
  const today = londonToday(new Date());
  const councilId = await services.orgs.create(systemActor, {
    name: organisationName,
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
  await services.orgs.addDomain(systemActor, schoolId, 'oakfield.sch.uk');
  priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  const lead = await createJourneyStaff(journey, ['ig_lead'], councilId, 'Aisha Khan');
  const asPriya: Viewer = {
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
    dateOfBirth: addDays(today, -10 * 365),
    allocateTo: priya.id,
  });
  await services.consent.record(
    asPriya,
    childId,
    givenConsentAnswers({
      givenOn: addDays(today, -10),
      purposeIds: ['education-support'],
      recipientOrganisationIds: [schoolId],
      recipientRoles: [],
      categoryIds: ['education', 'health'],
      methodIds: ['secure-exchange'],
    }),
  );
  await services.agreements.create(
    { ...asPriya, userId: lead.id, roles: ['ig_lead'] },
    ehcAgreement(schoolId, today),
  );
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('a routine share under an agreement', () => {
  it('goes from the child’s record to sent in at most six pages and 300 typed characters', async () => {
    const page = await journey.newPage();
    const effort = await measureEffort(page);
    await signIn(page, priya);
    const record = await PersonRecordPage.open(page, childId, 'Amelia Hughes');
    await effort.start();
    await record.clickButton('Share under an agreement');

    const routine = await RoutineSharePage.verifyOnPage(
      page,
      'Oakfield Primary School: Education support, including an EHC plan',
    );
    expect(await routine.mainText()).toContain('Consent, from the consent register');
    await routine.check('routine-share');
    await routine.fill('Name of the person receiving it', 'Rebecca Sutton');
    await routine.fill('Their role', 'SENCo');
    await routine.fill('Their e-mail address', 'r.sutton@oakfield.sch.uk');
    await routine.choose('How did they ask?', 'E-mail');
    await routine.fill('What did they ask for?', 'Health and education reports for the EHC plan review.');
    await routine.choose(
      'Does it identify anyone else who could be harmed, such as another family member?',
      'No',
    );
    await routine.choose(
      'Does anything you know about the child’s safety or well-being change the risks above?',
      'No',
    );
    await routine.clickButton('Confirm and record the decision');

    const send = await SendPackagePage.verifyOnPage(page);
    await send.check('routine-share-send');
    await send.choose('What information are you sending?', 'Education');
    await send.choose('What information are you sending?', 'Health, including mental health');
    await send.fill('Message', 'The reports for Thursday’s review.');
    await send.choose('How may the recipient read the files?', 'Download');
    await send.attach([
      { name: 'Reports.pdf', mimeType: 'application/pdf', buffer: await samplePdf({ text: 'EHC reports.' }) },
    ]);
    await send.send();

    const sent = await SharingOverviewPage.verifyOnPage(page);
    expect(await sent.mainText()).toMatch(/EX-\d{7}: to Rebecca Sutton \(r\.sutton@oakfield\.sch\.uk\)/);
    await sent.check('routine-share-sent');
    const spent = await effort.read();
    console.info(
      `routine share, record to sent: ${String(spent.pages)} pages, ${String(spent.typed)} characters typed`,
    );
    expect(spent.pages).toBeLessThanOrEqual(6);
    expect(spent.typed).toBeLessThanOrEqual(300);
  });
});
