import type { Locator, Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** Asking for advice on a decision, anonymised unless the practitioner chooses otherwise. */
export class AskAdvicePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<AskAdvicePage> {
    await verifyHeading(page, 'Ask for advice');
    return new AskAdvicePage(page);
  }

  /** What the adviser will see: the text under that heading, up to the form's next part. */
  async adviserPreview(): Promise<string> {
    const text = await this.mainText();
    const start = text.indexOf('What the adviser will see');
    const end = text.indexOf('What the adviser sees if you share identities', start);
    return text.slice(start, end);
  }

  async send(): Promise<void> {
    await this.clickButton('Send request for advice');
  }
}

export class AdviceInboxPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<AdviceInboxPage> {
    await verifyHeading(page, 'Advice requests');
    return new AdviceInboxPage(page);
  }
}

export class AdviceRequestPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<AdviceRequestPage> {
    await verifyHeading(page, 'Give advice');
    return new AdviceRequestPage(page);
  }

  async sendAdvice(): Promise<void> {
    await this.clickButton('Send advice');
  }
}

export class ApprovalQueuePage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ApprovalQueuePage> {
    await verifyHeading(page, 'Approvals');
    return new ApprovalQueuePage(page);
  }

  get waiting(): Locator {
    return this.page.getByRole('table', { name: /^Waiting for your decision/ });
  }
}

/** An approval request seen by someone who may decide it. */
export class ApprovalRequestPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ApprovalRequestPage> {
    await verifyHeading(page, /^Approve or refuse: /);
    return new ApprovalRequestPage(page);
  }

  async decide(answer: 'Approve' | 'Refuse'): Promise<void> {
    await this.choose('Do you approve this request?', answer, { exact: false });
  }

  async send(): Promise<void> {
    await this.clickButton('Send your decision');
  }
}
