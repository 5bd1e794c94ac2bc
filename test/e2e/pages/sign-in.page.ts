import type { Page } from 'playwright-core';
import { freshCode, type JourneyStaff } from '../e2e-harness.ts';
import { HomePage } from './home.page.ts';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

export class SignInPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SignInPage> {
    await verifyHeading(page, 'Sign in to Safeshare');
    return new SignInPage(page);
  }

  static async open(page: Page): Promise<SignInPage> {
    await page.goto('/sign-in');
    return SignInPage.verifyOnPage(page);
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email address').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.clickButton('Sign in');
  }
}

/** The second step of signing in: the one-time code from an authenticator app. */
export class CodePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<CodePage> {
    await page.waitForURL('**/sign-in/code');
    await verifyHeading(page, 'Enter the code from your authenticator app');
    return new CodePage(page);
  }

  async enterCode(code: string): Promise<void> {
    await this.page.getByLabel('Enter the code from your authenticator app').fill(code);
    await this.clickButton('Continue');
  }
}

/** A first sign-in, or one after a reset: the member of staff replaces the password they were given. */
export class ChoosePasswordPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ChoosePasswordPage> {
    await verifyHeading(page, 'Choose a new password');
    return new ChoosePasswordPage(page);
  }

  async choosePassword(password: string): Promise<void> {
    await this.fill('New password', password);
    await this.clickButton('Continue');
  }
}

export class SetUpAuthenticatorPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SetUpAuthenticatorPage> {
    await verifyHeading(page, 'Set up your authenticator app');
    return new SetUpAuthenticatorPage(page);
  }

  /** Opens "I cannot scan the QR code" and reads the key it shows, without its spaces. */
  async manualKey(): Promise<string> {
    await this.page.getByText('I cannot scan the QR code').click();
    const instructions = this.page.getByText('Enter this key in your app, choosing a time-based code:');
    // The key is the paragraph that follows the instruction to enter it.
    const key = instructions.locator('xpath=following-sibling::p[1]');
    return (await key.innerText()).replace(/\s/g, '');
  }

  async enterCode(code: string): Promise<void> {
    await this.page.getByLabel('Code from your authenticator app').fill(code);
    await this.clickButton('Continue');
  }
}

export class SignedOutPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SignedOutPage> {
    await page.waitForURL('**/signed-out');
    await verifyHeading(page, 'You have signed out');
    return new SignedOutPage(page);
  }
}

/** Signs a member of staff in through the real pages: password, then a fresh one-time code. */
export async function signIn(page: Page, staff: JourneyStaff): Promise<HomePage> {
  await (await SignInPage.open(page)).signIn(staff.email, staff.password);
  await (await CodePage.verifyOnPage(page)).enterCode(await freshCode(staff.mfaSecret));
  return HomePage.verifyOnPage(page, staff.displayName);
}
