import type { Locator, Page } from 'playwright-core';
import { SafesharePage, tidy, verifyHeading } from './safeshare-page.ts';

/** Step 1 of recording a disclosure: to whom, what, and by which method. */
export class DisclosureNewPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<DisclosureNewPage> {
    await verifyHeading(page, 'Record a disclosure');
    return new DisclosureNewPage(page);
  }

  /** The methods the method policy refuses for the recipient, each with why: opened from "Why other methods are not listed". */
  async refusedMethods(): Promise<string> {
    await this.main.getByText('Why other methods are not listed').click();
    return tidy(
      (await this.main.locator('#refused-methods').getByRole('listitem').allInnerTexts()).join(' '),
    );
  }

  async continue(): Promise<void> {
    await this.clickButton('Continue');
  }
}

/** Step 2: the checklist the chosen method demands, such as "Telephone: the checklist". */
export class DisclosureChecklistPage extends SafesharePage {
  static async verifyOnPage(page: Page, method: string): Promise<DisclosureChecklistPage> {
    await verifyHeading(page, `${method}: the checklist`);
    return new DisclosureChecklistPage(page);
  }

  /** Answers a yes/no question of the checklist, found by its question. */
  async answer(question: string, choice: 'Yes' | 'No'): Promise<void> {
    await this.choose(question, choice);
  }

  /** The number the practitioner is told to call back on, shown on its own, as written. */
  switchboardNumber(number: string): Locator {
    return this.main.getByText(number, { exact: true });
  }

  async recordDisclosure(): Promise<void> {
    await this.clickButton('Record the disclosure');
  }
}

/** A recorded disclosure; its heading is the method and the recipient, such as "Post to Wiltshire Council". */
export class DisclosureShowPage extends SafesharePage {
  static async verifyOnPage(page: Page, heading: string): Promise<DisclosureShowPage> {
    await verifyHeading(page, heading);
    return new DisclosureShowPage(page);
  }
}

export class ReceiptsPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ReceiptsPage> {
    await verifyHeading(page, 'Receipts awaited');
    return new ReceiptsPage(page);
  }

  get awaited(): Locator {
    return this.page.getByRole('table', { name: /^Receipts awaited/ });
  }
}

export class ReceiptPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ReceiptPage> {
    await verifyHeading(page, 'Record that receipt was confirmed');
    return new ReceiptPage(page);
  }

  async recordReceipt(): Promise<void> {
    await this.clickButton('Record receipt');
  }
}

export class MisdirectedPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<MisdirectedPage> {
    await verifyHeading(page, 'Misdirected information');
    return new MisdirectedPage(page);
  }
}

export class MisdirectedNewPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<MisdirectedNewPage> {
    await verifyHeading(page, 'Record misdirected information');
    return new MisdirectedNewPage(page);
  }

  async record(): Promise<void> {
    await this.clickButton('Record misdirected information');
  }
}

/** The organisations that received information under decisions that relied on a withdrawn consent (R3.3). */
export class ConsentWithdrawnPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ConsentWithdrawnPage> {
    await verifyHeading(page, 'Tell those who received information that consent was withdrawn');
    return new ConsentWithdrawnPage(page);
  }

  /** An organisation's card, by its name. */
  recipient(organisation: string): Locator {
    return this.main.locator('.govuk-summary-card').filter({ hasText: organisation });
  }

  async recordTold(organisation: string): Promise<void> {
    await this.recipient(organisation)
      .getByRole('link', { name: /^Record that they were told/ })
      .click();
  }
}

/** Recording that one organisation was told; its heading names the organisation. */
export class TellWithdrawnPage extends SafesharePage {
  static async verifyOnPage(page: Page, organisation: string): Promise<TellWithdrawnPage> {
    await verifyHeading(page, `Tell ${organisation} that consent was withdrawn`);
    return new TellWithdrawnPage(page);
  }

  async suggestedWords(): Promise<string> {
    return tidy(await this.page.locator('#suggested-words').innerText());
  }
}
