import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { checkPage, createJourneyStaff, freshCode, startJourney, type Journey } from './e2e-harness.ts';

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
    await checkPage(page, 'sign-in');
    await page.getByLabel('Email address').fill('nobody@swindon.gov.uk');
    await page.getByLabel('Password', { exact: true }).fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Enter a correct email address and password');
    await checkPage(page, 'sign-in-error');
    for (const [path, name] of [
      ['/accessibility', 'accessibility'],
      ['/privacy', 'privacy'],
      ['/cookies', 'cookies'],
      ['/no-such-page', 'not-found'],
    ] as const) {
      await page.goto(path);
      await checkPage(page, name);
    }
  });

  it('signs a member of staff in with a password and a one-time code, and out again', async () => {
    const staff = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
    const page = await journey.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password', { exact: true }).fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/sign-in/code');
    await checkPage(page, 'sign-in-code');
    await page
      .getByLabel('Enter the code from your authenticator app')
      .fill(await freshCode(staff.mfaSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.locator('h1').textContent()).toContain('Welcome, Priya Sharma');
    await checkPage(page, 'home-practitioner');
    // Pages outside the practitioner's roles answer with an accessible 403 page.
    await page.goto('/admin/staff');
    expect(await page.locator('h1').textContent()).toContain('You do not have access to this page');
    await checkPage(page, 'forbidden');
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signed-out');
    await checkPage(page, 'signed-out');
  });
});
