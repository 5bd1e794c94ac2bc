import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The report form, reached from any page, a disclosure or an off-site log entry. */
export class ReportIncidentPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<ReportIncidentPage> {
    await verifyHeading(page, 'Report an incident');
    return new ReportIncidentPage(page);
  }

  /** Fills a GOV.UK date input by its legend with a yyyy-mm-dd date, and the time field after it. */
  async when(legend: string, date: string, timeLabel?: string, time?: string): Promise<void> {
    await this.fillDate(legend, date);
    if (timeLabel !== undefined && time !== undefined) await this.fill(timeLabel, time);
  }

  async send(): Promise<void> {
    await this.clickButton('Report the incident');
  }
}

/** One incident: what was reported, the clock, and the DPO's grading, report to the ICO and closure. */
export class IncidentPage extends SafesharePage {
  static async verifyOnPage(page: Page): Promise<IncidentPage> {
    await verifyHeading(page, /^INC-\d{7}$/);
    return new IncidentPage(page);
  }
}

/** The off-site log: an entry's form and its page. */
export class OffSitePage extends SafesharePage {
  static async verifyOnPage(page: Page, heading: string | RegExp): Promise<OffSitePage> {
    await verifyHeading(page, heading);
    return new OffSitePage(page);
  }
}
