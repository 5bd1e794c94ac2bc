import type { Page } from 'playwright-core';
import { SafesharePage, verifyHeading } from './safeshare-page.ts';

export class HomePage extends SafesharePage {
  static async verifyOnPage(page: Page, displayName: string): Promise<HomePage> {
    await page.waitForURL((url) => url.pathname === '/');
    await verifyHeading(page, `Welcome, ${displayName}`);
    return new HomePage(page);
  }
}

/** Pages of fixed content: the accessibility statement, privacy notice and cookies page. */
export class InformationPage extends SafesharePage {
  static readonly headings = {
    '/accessibility': 'Accessibility statement for Safeshare',
    '/privacy': 'Privacy notice: what Safeshare records about staff',
    '/cookies': 'Cookies',
  } as const;

  static async open(page: Page, path: keyof typeof InformationPage.headings): Promise<InformationPage> {
    await page.goto(path);
    await verifyHeading(page, InformationPage.headings[path]);
    return new InformationPage(page);
  }
}

/** The pages Safeshare answers with when it will not show what was asked for. */
export class RefusalPage extends SafesharePage {
  static async verifyOnPage(
    page: Page,
    heading: 'Page not found' | 'You do not have access to this page',
  ): Promise<RefusalPage> {
    await verifyHeading(page, heading);
    return new RefusalPage(page);
  }
}
