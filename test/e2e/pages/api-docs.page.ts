import type { Locator, Page } from 'playwright-core';
import { SafesharePage, tidy, verifyHeading } from './safeshare-page.ts';

/** The JSON API's documentation page: Safeshare's own introduction, and Swagger UI's reference below it. */
export class ApiDocsPage extends SafesharePage {
  static async open(page: Page): Promise<ApiDocsPage> {
    await page.goto('/api/docs');
    await verifyHeading(page, 'Safeshare API');
    return new ApiDocsPage(page);
  }

  /** An operation's button, named by its method, path and summary, as a screen reader hears it. */
  operation(method: string, path: string): Locator {
    return this.main.getByRole('button', { name: operationName(method, path) });
  }

  /** Every operation drawn, as "METHOD /path summary". */
  async operations(): Promise<string[]> {
    return (await this.main.locator('.opblock-summary-control').allInnerTexts()).map(tidy);
  }

  /** Gives Swagger UI the API token, through its Authorize dialog, for the requests tried on the page. */
  async authorize(token: string, checkDialog: (name: string) => Promise<void>): Promise<void> {
    await this.main.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
    const dialog = this.page.locator('.modal-ux');
    await dialog.getByRole('heading', { name: 'Available authorizations' }).waitFor();
    await checkDialog('api-docs-authorize');
    await dialog.getByRole('textbox').fill(token);
    await dialog.getByRole('button', { name: 'Authorize' }).click();
    await dialog.getByRole('button', { name: 'Logout' }).waitFor();
    await dialog.locator('.auth-btn-wrapper').getByRole('button', { name: 'Close' }).click();
  }

  /** Opens an operation, tries it (with this body, when given) and answers the status and body shown. */
  async tryOut(method: string, path: string, body?: string): Promise<{ status: string; body: string }> {
    const operation = this.main
      .locator('.opblock')
      .filter({ has: this.page.getByRole('button', { name: operationName(method, path) }) });
    await this.operation(method, path).click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    if (body !== undefined) await operation.getByRole('textbox', { name: 'Request body' }).fill(body);
    await operation.getByRole('button', { name: 'Execute' }).click();
    const live = operation.locator('.live-responses-table .response');
    await live.waitFor();
    return {
      status: tidy(await live.locator('.response-col_status').innerText()),
      body: await live.locator('.response-col_description pre').first().innerText(),
    };
  }
}

function operationName(method: string, path: string): RegExp {
  return new RegExp(`^${`${method} ${path} `.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}
