import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import type { Role, Viewer } from '../../src/auth/index.ts';
import { roles } from '../../src/auth/index.ts';
import { londonToday } from '../../src/lib/time.ts';
import { addPerson, everyMethodId, givenConsentAnswers } from '../support/consent-fixtures.ts';
import { letterDisclosure } from '../support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';
import {
  checkPage,
  createJourneyStaff,
  freshCode,
  startJourney,
  type Journey,
  type JourneyStaff,
} from './e2e-harness.ts';
import { HomePage } from './pages/home.page.ts';
import { CodePage, SignInPage } from './pages/sign-in.page.ts';

/**
 * The page layer as new users met it (the issue "A routine share in six pages"): every file a page
 * asks for is there, the navigation fits one row at 1,280 pixels for every role, no page with a table
 * scrolls sideways on a 375-pixel phone, and each role's home page and the More page pass axe.
 */
let journey: Journey;
let councilId: string;
const people = new Map<string, JourneyStaff>();
/** Anything a page asked for that Safeshare answered with an error, as "status url (page)". */
const failures: string[] = [];
let decisionId: string;
let childId: string;

const roleNames: Record<Role, string> = {
  practitioner: 'Priya Sharma',
  manager: 'Tom Hughes',
  caldicott_guardian: 'Helen Carter',
  dpo: 'Dana Okafor',
  ig_lead: 'Iris Lane',
  child_protection_adviser: 'Carl Mensah',
  it_service_desk: 'Ian Desk',
  auditor: 'Ade Bello',
  admin: 'Alex Morgan',
  platform_operator: 'Pat Quinn',
};

function viewerOf(name: string, viewerRoles: readonly Role[]): Viewer {
  const member = people.get(name);
  if (member === undefined) throw new Error(`no ${name} in this council`);
  return {
    userId: member.id,
    displayName: name,
    email: member.email,
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
    roles: viewerRoles,
  };
}

beforeAll(async () => {
  journey = await startJourney();
  const { services } = journey;
  councilId = await services.orgs.create(systemActor, {
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
  const manager = await createJourneyStaff(journey, ['manager'], councilId, roleNames.manager);
  people.set(roleNames.manager, manager);
  for (const role of roles.filter((each) => each !== 'manager')) {
    const lineManager = role === 'practitioner' ? manager.id : null;
    people.set(
      roleNames[role],
      await createJourneyStaff(journey, [role], councilId, roleNames[role], lineManager),
    );
  }
  people.set('Sam Everything', await createJourneyStaff(journey, roles, councilId, 'Sam Everything'));
  people.set(
    'Jo Both',
    await createJourneyStaff(journey, ['practitioner', 'manager'], councilId, 'Jo Both', manager.id),
  );

  // A routine share recorded and sent by signed-for post, its receipt awaited; consent due for review
  // next week; an incident reported: every table those pages have holds a row.
  const asPriya = viewerOf(roleNames.practitioner, ['practitioner']);
  const today = londonToday(new Date());
  childId = await addPerson({ people: services.people, consents: services.consent }, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: asPriya.userId,
  });
  await services.consent.record(
    asPriya,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      reviewOn: new Date(Date.parse(`${today}T12:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10),
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  decisionId = (
    await services.sharing.recordComplete(asPriya, routineShareAnswers({ personIds: [childId], schoolId }))
  ).id;
  await services.disclosures.record(asPriya, decisionId, letterDisclosure() as never);
  // Found an hour ago, and lost that day (in the first hour of a London day, the day before).
  const awareAt = new Date(Date.now() - 3_600_000);
  await services.incidents.report(asPriya, {
    kind: 'lost-or-stolen',
    whatHappened: 'A bag with a case file was left on a train to Bristol Temple Meads.',
    happenedOn: londonToday(awareAt),
    awareAt,
    information: 'A case file about one family.',
    peopleAffected: 3,
    peopleEstimated: false,
    actionsTaken: 'Rang the train operator’s lost property office.',
  });
});

/** Each person's browser, signed in once: a second sign-in in the same 30 seconds would reuse a one-time code. */
const browsers = new Map<string, Page>();
async function signedIn(name: string): Promise<Page> {
  const open = browsers.get(name);
  if (open !== undefined) return open;
  const member = people.get(name);
  if (member === undefined) throw new Error(`no ${name} in this council`);
  const page = await journey.newPage();
  page.on('response', (response) => {
    if (response.status() >= 400)
      failures.push(`${String(response.status())} ${response.url()} (${page.url()})`);
  });
  page.on('requestfailed', (request) => failures.push(`failed ${request.url()} (${page.url()})`));
  await (await SignInPage.open(page)).signIn(member.email, member.password);
  await (await CodePage.verifyOnPage(page)).enterCode(await freshCode(member.mfaSecret));
  await HomePage.verifyOnPage(page, name);
  browsers.set(name, page);
  return page;
}

/** How many rows the main navigation's items sit on, and how tall it is. */
async function navigationRows(
  page: Page,
): Promise<{ rows: number; items: number; height: number; itemHeight: number }> {
  return page.evaluate(`(() => {
    const list = document.querySelector('nav[aria-label="Main"] ul');
    const items = [...list.querySelectorAll('li')];
    return {
      rows: new Set(items.map((item) => Math.round(item.getBoundingClientRect().top))).size,
      items: items.length,
      height: list.getBoundingClientRect().height,
      itemHeight: items[0].getBoundingClientRect().height,
    };
  })()`);
}

async function pageWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

describe('the navigation at 1,280 pixels', () => {
  it('fits on one row for every role, for someone holding every role, and for a practitioner who manages', async () => {
    for (const name of [...roles.map((role) => roleNames[role]), 'Sam Everything', 'Jo Both']) {
      const page = await signedIn(name);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/');
      const navigation = await navigationRows(page);
      expect(navigation.rows, `${name}: ${JSON.stringify(navigation)}`).toBe(1);
      expect(navigation.height, name).toBeLessThan(navigation.itemHeight * 1.5);
      // Who is signed in, and signing out, sit in the header: not a row of the navigation.
      expect(await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
      await checkPage(page, `layout-home-${name.toLowerCase().replace(/\s+/g, '-')}`);
    }
  });

  it('keeps every page reachable through More, without JavaScript too', async () => {
    const page = await signedIn('Sam Everything');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
    await page.waitForURL('**/more');
    const more = page.getByRole('main');
    for (const name of [
      'Staff',
      'Partner directory',
      'Email outbox',
      'Audit trail',
      'Off site',
      'Media',
      'Received',
    ])
      expect(await more.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    await checkPage(page, 'layout-more');

    // A practitioner who signs in only here, so that no other browser has used this step's code.
    const member = await createJourneyStaff(journey, ['practitioner'], councilId, 'Noor Khan');
    const context = await journey.browser.newContext({
      baseURL: journey.baseUrl,
      javaScriptEnabled: false,
      viewport: { width: 375, height: 800 },
    });
    try {
      const noScript = await context.newPage();
      await (await SignInPage.open(noScript)).signIn(member.email, member.password);
      await (await CodePage.verifyOnPage(noScript)).enterCode(await freshCode(member.mfaSecret));
      await HomePage.verifyOnPage(noScript, 'Noor Khan');
      // Without JavaScript the navigation is a plain list on a phone: More is a link like the rest.
      await noScript.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
      await noScript.waitForURL('**/more');
      await noScript.getByRole('main').getByRole('link', { name: 'Off site', exact: true }).click();
      await noScript.waitForURL('**/off-site');
      expect(await pageWidth(noScript)).toBeLessThanOrEqual(375);
    } finally {
      await context.close();
    }
  });
});

describe('pages with tables at 375 pixels', () => {
  it('never scroll sideways: wide tables scroll in their own labelled region instead, and axe finds nothing', async () => {
    const pages: Record<string, string[]> = {
      [roleNames.practitioner]: [
        '/',
        '/more',
        '/disclosures/receipts',
        `/decisions/${decisionId}`,
        `/people/${childId}/sharing`,
        '/consents/reviews',
        '/decisions',
        '/incidents',
      ],
      [roleNames.manager]: ['/', '/team', '/consents/reviews'],
      [roleNames.dpo]: ['/', '/incidents', '/audit', '/disclosures/receipts'],
      [roleNames.admin]: ['/', '/admin/staff', '/admin/organisations', '/admin/outbox'],
      [roleNames.it_service_desk]: ['/', '/incidents', '/media'],
      [roleNames.auditor]: ['/', '/audit'],
    };
    let regions = 0;
    for (const [name, paths] of Object.entries(pages)) {
      const page = await signedIn(name);
      await page.setViewportSize({ width: 375, height: 800 });
      for (const path of paths) {
        await page.goto(path);
        expect(await pageWidth(page), `${name} ${path}`).toBeLessThanOrEqual(375);
        const tables = await page.locator('table.govuk-table').count();
        const wrapped = page.getByRole('region').filter({ has: page.locator('table.govuk-table') });
        expect(await wrapped.count(), `${name} ${path}`).toBe(tables);
        regions += tables;
        await checkPage(
          page,
          `layout-375${path.replace(/[^a-z0-9]+/gi, '-')}-${name.split(' ')[0]?.toLowerCase() ?? ''}`,
        );
      }
    }
    expect(regions).toBeGreaterThan(8);
    // The disclosures table is wider than a phone: it scrolls inside its region, which takes focus to be scrolled.
    const page = await signedIn(roleNames.practitioner);
    await page.goto(`/decisions/${decisionId}`);
    const region = page.getByRole('region', { name: /^Disclosures made under this decision/ });
    // Focused, so that a string (this file needs no DOM types) can find it in the page.
    await region.focus();
    expect(
      await page.evaluate<boolean>('document.activeElement.scrollWidth > document.activeElement.clientWidth'),
    ).toBe(true);
    // The arrow keys scroll it (smoothly: the browser takes a moment).
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate<number>('document.activeElement.scrollLeft')).toBeGreaterThan(0);
  });
});

describe('the files pages ask for', () => {
  it('were all there: no page visited asked for anything Safeshare answered with an error', () => {
    expect(browsers.size).toBeGreaterThan(5);
    expect(failures).toEqual([]);
  });
});
