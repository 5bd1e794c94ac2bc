import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { testNhsNumbers } from '../../src/lib/nhs-number.ts';
import type { DecisionAnswers } from '../../src/sharing/index.ts';
import { givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import { createJourneyStaff, startJourney, type Journey, type JourneyStaff } from './e2e-harness.ts';
import {
  AdviceInboxPage,
  AdviceRequestPage,
  ApprovalQueuePage,
  ApprovalRequestPage,
  AskAdvicePage,
} from './pages/advice.page.ts';
import { SharingCheckPage, SharingConfirmationPage, SharingOverviewPage } from './pages/sharing.page.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * Journey (b): consent was withdrawn. The practitioner asks the Caldicott Guardian for anonymised
 * advice; the Caldicott Guardian answers from the inbox without learning who the child is; the
 * practitioner records public-interest grounds and sends the decision for approval; the Caldicott
 * Guardian approves it from the approvals queue; the practitioner records the share.
 *
 * The decision's question pages are another part of Safeshare: the answers are saved through the
 * service here, and the journey drives the advice and approval pages, the decision overview and
 * recording.
 */

const organisationName = 'Swindon Borough Council';
const child = { givenNames: 'Leo', familyName: 'Fairbrother' };

let journey: Journey;
let organisationId: string;
let schoolId: string;
let priya: JourneyStaff;
let helen: JourneyStaff;
let priyaViewer: Viewer;
let leoId: string;
let decisionId: string;
let reference: string;
let today: string;

function expectAnonymous(text: string): void {
  expect(text).not.toContain(child.givenNames);
  expect(text).not.toContain(child.familyName);
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
  const tom = await createJourneyStaff(journey, ['manager'], organisationId, 'Tom Hughes');
  priya = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
  await services.staff.update(systemActor, priya.id, {
    organisationId,
    displayName: 'Priya Sharma',
    jobTitle: 'Social worker',
    roles: ['practitioner'],
    lineManagerId: tom.id,
  });
  helen = await createJourneyStaff(journey, ['caldicott_guardian'], organisationId, 'Helen Carter');
  priyaViewer = {
    userId: priya.id,
    displayName: 'Priya Sharma',
    email: priya.email,
    organisationId,
    organisationName,
    roles: ['practitioner'],
  };

  leoId = await services.people.register(
    systemActor,
    organisationId,
    {
      ...child,
      knownAs: null,
      dateOfBirth: addDays(today, -9 * 365),
      nhsNumber: testNhsNumbers(314_159).next().value,
      localReference: null,
      upn: null,
      externalId: null,
      addressLine1: '3 Bath Road',
      addressLine2: null,
      town: 'Swindon',
      postcode: 'SN1 4AS',
    },
    { allocateTo: priya.id },
  );
  // Consent was given for the school, then withdrawn by Leo's father.
  const consentId = await services.consent.record(
    priyaViewer,
    leoId,
    givenConsentAnswers({
      givenOn: addDays(today, -30),
      childView: 'Leo is happy for his school to know.',
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
    }),
  );
  await services.consent.withdraw(priyaViewer, consentId, {
    withdrawnOn: addDays(today, -2),
    method: 'telephone',
    by: 'parent_carer',
    note: 'Dad rang to withdraw consent.',
  });

  // The answers so far: the routine share of education and health information, relying on consent.
  const routine = routineShareAnswers({ personIds: [leoId], schoolId });
  const request = routine.request;
  decisionId = await services.sharing.start(priyaViewer, { personId: leoId });
  await services.sharing.save(priyaViewer, decisionId, {
    ...routine,
    request: {
      ...request,
      receivedOn: today,
      details:
        'The school reports unexplained bruising and asks what health and education information we hold.',
    },
  });
  reference = (await services.sharing.open(priyaViewer, decisionId)).reference;
});

describe('sharing after consent was withdrawn: anonymised advice, public-interest approval, the share recorded', () => {
  let practitioner: Page;
  let guardian: Page;

  it('the practitioner asks the Caldicott Guardian for advice, without sharing the child’s identity', async () => {
    practitioner = await journey.newPage();
    await signIn(practitioner, priya);
    await practitioner.goto(`/decisions/${decisionId}`);
    const overview = await SharingOverviewPage.verifyOnPage(practitioner, reference);
    expect(await overview.mainText()).toContain('Consent has been withdrawn');
    await overview.check('sharing-advice-overview-withdrawn');

    await overview.clickLink('Ask for advice');
    await practitioner.waitForURL(`**/decisions/${decisionId}/ask-for-advice`);
    const ask = await AskAdvicePage.verifyOnPage(practitioner);
    expect(await practitioner.getByLabel('No, keep them anonymous').isChecked()).toBe(true);
    const preview = await ask.adviserPreview();
    expect(preview).toContain('The person: consent was withdrawn.');
    expectAnonymous(preview);
    await ask.check('sharing-advice-ask');

    await ask.send();
    await practitioner.waitForURL(`**/decisions/${decisionId}/ask-for-advice`);
    expect(await ask.errorSummaryText()).toContain('Select who you want to ask for advice');
    await ask.check('sharing-advice-ask-errors');

    await ask.choose('Who do you want to ask?', 'Caldicott Guardian');
    await practitioner
      .getByLabel('Your question')
      .fill(
        'Consent to share with the school was withdrawn two days ago. The school now reports unexplained bruising. Can I share the health information on public-interest grounds?',
      );
    await ask.send();
    await practitioner.waitForURL((url) => url.pathname === `/decisions/${decisionId}`);
    const asked = await SharingOverviewPage.verifyOnPage(practitioner, reference);
    expect(await asked.successBannerText()).toContain('Your request for advice has been sent.');
    expect(await asked.mainText()).toContain('Waiting for an answer');
    await asked.check('sharing-advice-asked');
  });

  it('the Caldicott Guardian answers from the inbox without seeing who the child is', async () => {
    guardian = await journey.newPage();
    await (await signIn(guardian, helen)).navigateTo('Advice requests');
    await guardian.waitForURL('**/advice');
    const inboxPage = await AdviceInboxPage.verifyOnPage(guardian);
    const inbox = await inboxPage.mainText();
    expect(inbox).toContain(reference);
    expect(inbox).toContain('Anonymised');
    expectAnonymous(inbox);
    await inboxPage.check('sharing-advice-inbox');

    await inboxPage.clickLink(`${reference} (advice request)`);
    await guardian.waitForURL(/\/advice\/[0-9a-f-]{36}$/);
    const requestPage = await AdviceRequestPage.verifyOnPage(guardian);
    const request = await requestPage.mainText();
    expect(request).toContain('Anonymised summary of the decision');
    expect(request).toContain('The person: consent was withdrawn.');
    expect(request).toContain('Can I share the health information on public-interest grounds?');
    expectAnonymous(request);
    expectAnonymous(await guardian.content());
    await requestPage.check('sharing-advice-request');

    await requestPage.sendAdvice();
    expect(await requestPage.errorSummaryText()).toContain('Enter your advice');
    await requestPage.check('sharing-advice-request-errors');
    await guardian
      .getByLabel('Your advice')
      .fill(
        'Yes, if the facts show a risk of significant harm. Record the justification, share only the health information the school needs, and send the decision to me for approval.',
      );
    await requestPage.sendAdvice();
    await guardian.waitForURL('**/advice?done=answered');
    const answered = await AdviceInboxPage.verifyOnPage(guardian);
    expect(await answered.successBannerText()).toContain('Your advice has been recorded on the decision.');
    expectAnonymous(await answered.mainText());
    await answered.check('sharing-advice-answered');
  });

  it('the practitioner records public-interest grounds and sends the decision for approval', async () => {
    await journey.services.sharing.save(priyaViewer, decisionId, {
      lawfulBasis: {
        unsure: false,
        article6: 'public-task',
        article9: 'health-social-care',
        schedule1: 'safeguarding',
        commonLaw: 'public-interest',
        confidenceReason:
          'The risk of significant harm to Leo outweighs the duty of confidence to his father.',
        justification:
          'The school has seen unexplained bruising twice this month; his health records show two recent injuries. The school needs this to keep him safe.',
      },
    });
    await practitioner.goto(`/decisions/${decisionId}`);
    const overviewPage = await SharingOverviewPage.verifyOnPage(practitioner, reference);
    const overview = await overviewPage.mainText();
    expect(overview).toContain('Answer from Helen Carter');
    expect(overview).toContain('Sharing on public-interest grounds');
    await overviewPage.check('sharing-advice-overview-ready-for-approval');
    await overviewPage.clickButton('Send for approval');
    await practitioner.waitForURL(`**/decisions/${decisionId}?done=sent`);
    await (
      await SharingOverviewPage.verifyOnPage(practitioner, reference)
    ).check('sharing-advice-overview-sent');
  });

  it('the Caldicott Guardian approves it from the approvals queue, with the whole decision in front of her', async () => {
    await (await AdviceInboxPage.verifyOnPage(guardian)).navigateTo('Approvals');
    await guardian.waitForURL('**/approvals');
    const queuePage = await ApprovalQueuePage.verifyOnPage(guardian);
    const row = (await queuePage.tableRows(/^Waiting for your decision/))[1] ?? '';
    for (const text of [
      reference,
      'Sharing on public-interest grounds',
      'Priya Sharma',
      'Caldicott Guardian',
    ])
      expect(row).toContain(text);
    await queuePage.check('sharing-approval-queue');

    await queuePage.waiting.getByRole('link', { name: `${reference} (approval request)` }).click();
    await guardian.waitForURL(/\/approvals\/[0-9a-f-]{36}$/);
    const approvalPage = await ApprovalRequestPage.verifyOnPage(guardian);
    const approval = await approvalPage.mainText();
    for (const text of [
      'Leo Fairbrother: Consent was withdrawn',
      'Public-interest justification',
      'The school has seen unexplained bruising twice this month',
      'Risks of not sharing',
      'Yes, if the facts show a risk of significant harm.',
    ])
      expect(approval).toContain(text);
    await approvalPage.check('sharing-approval-request');

    await approvalPage.decide('Refuse');
    await approvalPage.send();
    expect(await approvalPage.errorSummaryText()).toContain('Enter the reason you are refusing this request');
    await approvalPage.check('sharing-approval-request-errors');

    await approvalPage.decide('Approve');
    await guardian
      .getByLabel('Reason')
      .fill('The justification is based on the facts and only the necessary health information is shared.');
    await approvalPage.send();
    await guardian.waitForURL('**/approvals?done=approved');
    const decided = await ApprovalQueuePage.verifyOnPage(guardian);
    expect(await decided.successBannerText()).toContain('Your approval has been recorded');
    expect(await decided.mainText()).toContain('Approved');
    await decided.check('sharing-approval-decided');
  });

  it('the practitioner records the share', async () => {
    await practitioner.goto(`/decisions/${decisionId}`);
    const overview = await SharingOverviewPage.verifyOnPage(practitioner, reference);
    await overview.check('sharing-advice-overview-approved');
    await overview.clickButton('Check your answers');
    await practitioner.waitForURL(`**/decisions/${decisionId}/check-your-answers`);
    const check = await SharingCheckPage.verifyOnPage(practitioner);
    await check.check('sharing-advice-check');
    await check.recordDecision();
    await practitioner.waitForURL(`**/decisions/${decisionId}/confirmation`);
    await (await SharingConfirmationPage.verifyOnPage(practitioner)).check('sharing-advice-recorded');

    const recorded = await journey.services.sharing.open(priyaViewer, decisionId);
    expect(recorded.status).toBe('recorded');
    expect(recorded.recorded).toMatchObject({
      withoutConsent: true,
      override: true,
      consent: [{ personId: leoId, outcome: 'withdrawn' }],
      approvals: [{ kind: 'public-interest', approvedBy: 'Helen Carter' }],
    });
    expect(recorded.advice).toMatchObject([
      { adviser: 'caldicott_guardian', anonymised: true, status: 'answered' },
    ]);
    const answers: DecisionAnswers = recorded.answers;
    expect(answers.lawfulBasis?.commonLaw).toBe('public-interest');
  });
});
