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
 * carries it out; the person's details are gone and the pages say so. Every page is checked with axe.
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
  });

  it('a DPO who did not propose it approves and carries it out, and the person’s details are gone', async () => {
    const page = await journey.newPage();
    await signIn(page, dana);
    await page.goto('/retention');
    const due = await RetentionPage.verifyOnPage(page, 'Retention review and disposal');
    expect(await due.mainText()).toContain('Waiting for approval');
    await due.clickButton('Approve');
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
  });
});
