import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The administrator's page that sets their organisation's own OpenID provider. */
export class SingleSignOnSettingsPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SingleSignOnSettingsPage> {
    await page.waitForURL((url) => url.pathname === '/admin/single-sign-on');
    await verifyHeading(page, 'Single sign-on');
    return new SingleSignOnSettingsPage(page);
  }

  async save(answers: {
    readonly issuer: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly domains: string;
    readonly createAccounts: 'Yes' | 'No';
  }): Promise<void> {
    await this.fill('Issuer', answers.issuer);
    await this.fill('Client ID', answers.clientId);
    await this.fill('Client secret', answers.clientSecret);
    await this.fill('Email domains', answers.domains);
    await this.choose('Create an account at someone’s first sign-in?', answers.createAccounts);
    await this.clickButton('Save single sign-on settings');
  }
}

/** Where a sign-in with the organisation's account ends when Safeshare refuses it. */
export class SingleSignOnRefusedPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SingleSignOnRefusedPage> {
    await verifyHeading(page, 'You could not be signed in');
    return new SingleSignOnRefusedPage(page);
  }
}

/** Starts a sign-in with the organisation's account from the sign-in page. */
export async function continueWithOrganisation(page: Page, workEmail: string): Promise<void> {
  await page.getByLabel('Work email', { exact: true }).fill(workEmail);
  await page.getByRole('button', { name: 'Continue to your organisation' }).click();
}

/** The page between Safeshare's sign-in page and the provider's (a link: the CSP stops a form being redirected away). */
export class ContinueToProviderPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ContinueToProviderPage> {
    await verifyHeading(page, 'Continue to your organisation’s sign-in page');
    return new ContinueToProviderPage(page);
  }

  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue to sign in' }).click();
  }
}
