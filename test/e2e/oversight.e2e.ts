import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { seedDecision, seedDisclosure } from '../support/oversight-seed.ts';
import {
  checkPage,
  createJourneyStaff,
  startJourney,
  type Journey,
  type JourneyStaff,
} from './e2e-harness.ts';
import { signIn } from './pages/sign-in.page.ts';

/**
 * The Data Protection Officer's oversight (R6.1, R2.23): she opens the dashboard and sees the
 * counts of a seeded year of sharing (and what needs action), lists the organisation's decisions,
 * then opens the audit trail and finds a child by name. axe checks each page.
 */

let journey: Journey;
let dana: JourneyStaff;
let page: Page;
let childId: string;

/** The figures of one dashboard table, by row label (the table is read whether its details are open or not). */
async function figures(table: string): Promise<Record<string, string>> {
  const rows = await page.locator(`[data-table="${table}"] tbody tr`).all();
  const result: Record<string, string> = {};
  for (const row of rows) {
    const label = (await row.locator('th').textContent())?.trim() ?? '';
    result[label] = (await row.locator('td').textContent())?.trim() ?? '';
  }
  return result;
}

beforeAll(async () => {
  journey = await startJourney();
  const { services, db } = journey;
  const councilId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  const policeId = await services.orgs.create(systemActor, {
    name: 'Wiltshire Police',
    kind: 'police',
    switchboardPhone: '01380722341',
    hosted: false,
  });
  dana = await createJourneyStaff(journey, ['dpo'], councilId, 'Dana Okafor');
  const priya = await createJourneyStaff(journey, ['practitioner'], councilId, 'Priya Sharma');
  childId = await services.people.register(
    systemActor,
    councilId,
    {
      givenNames: 'Amelia',
      familyName: 'Hughes',
      knownAs: null,
      dateOfBirth: '2016-05-14',
      nhsNumber: null,
      localReference: 'SBC-204411',
      upn: null,
      externalId: null,
      addressLine1: '12 Commercial Road',
      addressLine2: null,
      town: 'Swindon',
      postcode: 'SN1 5NS',
    },
    { allocateTo: priya.id },
  );
  // Three disclosures this month by secure exchange and one by post; one share without consent; one refusal.
  const month = new Date().toISOString().slice(0, 7);
  const shared = await seedDecision(db, {
    organisationId: councilId,
    recordedBy: priya.id,
    recordedAt: `${month}-01T09:00:00Z`,
    article6: 'public-task',
    withoutConsent: true,
    recipientOrganisationIds: [policeId],
    personIds: [childId],
  });
  for (const [hour, method] of [
    ['09', 'secure-exchange'],
    ['10', 'secure-exchange'],
    ['11', 'secure-exchange'],
    ['12', 'post'],
  ] as const)
    await seedDisclosure(db, {
      organisationId: councilId,
      decisionId: shared,
      disclosedBy: priya.id,
      disclosedAt: `${month}-01T${hour}:30:00Z`,
      method,
      recipientOrganisationId: policeId,
      ...(method === 'post' ? { receiptDueOn: `${month}-01` } : {}),
    });
  await seedDecision(db, {
    organisationId: councilId,
    recordedBy: priya.id,
    recordedAt: `${month}-01T14:00:00Z`,
    outcome: 'not-share',
    article6: 'public-task',
    notShareReasonIds: ['not-necessary'],
  });
  page = await journey.newPage();
  await signIn(page, dana);
});

describe('the DPO oversees sharing', () => {
  it('opens the dashboard from her home page and sees the right counts', async () => {
    await page.getByRole('link', { name: 'Oversight dashboard' }).first().click();
    await page.waitForURL('**/oversight');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Oversight dashboard');
    expect(await figures('methods')).toEqual({ 'Secure exchange': '3', Post: '1' });
    expect(await figures('recipients')).toEqual({ 'Wiltshire Police': '4' });
    expect(Object.values(await figures('without-consent'))).toEqual(['1']);
    expect(await figures('refusals')).toEqual({
      'The information is not necessary for the stated purpose': '1',
    });
    await expect(page.locator('#actions').textContent()).resolves.toMatch(/1\s*receipt overdue/);
    await expect(page.locator('svg[role="img"]').count()).resolves.toBe(5);
    await page.getByText('Disclosures by method: the figures as a table').click();
    await checkPage(page, 'oversight-dashboard');
  });

  it("lists the organisation's decisions, naming the child", async () => {
    await page.getByRole('link', { name: 'list the decisions' }).click();
    await page.waitForURL('**/oversight/decisions**');
    await expect(page.locator('#total').textContent()).resolves.toContain('2 decisions match');
    await expect(page.getByRole('table').textContent()).resolves.toContain('Amelia Hughes');
    await checkPage(page, 'oversight-decisions');
  });

  it('opens the audit trail and finds the child by name', async () => {
    await page.goto('/audit');
    await page.getByLabel('Find a person by name').fill('Amelia Hughes');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator('#people-found + ul').getByRole('link', { name: 'Amelia Hughes' }).click();
    await page.waitForURL(`**/audit?person=${childId}`);
    expect(page.url()).not.toMatch(/amelia|hughes/i);
    const titles = await page.locator('.moj-timeline__title').allTextContents();
    expect(titles).toContain('Added a person');
    expect(titles.every((title) => !/^[a-z_]+\.[a-z_]+$/.test(title))).toBe(true);
    await expect(page.locator('.moj-timeline__item time[datetime]').count()).resolves.toBe(titles.length);
    await checkPage(page, 'audit-trail-person');
  });
});
