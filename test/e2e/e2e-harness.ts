import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/client.ts';
import { systemActor } from '../../src/audit/index.ts';
import { currentCode, newTotpSecret, type Role } from '../../src/auth/index.ts';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { services as buildServices, type Services } from '../../src/services.ts';
import { freshDatabase } from '../support/harness.ts';

const axeSource = await fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
export const screenshotFolder = path.resolve('test-results', 'screenshots');

export interface Journey {
  readonly baseUrl: string;
  /** The database, to read what Safeshare e-mailed (its outbox) as the recipient's mail client would. */
  readonly db: Db;
  readonly services: Services;
  readonly secretBox: SecretBox;
  readonly browser: Browser;
  newPage(): Promise<Page>;
}

/** Safeshare listening on loopback over a fresh database, and Debian's Chromium to drive it. */
export async function startJourney(settings: Record<string, string> = {}): Promise<Journey> {
  const database = await freshDatabase();
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...settings }),
    secretKey: randomBytes(32),
  };
  const secretBox = new SecretBox(randomBytes(32));
  const dependencies = { db: database.db, clock: systemClock, secretBox, config };
  const services = buildServices(dependencies);
  const app = await buildApp({ ...dependencies, services, logger: false });
  // A journey that must know its address before the app starts (a provider's redirect URI) names its PORT.
  const baseUrl = await app.listen({ port: Number(settings['PORT'] ?? 0), host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser.close();
    await app.close();
  });
  await fs.mkdir(screenshotFolder, { recursive: true });
  return {
    baseUrl,
    db: database.db,
    services,
    secretBox,
    browser,
    async newPage() {
      const context = await browser.newContext({
        baseURL: baseUrl,
        timezoneId: 'Europe/London',
        locale: 'en-GB',
        javaScriptEnabled: true,
      });
      contexts.push(context);
      return context.newPage();
    },
  };
}

/**
 * Checks the page with axe-core (WCAG 2.2 A and AA rules) and saves a screenshot as a test artefact.
 * axe is evaluated as source, because the strict CSP refuses injected script tags.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotFolder, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  // A string, so that this file needs no DOM types: it runs in the page, where axe is now defined.
  const violations = await page.evaluate<string[]>(`
    axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(axeTags)} } }).then((result) =>
      result.violations.map((violation) =>
        violation.id + ': ' + violation.help + ' (' + violation.nodes.map((node) => node.target.join(' ')).join(', ') + ')'))
  `);
  expect(violations, `axe violations on ${name}`).toEqual([]);
}

export interface JourneyStaff {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly password: string;
  readonly mfaSecret: string;
}

export async function createJourneyStaff(
  journey: Journey,
  roles: readonly Role[],
  organisationId: string,
  displayName: string,
  lineManagerId: string | null = null,
): Promise<JourneyStaff> {
  const mfaSecret = newTotpSecret();
  const email = `${displayName.toLowerCase().replace(/[^a-z]+/g, '.')}.${randomBytes(2).toString('hex')}@swindon.gov.uk`;
  const password = `journey ${randomBytes(8).toString('hex')}`;
  const id = await journey.services.staff.create(systemActor, {
    organisationId,
    email,
    displayName,
    jobTitle: null,
    roles,
    lineManagerId,
    password,
    // Journeys sign in with this password; the journey that tests choosing one creates its account through the pages.
    mustChangePassword: false,
    enrolledMfaSecretSealed: journey.secretBox.seal(mfaSecret),
  });
  return { id, displayName, email, password, mfaSecret };
}

/** Waits for a fresh 30-second step, so a code is never one the account has used. */
export async function freshCode(secret: string): Promise<string> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 27_000) await new Promise((resolve) => setTimeout(resolve, 30_500 - intoStep));
  return currentCode(secret, new Date());
}
