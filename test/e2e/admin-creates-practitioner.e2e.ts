import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { currentCode } from '../../src/auth/index.ts';
import { createJourneyStaff, startJourney, type Journey } from './e2e-harness.ts';
import { HomePage } from './pages/home.page.ts';
import {
  ChoosePasswordPage,
  SetUpAuthenticatorPage,
  SignedOutPage,
  signIn,
  SignInPage,
} from './pages/sign-in.page.ts';
import { StaffListPage, StaffNewPage, StaffShowPage } from './pages/staff.page.ts';

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

    const home = await signIn(page, admin);
    await home.check('home-admin');

    await page.getByRole('link', { name: 'Staff', exact: true }).first().click();
    const staffList = await StaffListPage.verifyOnPage(page);
    await staffList.check('staff-list');
    await staffList.createMemberOfStaff();
    await page.waitForURL('**/admin/staff/new');
    const staffNew = await StaffNewPage.verifyOnPage(page);
    await staffNew.check('staff-new');

    // A first attempt with a common password is refused with a GOV.UK error summary.
    await staffNew.fillIn({
      fullName: 'Priya Sharma',
      email: 'priya.sharma@swindon.gov.uk',
      role: 'Practitioner',
      firstPassword: 'password1234',
    });
    await staffNew.createAccount();
    expect(await staffNew.errorSummaryText()).toContain('too common');
    await staffNew.check('staff-new-error');

    const practitionerPassword = 'kettle orchard lantern 42';
    await staffNew.setFirstPassword(practitionerPassword);
    await staffNew.createAccount();
    const staffShow = await StaffShowPage.verifyOnPage(page, 'Priya Sharma');
    expect(await staffShow.successBannerText()).toContain('Account created');
    await staffShow.check('staff-show');
    await staffShow.signOut();
    await SignedOutPage.verifyOnPage(page);

    // The practitioner signs in for the first time, replaces the password the administrator gave
    // them with their own, and sets up their authenticator app.
    await (await SignInPage.open(page)).signIn('priya.sharma@swindon.gov.uk', practitionerPassword);
    await page.waitForURL('**/sign-in/change-password');
    await (await ChoosePasswordPage.verifyOnPage(page)).check('choose-password');
    await page.goto('/');
    await page.waitForURL('**/sign-in/change-password');
    const choosePassword = await ChoosePasswordPage.verifyOnPage(page);
    await choosePassword.choosePassword(practitionerPassword);
    expect(await choosePassword.errorSummaryText()).toContain('must be different');
    await choosePassword.check('choose-password-error');
    await choosePassword.choosePassword('quill meadow harbour 17');
    await page.waitForURL('**/sign-in/set-up-authenticator');
    const setUp = await SetUpAuthenticatorPage.verifyOnPage(page);
    await setUp.check('set-up-authenticator');
    const manualKey = await setUp.manualKey();
    expect(manualKey).toMatch(/^[A-Z2-7]{32}$/);
    await setUp.enterCode(currentCode(manualKey, new Date()));
    const newHome = await HomePage.verifyOnPage(page, 'Priya Sharma');
    expect(await newHome.heading.innerText()).toContain('Welcome, Priya Sharma');
    await newHome.check('home-new-practitioner');
  });
});
