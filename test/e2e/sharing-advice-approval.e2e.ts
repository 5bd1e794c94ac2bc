import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Viewer } from '../../src/auth/index.ts';
import { addDays } from '../../src/consent/consent.record.ts';
import { londonToday } from '../../src/lib/time.ts';
import { testNhsNumbers } from '../../src/people/index.ts';
import type { DecisionAnswers } from '../../src/sharing/index.ts';
import { givenConsentAnswers } from '../support/consent-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import {
  checkPage,
  createJourneyStaff,
  startJourney,
  type Journey,
  type JourneyStaff,
  signInThroughPages,
} from './e2e-harness.ts';

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

async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

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
    await signInThroughPages(practitioner, priya);
    await practitioner.goto(`/decisions/${decisionId}`);
    expect(await mainText(practitioner)).toContain('Consent has been withdrawn');
    await checkPage(practitioner, 'sharing-advice-overview-withdrawn');

    await practitioner.getByRole('link', { name: 'Ask for advice' }).click();
    await practitioner.waitForURL(`**/decisions/${decisionId}/ask-for-advice`);
    expect(await practitioner.locator('h1').textContent()).toBe('Ask for advice');
    expect(await practitioner.getByLabel('No, keep them anonymous').isChecked()).toBe(true);
    const preview = await practitioner.locator('#anonymised-summary').innerText();
    expect(preview).toContain('The person: consent was withdrawn.');
    expectAnonymous(preview);
    await checkPage(practitioner, 'sharing-advice-ask');

    await practitioner.getByRole('button', { name: 'Send request for advice' }).click();
    await practitioner.waitForURL(`**/decisions/${decisionId}/ask-for-advice`);
    expect(await practitioner.locator('.govuk-error-summary').innerText()).toContain(
      'Select who you want to ask for advice',
    );
    await checkPage(practitioner, 'sharing-advice-ask-errors');

    await practitioner
      .getByRole('group', { name: 'Who do you want to ask?' })
      .getByLabel('Caldicott Guardian', { exact: true })
      .check();
    await practitioner
      .getByLabel('Your question')
      .fill(
        'Consent to share with the school was withdrawn two days ago. The school now reports unexplained bruising. Can I share the health information on public-interest grounds?',
      );
    await practitioner.getByRole('button', { name: 'Send request for advice' }).click();
    await practitioner.waitForURL((url) => url.pathname === `/decisions/${decisionId}`);
    expect(await mainText(practitioner)).toContain('Waiting for an answer');
    await checkPage(practitioner, 'sharing-advice-asked');
  });

  it('the Caldicott Guardian answers from the inbox without seeing who the child is', async () => {
    guardian = await journey.newPage();
    await signInThroughPages(guardian, helen);
    await guardian
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Advice requests' })
      .click();
    await guardian.waitForURL('**/advice');
    const inbox = await mainText(guardian);
    expect(inbox).toContain(reference);
    expect(inbox).toContain('Anonymised');
    expectAnonymous(inbox);
    await checkPage(guardian, 'sharing-advice-inbox');

    await guardian.getByRole('link', { name: `${reference} (advice request)` }).click();
    await guardian.waitForURL(/\/advice\/[0-9a-f-]{36}$/);
    const request = await mainText(guardian);
    expect(request).toContain('Anonymised summary of the decision');
    expect(request).toContain('The person: consent was withdrawn.');
    expect(request).toContain('Can I share the health information on public-interest grounds?');
    expectAnonymous(request);
    expectAnonymous(await guardian.content());
    await checkPage(guardian, 'sharing-advice-request');

    await guardian.getByRole('button', { name: 'Send advice' }).click();
    expect(await guardian.locator('.govuk-error-summary').innerText()).toContain('Enter your advice');
    await checkPage(guardian, 'sharing-advice-request-errors');
    await guardian
      .getByLabel('Your advice')
      .fill(
        'Yes, if the facts show a risk of significant harm. Record the justification, share only the health information the school needs, and send the decision to me for approval.',
      );
    await guardian.getByRole('button', { name: 'Send advice' }).click();
    await guardian.waitForURL('**/advice?done=answered');
    expect(await guardian.locator('.govuk-notification-banner--success').innerText()).toContain(
      'Your advice has been recorded on the decision.',
    );
    expectAnonymous(await mainText(guardian));
    await checkPage(guardian, 'sharing-advice-answered');
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
    const overview = await mainText(practitioner);
    expect(overview).toContain('Answer from Helen Carter');
    expect(overview).toContain('Sharing on public-interest grounds');
    await checkPage(practitioner, 'sharing-advice-overview-ready-for-approval');
    await practitioner.getByRole('button', { name: 'Send for approval' }).click();
    await practitioner.waitForURL(`**/decisions/${decisionId}?done=sent`);
    await checkPage(practitioner, 'sharing-advice-overview-sent');
  });

  it('the Caldicott Guardian approves it from the approvals queue, with the whole decision in front of her', async () => {
    await guardian.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await guardian.waitForURL('**/approvals');
    const queue = guardian.getByRole('table', { name: /^Waiting for your decision/ });
    const row = (await queue.getByRole('row').nth(1).innerText()).replace(/\s+/g, ' ');
    for (const text of [
      reference,
      'Sharing on public-interest grounds',
      'Priya Sharma',
      'Caldicott Guardian',
    ])
      expect(row).toContain(text);
    await checkPage(guardian, 'sharing-approval-queue');

    await queue.getByRole('link', { name: `${reference} (approval request)` }).click();
    await guardian.waitForURL(/\/approvals\/[0-9a-f-]{36}$/);
    const approval = await mainText(guardian);
    for (const text of [
      'Leo Fairbrother: Consent was withdrawn',
      'Public-interest justification',
      'The school has seen unexplained bruising twice this month',
      'Risks of not sharing',
      'Yes, if the facts show a risk of significant harm.',
    ])
      expect(approval).toContain(text);
    await checkPage(guardian, 'sharing-approval-request');

    await guardian.getByRole('group', { name: 'Do you approve this request?' }).getByLabel('Refuse').check();
    await guardian.getByRole('button', { name: 'Send your decision' }).click();
    expect(await guardian.locator('.govuk-error-summary').innerText()).toContain(
      'Enter the reason you are refusing this request',
    );
    await checkPage(guardian, 'sharing-approval-request-errors');

    await guardian.getByRole('group', { name: 'Do you approve this request?' }).getByLabel('Approve').check();
    await guardian
      .getByLabel('Reason')
      .fill('The justification is based on the facts and only the necessary health information is shared.');
    await guardian.getByRole('button', { name: 'Send your decision' }).click();
    await guardian.waitForURL('**/approvals?done=approved');
    expect(await guardian.locator('.govuk-notification-banner--success').innerText()).toContain(
      'Your approval has been recorded',
    );
    expect(await mainText(guardian)).toContain('Approved');
    await checkPage(guardian, 'sharing-approval-decided');
  });

  it('the practitioner records the share', async () => {
    await practitioner.goto(`/decisions/${decisionId}`);
    await checkPage(practitioner, 'sharing-advice-overview-approved');
    await practitioner.getByRole('button', { name: 'Check your answers' }).click();
    await practitioner.waitForURL(`**/decisions/${decisionId}/check-your-answers`);
    await checkPage(practitioner, 'sharing-advice-check');
    await practitioner.getByRole('button', { name: 'Record decision' }).click();
    await practitioner.waitForURL(`**/decisions/${decisionId}/confirmation`);
    await checkPage(practitioner, 'sharing-advice-recorded');

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
