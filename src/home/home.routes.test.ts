import { beforeAll, expect, it } from 'vitest';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Role } from '../auth/index.ts';
import { TestBrowser } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn } from '../../test/support/factories.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp();
});

it('answers /healthz while the process is up and /readyz while the database is reachable, without signing in', async () => {
  const health = await context.app.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
  expect(health.json()).toEqual({ status: 'ok' });
  const ready = await context.app.inject({ method: 'GET', url: '/readyz' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toEqual({ status: 'ok', database: 'reachable' });
});

it('serves the accessibility statement, privacy notice and cookies page to anyone, linked from every page footer', async () => {
  for (const [url, heading] of [
    ['/accessibility', 'Accessibility statement'],
    ['/privacy', 'Privacy notice'],
    ['/cookies', 'Cookies'],
  ] as const) {
    const response = await context.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(heading);
    expect(response.body).toContain(`href="${url}"`);
  }
});

it('sets a strict Content-Security-Policy with a nonce, and never caches pages', async () => {
  const response = await context.app.inject({ method: 'GET', url: '/sign-in' });
  const policy = String(response.headers['content-security-policy']);
  expect(policy).toMatch(/script-src 'self' 'nonce-[0-9a-f]{32}'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
  const nonce = /'nonce-([0-9a-f]{32})'/.exec(policy)?.[1] ?? 'missing';
  for (const script of response.body.match(/<script[^>]*>/g) ?? [])
    expect(script).toContain(`nonce="${nonce}"`);
  expect(response.headers['cache-control']).toBe('no-store');
});

it('names on the cookies page the cookies Safeshare really sets', async () => {
  const page = await context.app.inject({ method: 'GET', url: '/cookies' });
  const signIn = await context.app.inject({ method: 'GET', url: '/sign-in' });
  const set = [signIn.headers['set-cookie'] ?? []].flat().map((cookie) => cookie.split('=')[0]);
  expect(set.length).toBeGreaterThan(0);
  for (const name of set) expect(page.body).toContain(`${name}<`);
  for (const name of ['__Host-safeshare_session', '__Host-safeshare_csrf', '__Host-safeshare_disclosure'])
    expect(page.body).toContain(name);
});

it('serves the GOV.UK and Safeshare assets to anyone, and nothing outside their folders', async () => {
  const css = await context.app.inject({ method: 'GET', url: '/assets/govuk/govuk-frontend.min.css' });
  expect(css.statusCode).toBe(200);
  expect(css.headers['content-type']).toContain('text/css');
  expect(css.headers['cache-control']).toContain('max-age=3600');
  expect(css.body.length).toBeGreaterThan(1000);
  // The stylesheet's own font and image addresses resolve.
  for (const url of [...new Set(css.body.match(/\/assets\/(?:fonts|images)\/[^)"']+/g) ?? [])].slice(0, 4)) {
    expect((await context.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
  }
  expect(css.body).toMatch(/\/assets\/fonts\//);
  for (const url of [
    '/assets/govuk/../../../package.json',
    '/assets/govuk/%2e%2e/%2e%2e/package.json',
    '/assets/safeshare/..%2f..%2fweb.plugin.ts',
    '/assets/nowhere/x.css',
    '/assets/govuk/no-such-file.css',
    '/assets/govuk/',
    '/assets/constructor/x',
    '/assets/__proto__/x',
  ]) {
    const response = await context.app.inject({ method: 'GET', url });
    expect([400, 403, 404], url).toContain(response.statusCode);
    expect(response.body, url).not.toContain('"dependencies"');
  }
});

it('offers each role the work it does: sharing decisions to practitioners, advice and approvals to those who give them', async () => {
  const organisationId = await createOrganisation(context);
  const home = async (roles: Role[]) =>
    (await (await signIn(context, await createStaff(context, { organisationId, roles }))).get('/')).body;
  const practitioner = await home(['practitioner']);
  expect(practitioner).toContain('href="/decisions"');
  expect(practitioner).toContain('href="/disclosures/receipts"');
  expect(practitioner).not.toContain('href="/approvals"');
  const guardian = await home(['caldicott_guardian']);
  expect(guardian).toContain('href="/advice"');
  expect(guardian).toContain('href="/approvals"');
  const auditor = await home(['auditor']);
  expect(auditor).not.toContain('href="/decisions"');
  expect(auditor).not.toContain('href="/advice"');
});

it('names the policy pack in force in the footer to those who oversee sharing, and not to practitioners', async () => {
  const organisationId = await createOrganisation(context);
  const pack = `${context.services.policy.name} ${context.services.policy.version}`;
  for (const [role, shown] of [
    ['dpo', true],
    ['admin', true],
    ['caldicott_guardian', true],
    ['practitioner', false],
  ] as const) {
    const staff = await createStaff(context, { organisationId, roles: [role] });
    const page = await (await signIn(context, staff)).get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body.includes(`Policy pack in force: ${pack}`), role).toBe(shown);
  }
});

it('tells administrators and the IT service desk, not practitioners, when exchange files are not scanned for malware', async () => {
  const organisationId = await createOrganisation(context);
  for (const [role, shown] of [
    ['admin', true],
    ['it_service_desk', true],
    ['practitioner', false],
  ] as const) {
    const staff = await createStaff(context, { organisationId, roles: [role] });
    const page = await (await signIn(context, staff)).get('/');
    expect(page.body.includes('not checked for malware: no scanner is configured'), role).toBe(shown);
  }
});

it('lists on the More page every page the viewer may open, and links to it from the navigation', async () => {
  const organisationId = await createOrganisation(context);
  const practitioner = await signIn(
    context,
    await createStaff(context, { organisationId, roles: ['practitioner'] }),
  );
  const home = (await practitioner.get('/')).body;
  expect(home).toMatch(/<a class="govuk-service-navigation__link" href="\/more"/);
  const more = await practitioner.get('/more');
  expect(more.statusCode).toBe(200);
  const main = more.body.slice(more.body.indexOf('<main'));
  for (const href of [
    '/people',
    '/decisions',
    '/consents/reviews',
    '/off-site',
    '/media',
    '/exchange/received',
    '/incidents',
  ])
    expect(main).toContain(`href="${href}"`);
  expect(main).toContain('href="/incidents/new"');
  for (const href of ['/approvals', '/admin/staff', '/audit']) expect(main).not.toContain(`href="${href}"`);
  // More is marked as where the viewer is, for the More page and the pages only it lists.
  expect(more.body).toMatch(/<a class="govuk-service-navigation__link" href="\/more" aria-current="true">/);
  expect((await practitioner.get('/off-site')).body).toMatch(
    /<a class="govuk-service-navigation__link" href="\/more" aria-current="true">/,
  );
  expect((await new TestBrowser(context.app).get('/more')).headers['location']).toBe('/sign-in?next=%2Fmore');
});
