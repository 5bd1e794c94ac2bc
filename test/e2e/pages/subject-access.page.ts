import type { Download, Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The register of subject access requests: each with its deadline counting down. */
export class SubjectAccessListPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<SubjectAccessListPage> {
    await verifyHeading(page, 'Subject access requests');
    return new SubjectAccessListPage(page);
  }
}

/** A new request: the person found by name, who asked, when, and how their identity was checked. */
export class NewSubjectAccessPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<NewSubjectAccessPage> {
    await verifyHeading(page, 'Record a subject access request');
    return new NewSubjectAccessPage(page);
  }

  async find(name: string): Promise<void> {
    await this.fill('Find the person by name, NHS number or case reference', name);
    await this.clickButton('Find');
    await this.page.waitForURL('**/subject-access/new/find');
  }
}

/** One request: its details and deadline, the report's downloads, the extension and closing forms. */
export class SubjectAccessRequestPage extends SafesharePage {
  static async verifyOnPage(page: Page, person: string): Promise<SubjectAccessRequestPage> {
    await verifyHeading(page, new RegExp(`^SAR-\\d{7}: ${person}$`));
    return new SubjectAccessRequestPage(page);
  }

  /** Clicks a download button and waits for the file the browser receives. */
  async download(button: 'Download the report as PDF' | 'Download the report as CSV'): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.clickButton(button)]);
    return download;
  }
}
