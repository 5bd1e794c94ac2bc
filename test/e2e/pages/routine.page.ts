import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

/** The routine share's one page: what the agreement and consent answer, and what only the practitioner knows. */
export class RoutineSharePage extends SafesharePage {
  static async verifyOnPage(page: Page, sharingWith: string): Promise<RoutineSharePage> {
    await verifyHeading(page, `Share with ${sharingWith}`);
    return new RoutineSharePage(page);
  }
}
