import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { checkPage, createJourneyStaff, startJourney, type Journey } from './e2e-harness.ts';
import { ApiDocsPage } from './pages/api-docs.page.ts';
import { SignInPage } from './pages/sign-in.page.ts';

/**
 * A council's integrator reads the API's documentation before and after they hold a token: Swagger
 * UI draws every operation from Safeshare's own files under the unchanged strict CSP, passes axe,
 * and tries requests with the token; without JavaScript the page still says what it is and links
 * to the OpenAPI document.
 */
let journey: Journey;
let token: string;

beforeAll(async () => {
  journey = await startJourney();
  const organisationId = await journey.services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01632960001',
    hosted: true,
  });
  const system = await createJourneyStaff(journey, ['practitioner'], organisationId, 'Mosaic Service');
  token = (await journey.services.apiTokens.issue(systemActor, system.id, 'Mosaic live', 30)).token;
});

/**
 * Everything that went wrong in the page: each CSP violation the browser reported (the
 * `securitypolicyviolation` event, and its console message), script errors, and answers of 400 or more.
 */
async function watch(page: Page): Promise<{ problems: string[]; violations: () => Promise<string[]> }> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  // Before any of the page's own scripts: a string, so that this file needs no DOM types.
  await page.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push(event.effectiveDirective + ' ' + (event.blockedURI || 'inline')));`,
  });
  return { problems, violations: () => page.evaluate<string[]>('window.cspViolations') };
}

describe('the API documentation page', () => {
  it('draws every operation under the strict CSP, accessibly, and tries requests with a bearer token', async () => {
    const page = await journey.newPage();
    const watched = await watch(page);
    const docs = await ApiDocsPage.open(page);
    await docs.operation('GET', '/api/v1/consents/{id}').waitFor();
    const operations = await docs.operations();
    expect(operations).toContain('GET /api/v1/consents/{id} Read a consent record as FHIR R4 Consent');
    expect(operations).toContain('POST /api/v1/decisions Record a complete sharing decision');
    // The documentation describes the operations, not itself.
    expect(operations.filter((operation) => operation.includes('/api/docs'))).toEqual([]);
    await docs.check('api-docs');

    await docs.authorize(token, (name) => checkPage(page, name));
    const [sent, directory] = await Promise.all([
      page.waitForRequest((request) => request.url().endsWith('/api/v1/organisations')),
      docs.tryOut('GET', '/api/v1/organisations'),
    ]);
    expect(sent.headers()['authorization']).toBe(`Bearer ${token}`);
    expect(directory.status).toBe('200');
    expect(directory.body).toContain('Swindon Borough Council');
    const search = await docs.tryOut('POST', '/api/v1/people/search', '{ "query": "Kowalczyk" }');
    expect(search.status).toBe('200');
    expect(JSON.parse(search.body)).toEqual({ matches: [], restricted: 0, more: false });
    await docs.check('api-docs-tried');

    expect(watched.problems).toEqual([]);
    expect(await watched.violations()).toEqual([]);
    // The watch does see a violation: a style written into the page without the nonce is refused.
    await page.evaluate(
      `document.head.append(Object.assign(document.createElement('style'), { textContent: 'p {}' }))`,
    );
    await expect.poll(watched.violations).toEqual(['style-src-elem inline']);
  });

  it('says what it is and links to the OpenAPI document and to the rest of Safeshare without JavaScript', async () => {
    const context = await journey.browser.newContext({ baseURL: journey.baseUrl, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const docs = await ApiDocsPage.open(page);
      expect(await docs.mainText()).toContain(
        'The reference of every operation below needs JavaScript. Without it, the OpenAPI document describes every operation',
      );
      const [document] = await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/openapi.json')),
        docs.clickLink('Download the OpenAPI 3.1 document (JSON)'),
      ]);
      expect(document.headers()['content-type']).toBe('application/json; charset=utf-8');
      expect(await document.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Safeshare API' } });
      await page.goBack();
      await (await ApiDocsPage.open(page)).clickLink('Go to Safeshare');
      // Signed out, Safeshare's home page asks for signing in.
      await SignInPage.verifyOnPage(page);
    } finally {
      await context.close();
    }
  });
});
