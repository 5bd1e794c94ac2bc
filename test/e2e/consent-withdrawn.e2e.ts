import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { ConsentShowPage, ConsentWithdrawPage } from './pages/consent.page.ts';
import { ConsentWithdrawnPage, DisclosureNewPage, TellWithdrawnPage } from './pages/disclosure.page.ts';
import { SharingOverviewPage } from './pages/sharing.page.ts';
import { signIn } from './pages/sign-in.page.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';

/**
 * Consent withdrawn after a decision that relied on it (R3.3): the mother rings to withdraw it, and
 * the practitioner records it. The next disclosure under the decision is refused at its first step,
 * the decision says why, and the practitioner tells the police, who already received information
 * under it, that consent has been withdrawn, and records that she did.
 *
 * The decision and its first disclosure were made on other pages of Safeshare: they are recorded
 * through the services here.
 */

let journey: Journey;
let priya: JourneyStaff;
let consentId: string;
let decisionId: string;
let today: string;
let asPriya: Viewer;

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
  priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  asPriya = {
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
    dateOfBirth: addDays(today, -12 * 365),
    allocateTo: priya.id,
  });
  consentId = await services.consent.record(
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
  decisionId = (
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
});

describe('consent withdrawn after a decision that relied on it', () => {
  let page: Page;

  it('records the withdrawal, and the next disclosure under the decision is refused', async () => {
    page = await journey.newPage();
    await signIn(page, priya);
    await page.goto(`/consents/${consentId}/withdraw`);
    const withdraw = await ConsentWithdrawPage.verifyOnPage(page);
    await withdraw.fillDate('When was the withdrawal received?', today);
    await withdraw.choose('How was it received?', 'By telephone', { exact: false });
    await withdraw.choose('Who withdrew consent?', 'The parent or carer', { exact: false });
    await withdraw.clickButton('Record withdrawal');
    await page.waitForURL(`**/consents/${consentId}?done=withdrawn`);
    const withdrawn = await ConsentShowPage.verifyOnPage(page, 'Consent given');
    expect(await withdrawn.summaryLines()).toContain('Status: Withdrawn');
    // The consent record leads to those who already received information under it.
    expect(
      await page
        .getByRole('link', {
          name: 'Tell those who already received information that consent has been withdrawn',
        })
        .getAttribute('href'),
    ).toBe(`/consent-withdrawals/${consentId}`);

    const overview = await SharingOverviewPage.open(page, decisionId);
    const banner = await overview.mainText();
    expect(banner).toContain('Consent withdrawn');
    expect(banner).toContain(
      'This decision relied on that consent. Further disclosures under it are refused.',
    );
    await overview.check('decision-consent-withdrawn');

    await overview.recordDisclosure();
    await page.waitForURL(`**/decisions/${decisionId}/disclosures/new`);
    const start = await DisclosureNewPage.verifyOnPage(page);
    await page.getByLabel('Education', { exact: true }).check();
    await page.getByLabel('Telephone', { exact: true }).check();
    await start.continue();
    expect(await start.errorSummaryText()).toContain('has been withdrawn since the decision');
    await start.check('disclosure-refused-consent-withdrawn');
    expect((await journey.services.disclosures.context(asPriya, decisionId)).disclosures).toHaveLength(1);
  });

  it('tells the police, who already received information under it, and records that they were told', async () => {
    const overview = await SharingOverviewPage.open(page, decisionId);
    await overview.clickLink('Tell those who already received information that consent has been withdrawn');
    await page.waitForURL(`**/consent-withdrawals/${consentId}`);
    const list = await ConsentWithdrawnPage.verifyOnPage(page);
    expect(await list.recipient('Wiltshire Police').innerText()).toContain('Education by Telephone');
    expect(await list.mainText()).toContain('Not yet told');
    await list.check('consent-withdrawn-recipients');

    await list.recordTold('Wiltshire Police');
    const tell = await TellWithdrawnPage.verifyOnPage(page, 'Wiltshire Police');
    expect(await tell.suggestedWords()).toContain('We shared information with you about Amelia Hughes');
    await tell.check('consent-withdrawn-tell');
    // A date before the withdrawal is refused, with nothing recorded.
    await tell.fillDate('When did you tell them?', addDays(today, -1));
    await tell.choose('How did you tell them?', 'By letter');
    await tell.clickButton('Record that they were told');
    expect(await tell.errorSummaryText()).toContain(
      'The date they were told must be on or after the date consent was withdrawn',
    );
    await tell.check('consent-withdrawn-tell-refused');

    await tell.fillDate('When did you tell them?', today);
    await tell.clickButton('Record that they were told');
    await page.waitForURL(`**/consent-withdrawals/${consentId}?done=told`);
    const done = await ConsentWithdrawnPage.verifyOnPage(page);
    expect(await done.successBannerText()).toContain('Recorded: they were told that consent was withdrawn.');
    const card = await done.recipient('Wiltshire Police').innerText();
    expect(card).toContain('Told: By letter on');
    expect(card).toContain('recorded by Priya Sharma');
    expect(await done.mainText()).not.toContain('Not yet told');
    await done.check('consent-withdrawn-told');
  });
});
