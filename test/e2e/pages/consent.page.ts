import type { Download, Page } from 'playwright-core';
import { SafesharePage, tidy, verifyHeading } from './safeshare-page.ts';

/** A person's consent records, newest first, and the history of what happened to them. */
export class ConsentListPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentListPage> {
    await verifyHeading(page, 'Consent');
    return new ConsentListPage(page);
  }

  async records(): Promise<string[]> {
    return this.tableRows('Consent records, newest first');
  }

  /** The heading of the history entry that says this: the nearest level 3 heading before it. */
  async historyEntrySaying(text: string): Promise<string> {
    const said = this.main.getByText(text);
    return tidy(await said.locator('xpath=preceding::h3[1]').innerText());
  }

  /** The timeline's entries, by their headings (level 3, under the "Consent history" heading). */
  async historyEntries(): Promise<string[]> {
    return (await this.main.getByRole('heading', { level: 3 }).allInnerTexts()).map(tidy);
  }
}

export class ConsentNewPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentNewPage> {
    await verifyHeading(page, 'Record consent');
    return new ConsentNewPage(page);
  }
}

export class ConsentCheckPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentCheckPage> {
    await verifyHeading(page, 'Check your answers before saving the consent record');
    return new ConsentCheckPage(page);
  }

  async save(): Promise<void> {
    await this.clickButton('Save consent record');
  }
}

/** One consent record; its heading is the decision, such as "Consent given". */
export class ConsentShowPage extends SafesharePage {
  static async verifyOnPage(page: Page, decision: string): Promise<ConsentShowPage> {
    await verifyHeading(page, decision);
    return new ConsentShowPage(page);
  }
}

export class ConsentWithdrawPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentWithdrawPage> {
    await verifyHeading(page, 'Record that consent has been withdrawn');
    return new ConsentWithdrawPage(page);
  }
}

/** The family's consent notice, in words they can read; its heading names the child. */
export class ConsentNoticePage extends SafesharePage {
  static async verifyOnPage(page: Page, givenName: string): Promise<ConsentNoticePage> {
    await verifyHeading(page, `What we will share about ${givenName}, and why`);
    return new ConsentNoticePage(page);
  }

  async downloadPdf(): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.clickLink('Download as PDF'),
    ]);
    return download;
  }
}

export class ConsentReviewsPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentReviewsPage> {
    await verifyHeading(page, 'Consent reviews');
    return new ConsentReviewsPage(page);
  }
}
