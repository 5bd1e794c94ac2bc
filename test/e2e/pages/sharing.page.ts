import type { Locator, Page } from 'playwright-core';
import { SafesharePage, tidy, verifyHeading } from './safeshare-page.ts';

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The six question pages of a sharing decision, by the last part of their address and their heading. */
export const sharingQuestions = {
  request: 'About the request',
  people: 'Who the information is about',
  recipients: 'Who will receive it',
  information: 'What will be shared',
  'lawful-basis': 'Lawful basis and consent',
  decision: 'Your decision',
} as const;

export type SharingQuestion = keyof typeof sharingQuestions;

/** One question page of a sharing decision (the seven golden rules, asked in turn). */
export class SharingQuestionPage extends SafesharePage {
  static async verifyOnPage(page: Page, question: SharingQuestion): Promise<SharingQuestionPage> {
    await page.waitForURL(new RegExp(`/decisions/${uuid}/${question}$`));
    await verifyHeading(page, sharingQuestions[question]);
    return new SharingQuestionPage(page);
  }

  async saveAndContinue(): Promise<void> {
    await this.clickButton('Save and continue');
  }
}

export class SharingCheckPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SharingCheckPage> {
    await page.waitForURL(new RegExp(`/decisions/${uuid}/check-your-answers$`));
    await verifyHeading(page, 'Check your answers before recording the decision');
    return new SharingCheckPage(page);
  }

  async recordDecision(): Promise<void> {
    await this.clickButton('Record decision');
  }
}

/** The confirmation panel: its title is the page's heading, its body the decision's reference. */
export class SharingConfirmationPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SharingConfirmationPage> {
    await page.waitForURL(new RegExp(`/decisions/${uuid}/confirmation$`));
    await verifyHeading(page, 'Decision recorded');
    return new SharingConfirmationPage(page);
  }

  async reference(): Promise<string> {
    return tidy(await this.main.getByText(/^SD-\d{7}$/).innerText());
  }
}

/** A decision's overview: the task list, advice, approvals and disclosures. Its heading is the reference. */
export class SharingOverviewPage extends SafesharePage {
  static async verifyOnPage(
    page: Page,
    reference: string | RegExp = /^SD-\d{7}$/,
  ): Promise<SharingOverviewPage> {
    await verifyHeading(page, reference);
    return new SharingOverviewPage(page);
  }

  static async open(page: Page, decisionId: string): Promise<SharingOverviewPage> {
    await page.goto(`/decisions/${decisionId}`);
    return SharingOverviewPage.verifyOnPage(page);
  }

  async recordDisclosure(): Promise<void> {
    await this.clickButton('Record a disclosure');
  }

  /** A task of the task list, by its name. */
  task(name: string): Locator {
    return this.main.getByRole('listitem').filter({ hasText: name });
  }
}

export class RecordSheetPage extends SafesharePage {
  static async verifyOnPage(page: Page, reference: string): Promise<RecordSheetPage> {
    await page.waitForURL(new RegExp(`/decisions/${uuid}/record-sheet$`));
    await verifyHeading(page, `Sharing decision record ${reference}`);
    return new RecordSheetPage(page);
  }
}

/** The practitioner's own decisions: drafts, those waiting, and those recorded recently. */
export class MyDecisionsPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<MyDecisionsPage> {
    await page.waitForURL('**/decisions');
    await verifyHeading(page, 'Sharing decisions');
    return new MyDecisionsPage(page);
  }
}
