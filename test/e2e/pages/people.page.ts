import type { Locator, Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The people index, and the search results it shows. */
export class PeoplePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<PeoplePage> {
    await verifyHeading(page, 'People');
    return new PeoplePage(page);
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Name, NHS number or case reference').fill(text);
    await this.clickButton('Search');
  }

  get openableResults(): Locator {
    return this.page.getByRole('table', { name: /that you can open$/ });
  }
}

export class PersonRecordPage extends SafesharePage {
  static async verifyOnPage(page: Page, personName: string): Promise<PersonRecordPage> {
    await verifyHeading(page, personName);
    return new PersonRecordPage(page);
  }

  static async open(page: Page, personId: string, personName: string): Promise<PersonRecordPage> {
    await page.goto(`/people/${personId}`);
    return PersonRecordPage.verifyOnPage(page, personName);
  }

  async familyMembers(): Promise<string[]> {
    return this.tableRows('Family members');
  }

  async makeSharingDecision(): Promise<void> {
    await this.clickButton('Make a full sharing decision');
  }

  async openSharingHistory(): Promise<void> {
    await this.main.getByRole('link', { name: 'Sharing decisions', exact: true }).click();
  }
}

/** Everything shared about one person: the sharing decisions and the disclosures made under them. */
export class PersonSharingHistoryPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<PersonSharingHistoryPage> {
    await verifyHeading(page, 'Sharing decisions');
    return new PersonSharingHistoryPage(page);
  }
}
