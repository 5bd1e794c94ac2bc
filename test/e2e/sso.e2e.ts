import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { createJourneyStaff, freshCode, startJourney, type Journey } from './e2e-harness.ts';
import { HomePage } from './pages/home.page.ts';
import { CodePage, SignInPage, signIn } from './pages/sign-in.page.ts';
import { StaffListPage } from './pages/staff.page.ts';
import {
  ContinueToProviderPage,
  SingleSignOnRefusedPage,
  SingleSignOnSettingsPage,
  continueWithOrganisation,
} from './pages/sso.page.ts';
import type { Page } from 'playwright-core';
import { verifyHeading } from './pages/safeshare-page.ts';

let journey: Journey;
let provider: TestProvider;
let organisationId: string;

/** A free port on loopback: the provider must know Safeshare's redirect URI before Safeshare starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  const port = await freePort();
  journey = await startJourney({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${String(port)}` });
  provider = await startTestProvider({
    redirectUris: [journey.services.oidc.redirectUri],
    postLogoutRedirectUris: [journey.services.oidc.signedOutUri],
  });
  organisationId = await journey.services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01632960001',
    hosted: true,
  });
});

/** From the sign-in page to the provider and back: the work address, then the link to the provider. */
async function throughOrganisation(page: Page, workEmail: string, screenshot?: string): Promise<void> {
  await continueWithOrganisation(page, workEmail);
  const continuePage = await ContinueToProviderPage.verifyOnPage(page);
  if (screenshot !== undefined) await continuePage.check(screenshot);
  await continuePage.continue();
}

afterAll(async () => {
  await provider.close();
});

describe('single sign-on with the organisation’s account', () => {
  it('lets an administrator set the provider, then staff sign in through it', async () => {
    // The administrator signs in with a password and code (the break-glass way) and sets the provider.
    const admin = await createJourneyStaff(journey, ['admin'], organisationId, 'Morgan Ellis');
    const adminPage = await journey.newPage();
    await (await signIn(adminPage, admin)).check('sso-admin-home');
    await adminPage.goto('/admin/staff');
    const staffList = await StaffListPage.verifyOnPage(adminPage);
    await staffList.check('sso-staff-list');
    await staffList.clickLink('Single sign-on settings');
    const settings = await SingleSignOnSettingsPage.verifyOnPage(adminPage);
    await settings.check('sso-settings');
    await settings.save({
      issuer: 'https://nhs.example/',
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      domains: 'nhs.net',
      createAccounts: 'No',
    });
    const refused = await SingleSignOnSettingsPage.verifyOnPage(adminPage);
    expect(await refused.errorSummary.innerText()).toContain('nhs.net cannot be used for single sign-on');
    await refused.check('sso-settings-error');
    await refused.save({
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      domains: 'swindon.gov.uk',
      createAccounts: 'No',
    });
    const saved = await SingleSignOnSettingsPage.verifyOnPage(adminPage);
    expect(await saved.main.innerText()).toContain('A client secret is set');
    expect(await adminPage.content()).not.toContain(provider.clientSecret);
    await saved.check('sso-settings-saved');

    // A practitioner whose provider asserts MFA goes straight to the home page.
    const practitioner = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Priya Sharma');
    provider.addAccount('priya', { email: practitioner.email, emailVerified: true, amr: ['pwd', 'mfa'] });
    provider.signInAs('priya');
    const page = await journey.newPage();
    const signInPage = await SignInPage.open(page);
    await signInPage.check('sso-sign-in');
    await continueWithOrganisation(page, 'someone@elsewhere.gov.uk');
    const unknownDomain = await SignInPage.verifyOnPage(page);
    expect(await unknownDomain.errorSummary.innerText()).toContain(
      'Your organisation does not sign in to Safeshare with its own account',
    );
    await unknownDomain.check('sso-sign-in-unknown-domain');
    await throughOrganisation(page, practitioner.email, 'sso-continue');
    const home = await HomePage.verifyOnPage(page, 'Priya Sharma');
    expect(page.url()).not.toContain(practitioner.email);
    await home.check('sso-home');
    await home.signOut();
    await page.waitForURL((url) => url.pathname === '/signed-out');
    await verifyHeading(page, 'You have signed out');
    const signedOut = new SingleSignOnRefusedPage(page);
    await signedOut.check('sso-signed-out');
    await signedOut.clickLink('Sign out of your organisation’s account');
    await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/session/end`));

    // Without MFA from the provider, Safeshare's own one-time code is asked for.
    provider.addAccount('priya-password-only', {
      email: practitioner.email,
      emailVerified: true,
      amr: ['pwd'],
    });
    provider.signInAs('priya-password-only');
    const second = await journey.newPage();
    await SignInPage.open(second);
    await throughOrganisation(second, practitioner.email);
    const codePage = await CodePage.verifyOnPage(second);
    await codePage.check('sso-code');
    await codePage.enterCode(await freshCode(practitioner.mfaSecret));
    await (await HomePage.verifyOnPage(second, 'Priya Sharma')).check('sso-home-after-code');

    // Someone the provider knows but Safeshare does not is refused with a clear page.
    provider.addAccount('stranger', {
      email: 'jordan.stranger@swindon.gov.uk',
      emailVerified: true,
      amr: ['mfa'],
    });
    provider.signInAs('stranger');
    const third = await journey.newPage();
    await SignInPage.open(third);
    await throughOrganisation(third, 'jordan.stranger@swindon.gov.uk');
    const refusal = await SingleSignOnRefusedPage.verifyOnPage(third);
    expect(await refusal.main.innerText()).toContain(
      'there is no Safeshare account for your work email address',
    );
    await refusal.check('sso-refused');
  });
});
