import { beforeAll, expect, it } from 'vitest';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Role } from '../auth/index.ts';
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
  for (const script of response.body.match(/<script[^>]*>/g) ?? []) expect(script).toContain(`nonce="${nonce}"`);
  expect(response.headers['cache-control']).toBe('no-store');
});

it('offers each role the work it does: sharing decisions to practitioners, advice and approvals to those who give them', async () => {
  const organisationId = await createOrganisation(context);
  const home = async (roles: Role[]) => (await (await signIn(context, await createStaff(context, { organisationId, roles }))).get('/')).body;
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
