import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { checkPage } from '../e2e-harness.ts';

/** Collapses runs of whitespace, so that assertions read text as a person sees it. */
export function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Waits for the page's one h1 to carry this name and checks it. Every page object's `verifyOnPage`
 * starts here: a journey that lands on the wrong page fails at the heading, not at a later field.
 */
export async function verifyHeading(page: Page, name: string | RegExp): Promise<void> {
  const heading = page.getByRole('heading', { level: 1, name, exact: true });
  await heading.waitFor();
  expect(tidy(await heading.innerText())).toMatch(typeof name === 'string' ? exactly(name) : name);
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * What every Safeshare page offers: its landmarks, the GOV.UK error summary and success banner, summary
 * lists, the main navigation and the common ways of answering a question. Everything is found by role,
 * label or text, as a person using a screen reader would find it.
 */
export abstract class SafesharePage {
  constructor(readonly page: Page) {}

  get main(): Locator {
    return this.page.getByRole('main');
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  /** The GOV.UK error summary: an alert titled "There is a problem". */
  get errorSummary(): Locator {
    return this.page
      .getByRole('alert')
      .filter({ has: this.page.getByRole('heading', { name: 'There is a problem' }) });
  }

  /** A success notification banner: an alert named by its title, "Success". */
  get successBanner(): Locator {
    return this.page.getByRole('alert', { name: 'Success' });
  }

  get mainNavigation(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  /** Axe check and screenshot of the page as it is now. */
  async check(screenshot: string): Promise<void> {
    await checkPage(this.page, screenshot);
  }

  async mainText(): Promise<string> {
    return tidy(await this.main.innerText());
  }

  /** The error summary's text; waits for it, so it also waits for a refused form to come back. */
  async errorSummaryText(): Promise<string> {
    return tidy(await this.errorSummary.innerText());
  }

  async successBannerText(): Promise<string> {
    return tidy(await this.successBanner.innerText());
  }

  /** The rows of the page's summary lists (terms and their definitions), as "key: value" lines. */
  async summaryLines(): Promise<string> {
    const terms = this.main.getByRole('term');
    const keys = await terms.allInnerTexts();
    // A row's value is the definition straight after its term; its actions are a later definition.
    const values = await terms.locator('xpath=following-sibling::dd[1]').allInnerTexts();
    expect(values).toHaveLength(keys.length);
    return keys.map((key, index) => `${tidy(key)}: ${tidy(values[index] ?? '')}`).join('\n');
  }

  async navigateTo(link: string): Promise<void> {
    await this.mainNavigation.getByRole('link', { name: link }).click();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }

  async clickButton(name: string): Promise<void> {
    await this.page.getByRole('button', { name }).click();
  }

  async clickLink(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  async fill(label: string, text: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).fill(text);
  }

  /** Chooses an answer among the radios or checkboxes of a question, found by its legend. */
  async choose(question: string | RegExp, answer: string, options: { exact?: boolean } = {}): Promise<void> {
    await this.question(question)
      .getByLabel(answer, { exact: options.exact ?? true })
      .check();
  }

  question(question: string | RegExp): Locator {
    return this.page.getByRole('group', { name: question });
  }

  /** Fills a GOV.UK date input, found by its legend, with a yyyy-mm-dd date. */
  async fillDate(legend: string, date: string): Promise<void> {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const group = this.question(legend);
    await group.getByLabel('Day').fill(String(day));
    await group.getByLabel('Month').fill(String(month));
    await group.getByLabel('Year').fill(String(year));
  }

  /** The table's rows as tidied text, header row first. */
  async tableRows(name: string | RegExp): Promise<string[]> {
    const rows = await this.page.getByRole('table', { name }).getByRole('row').allTextContents();
    return rows.map(tidy);
  }
}
