import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { createJourneyStaff, freshCode, startJourney, type Journey } from './e2e-harness.ts';
import { HomePage, InformationPage, RefusalPage } from './pages/home.page.ts';
import { CodePage, SignedOutPage, SignInPage } from './pages/sign-in.page.ts';

let journey: Journey;
let organisationId: string;

beforeAll(async () => {
  journey = await startJourney();
  organisationId = await journey.services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01632960001',
    hosted: true,
  });
});

describe('signing in', () => {
  it('shows the public pages accessibly, and a clear error for a wrong password', async () => {
    const page = await journey.newPage();
    await page.goto('/');
    await expect.poll(() => page.url()).toContain('/sign-in');
    const signInPage = await SignInPage.verifyOnPage(page);
    await signInPage.check('sign-in');
    await signInPage.signIn('nobody@swindon.gov.uk', 'not the right password');
    expect(await signInPage.errorSummaryText()).toContain('Enter a correct email address and password');
    await signInPage.check('sign-in-error');
    for (const [path, name] of [
      ['/accessibility', 'accessibility'],
      ['/privacy', 'privacy'],
      ['/cookies', 'cookies'],
    ] as const) {
      await (await InformationPage.open(page, path)).check(name);
    }
    await page.goto('/no-such-page');
    await (await RefusalPage.verifyOnPage(page, 'Page not found')).check('not-found');
  });

  it('signs a member of staff in with a password and a one-time code, and out again', async () => {
    const staff = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
    const page = await journey.newPage();
    await (await SignInPage.open(page)).signIn(staff.email, staff.password);
    const codePage = await CodePage.verifyOnPage(page);
    await codePage.check('sign-in-code');
    await codePage.enterCode(await freshCode(staff.mfaSecret));
    const home = await HomePage.verifyOnPage(page, 'Priya Sharma');
    expect(await home.heading.innerText()).toContain('Welcome, Priya Sharma');
    await home.check('home-practitioner');
    // Pages outside the practitioner's roles answer with an accessible 403 page.
    await page.goto('/admin/staff');
    await (await RefusalPage.verifyOnPage(page, 'You do not have access to this page')).check('forbidden');
    await page.goto('/');
    await (await HomePage.verifyOnPage(page, 'Priya Sharma')).signOut();
    await (await SignedOutPage.verifyOnPage(page)).check('signed-out');
  });
});
