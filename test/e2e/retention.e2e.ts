import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import { SafesharePage, verifyHeading } from './pages/safeshare-page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * Storage limitation: the information governance lead finds a young adult whose sharing records are
 * past the retention schedule and proposes their disposal; a Data Protection Officer approves it and
 * carries it out; the person's details are gone and the pages say so. An incident closed more than
 * six years ago goes the same way, as a record of its own. Every page is checked with axe.
 */

class RetentionPage extends SafesharePage {
  static async verifyOnPage(page: Page, heading: string | RegExp): Promise<RetentionPage> {
    await verifyHeading(page, heading);
    return new RetentionPage(page);
  }
}

let journey: Journey;
let ivy: JourneyStaff;
let dana: JourneyStaff;
let personId: string;
let incident: { id: string; reference: string };

beforeAll(async () => {
  journey = await startJourney();
  const { services } = journey;
  const councilId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  const schoolId = await services.orgs.create(systemActor, {
    name: 'Oakfield Academy',
    kind: 'school',
    switchboardPhone: '01632 960123',
    hosted: false,
  });
  const priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  ivy = await createJourneyStaff(journey, ['ig_lead'], councilId, 'Ivy Morgan');
  dana = await createJourneyStaff(journey, ['dpo'], councilId, 'Dana Okafor');
  const asPriya: Viewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
    roles: ['practitioner'],
  };
  // Born in 1990: the schedule keeps sharing records to the 25th birthday.
  personId = await addPerson({ people: services.people, consents: services.consent }, councilId, {
    givenNames: 'Gwendolyn',
    familyName: 'Ashcombe',
    dateOfBirth: '1990-06-01',
    allocateTo: priya.id,
  });
  const today = londonToday(new Date());
  // An adult now: she gave consent herself, so no capacity or child's view is recorded.
  await services.consent.record(
    asPriya,
    personId,
    givenConsentAnswers({
      givenOn: today,
      childCapacity: null,
      prevailingView: null,
      childView: null,
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  const routine = routineShareAnswers({ personIds: [personId], schoolId });
  await services.sharing.recordComplete(asPriya, {
    ...routine,
    request: { ...routine.request, receivedOn: today },
  });
  // Closed in 2018: the schedule keeps incidents six years from closure.
  const closed = await sql<{ id: string; reference: string }>`
    INSERT INTO incidents (organisation_id, kind, what_happened, happened_on, aware_at, information, people_affected,
      people_estimated, actions_taken, reported_by, reported_at, likelihood, severity, outcome, not_reportable_reasons,
      graded_by, graded_at, lessons, closed_by, closed_at)
    VALUES (${councilId}, 'wrong-recipient', 'A letter about Thaddeus Wren went to the wrong address', '2018-01-02',
      '2018-01-02T10:00:00Z', 'A school report', 1, false, 'The letter was returned unopened', ${priya.id},
      '2018-01-02T11:00:00Z', 1, 1, 'not-reportable', 'Returned unopened the same day', ${dana.id},
      '2018-01-03T10:00:00Z', 'Check the address before posting', ${dana.id}, '2018-02-01T10:00:00Z')
    RETURNING id, reference`.execute(journey.db);
  incident = closed.rows[0] ?? { id: '', reference: '' };
});

describe('retention review and disposal', () => {
  it('the IG lead proposes a disposal from the list of what is due, after a refused empty form', async () => {
    const page = await journey.newPage();
    await signIn(page, ivy);
    await page.goto('/retention');
    const due = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    await due.check('retention-due');
    expect(await due.mainText()).toContain('No disposal is proposed.');
    await page.getByRole('link', { name: 'Legal holds' }).click();
    const holds = await RetentionPage.verifyOnPage(page, 'Legal holds');
    await holds.check('retention-holds');
    await page.goBack();

    await page.goto(`/retention/people/${personId}`);
    const person = await RetentionPage.verifyOnPage(page, /Gwendolyn Ashcombe|A person’s records/);
    await person.check('retention-person');
    expect(await person.mainText()).toContain('due for disposal');
    await person.clickButton('Propose disposal');
    const refused = await RetentionPage.verifyOnPage(page, /Gwendolyn Ashcombe|A person’s records/);
    expect(await refused.errorSummaryText()).toContain('There is a problem');
    await refused.check('retention-person-error');
    const entry = page.getByLabel('Under which entry of the schedule?');
    const options = await entry.locator('option').allInnerTexts();
    const decisions = options.find((option) => /decision/i.test(option));
    expect(decisions, options.join(' | ')).toBeDefined();
    await entry.selectOption({ label: decisions ?? '' });
    await page
      .getByLabel('Why can the records be disposed of?')
      .fill('Past the 25th birthday; no open case, no complaint or inquiry.');
    await refused.clickButton('Propose disposal');
    const proposed = await RetentionPage.verifyOnPage(page, /Gwendolyn Ashcombe|A person’s records/);
    expect(await proposed.mainText()).toContain('Disposal proposed');
    await proposed.check('retention-proposed');

    await page.goto('/retention');
    const listed = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    expect(await listed.mainText()).toContain(incident.reference);
    await page
      .getByLabel('Why can the incident listed be disposed of?')
      .fill('Six years since closure; nothing open.');
    await page
      .getByRole('button', { name: 'Propose disposal of the 1 listed under Data protection incidents' })
      .click();
    const batch = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    expect(await batch.mainText()).toContain('Disposals proposed');
    await batch.check('retention-incident-proposed');
  });

  it('a DPO who did not propose it approves and carries it out, and the person’s details are gone', async () => {
    const page = await journey.newPage();
    await signIn(page, dana);
    await page.goto('/retention');
    const due = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    expect(await due.mainText()).toContain('Waiting for approval');
    await due.clickButton('Approve all 2 you did not propose');
    const approved = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    await approved.check('retention-approved');
    await approved.clickButton('Carry out approved disposals');
    const carried = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    await carried.check('retention-carried-out');

    await page.goto(`/retention/people/${personId}`);
    const person = await RetentionPage.verifyOnPage(page, /.+/);
    expect(await person.mainText()).toContain('This person’s records have been disposed of.');
    await person.check('retention-disposed');
    const row = await journey.db
      .selectFrom('people')
      .select(['given_names', 'family_name', 'date_of_birth'])
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toMatch(/Gwendolyn|Ashcombe|1990/);

    await page.goto(`/retention/incidents/${incident.id}`);
    const gone = await RetentionPage.verifyOnPage(page, `Incident ${incident.reference}`);
    expect(await gone.mainText()).toContain('This incident has been disposed of.');
    await gone.check('retention-incident-disposed');
    const said = await journey.db
      .selectFrom('incidents')
      .select(['what_happened', 'reference'])
      .where('id', '=', incident.id)
      .executeTakeFirstOrThrow();
    expect(said).toEqual({
      what_happened: 'Erased under the retention schedule',
      reference: incident.reference,
    });
  });
});
