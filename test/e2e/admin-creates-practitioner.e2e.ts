import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { currentCode } from '../../src/auth/index.ts';
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

describe('an administrator creates a practitioner, who signs in, chooses their own password and sets up MFA', () => {
  it('works end to end in Chromium, with no accessibility violations on any page', async () => {
    const admin = await createJourneyStaff(journey, ['admin'], organisationId, 'Alex Morgan');
    const page = await journey.newPage();

    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/sign-in/code');
    await page
      .getByLabel('Enter the code from your authenticator app')
      .fill(await freshCode(admin.mfaSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await checkPage(page, 'home-admin');

    await page.getByRole('link', { name: 'Staff', exact: true }).first().click();
    await page.waitForURL('**/admin/staff');
    await checkPage(page, 'staff-list');
    await page
      .getByRole('button', { name: 'Create a member of staff' })
      .or(page.getByRole('link', { name: 'Create a member of staff' }))
      .click();
    await page.waitForURL('**/admin/staff/new');
    await checkPage(page, 'staff-new');

    // A first attempt with a common password is refused with a GOV.UK error summary.
    await page.getByLabel('Full name').fill('Priya Sharma');
    await page.getByLabel('Email address').fill('priya.sharma@swindon.gov.uk');
    await page.getByLabel('Practitioner').check();
    await page.getByLabel('First password', { exact: true }).fill('password1234');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('too common');
    await checkPage(page, 'staff-new-error');

    const practitionerPassword = 'kettle orchard lantern 42';
    await page.getByLabel('First password', { exact: true }).fill(practitionerPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/admin\/staff\/[0-9a-f-]{36}/);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Account created');
    await checkPage(page, 'staff-show');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signed-out');

    // The practitioner signs in for the first time, replaces the password the administrator gave
    // them with their own, and sets up their authenticator app.
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill('priya.sharma@swindon.gov.uk');
    await page.getByLabel('Password', { exact: true }).fill(practitionerPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/sign-in/change-password');
    await checkPage(page, 'choose-password');
    await page.goto('/');
    await page.waitForURL('**/sign-in/change-password');
    await page.getByLabel('New password', { exact: true }).fill(practitionerPassword);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('must be different');
    await checkPage(page, 'choose-password-error');
    await page.getByLabel('New password', { exact: true }).fill('quill meadow harbour 17');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/sign-in/set-up-authenticator');
    await checkPage(page, 'set-up-authenticator');
    await page.getByText('I cannot scan the QR code').click();
    const manualKey = ((await page.locator('#manual-key').textContent()) ?? '').replace(/\s/g, '');
    expect(manualKey).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from your authenticator app').fill(currentCode(manualKey, new Date()));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.locator('h1').textContent()).toContain('Welcome, Priya Sharma');
    await checkPage(page, 'home-new-practitioner');
  });
});
