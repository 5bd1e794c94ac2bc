import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { roles, type Role } from '../../src/auth/index.ts';
import type { TestStaff } from '../support/factories.ts';
import type { RouteRule } from '../../src/web/access.ts';
import { webPlugin } from '../../src/web/web.plugin.ts';
import { createTemplates } from '../../src/web/render.ts';
import { TestBrowser } from '../support/browser.ts';
import { createOrganisation, createStaff, signIn } from '../support/factories.ts';
import { testApp, type TestContext } from '../support/harness.ts';

/**
 * Generated from the app's own route table: every route, for every role and for a signed-out
 * visitor, gets exactly the answer its declared access rule allows.
 */
let context: TestContext;
const principals = new Map<Role | 'signed-out', TestBrowser>();
/** The JSON API takes bearer tokens, not the session cookie: each role also has a token. */
const apiTokens = new Map<Role | 'signed-out', string>();
/** A member of staff of the first organisation, and one of their API tokens: what another organisation's administrator aims at. */
let target: TestStaff;
let targetTokenId: string;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  const organisationId = await createOrganisation(context);
  target = await createStaff(context, { roles: ['practitioner'], organisationId });
  targetTokenId = (
    await context.services.apiTokens.issue(systemActor, target.id, 'Mosaic case management', 30)
  ).id;
  const anonymous = new TestBrowser(context.app);
  await anonymous.get('/sign-in');
  principals.set('signed-out', anonymous);
  for (const role of roles) {
    const staff = await createStaff(context, { roles: [role], organisationId });
    const browser = await signIn(context, staff);
    await browser.get('/');
    principals.set(role, browser);
    apiTokens.set(role, (await context.services.apiTokens.issue(systemActor, staff.id, 'matrix', 1)).token);
  }
});

function concreteUrl(rule: RouteRule): string {
  return rule.url
    .replace(/\*$/, 'govuk/govuk-frontend.min.css')
    .replace(/:[A-Za-z]+(?=\/|$)/g, (parameter) => (/seq/i.test(parameter) ? '1' : randomUUID()));
}

function expectedFor(
  rule: RouteRule,
  principal: Role | 'signed-out',
): 'allowed' | 'sign-in' | 'forbidden' | 'home' {
  if (rule.access === 'public') return 'allowed';
  if (principal === 'signed-out') return 'sign-in';
  if (rule.access === 'mfa') return 'home';
  if (rule.access === 'staff') return 'allowed';
  return rule.access.includes(principal) ? 'allowed' : 'forbidden';
}

describe('authorisation matrix', () => {
  it('covers a route table with rules for every route', () => {
    expect(context.app.routeRules.length).toBeGreaterThan(10);
    for (const rule of context.app.routeRules) expect(rule.access).toBeDefined();
  });

  it('gives every role, and a signed-out visitor, exactly what each route allows', async () => {
    const mismatches: string[] = [];
    // Signing out ends the session every later request relies on, so it goes last.
    const rules = [...context.app.routeRules].sort(
      (a, b) => Number(a.url === '/sign-out') - Number(b.url === '/sign-out'),
    );
    for (const rule of rules) {
      for (const [principal, browser] of principals) {
        const url = concreteUrl(rule);
        const token = apiTokens.get(principal);
        const bearer: Record<string, string> =
          token === undefined ? {} : { authorization: `Bearer ${token}` };
        const response = url.startsWith('/api/')
          ? await context.app.inject({
              method: rule.method as 'GET',
              url,
              headers: { ...bearer, 'content-type': 'application/json' },
              ...(rule.method === 'GET' ? {} : { payload: '{}' }),
            })
          : rule.method === 'GET'
            ? await browser.get(url)
            : await browser.post(url, {});
        const location = response.headers['location'] ?? '';
        const redirected = response.statusCode >= 300 && response.statusCode < 400;
        const outcome =
          response.statusCode === 401 || (redirected && location.startsWith('/sign-in'))
            ? 'sign-in'
            : response.statusCode === 403 && !response.body.includes('Your form has expired')
              ? 'forbidden'
              : redirected && location === '/'
                ? 'home'
                : 'allowed';
        const expected = expectedFor(rule, principal);
        const acceptable = outcome === expected || (expected === 'allowed' && outcome === 'home');
        if (!acceptable || response.statusCode >= 500) {
          mismatches.push(
            `${rule.method} ${rule.url} as ${principal}: expected ${expected}, got ${outcome} (${response.statusCode})`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 180_000); // every route for every role: well over a thousand requests, one after another

  it('answers 404 to another organisation’s administrator on every route about a member of staff, and changes nothing', async () => {
    const otherAdmin = await createStaff(context, {
      roles: ['admin'],
      organisationId: await createOrganisation(context),
    });
    const browser = await signIn(context, otherAdmin);
    await browser.get('/');
    // Answers that would succeed for the administrator's own staff, so that only the organisation stands in the way.
    const answers: Record<string, Record<string, string | readonly string[]>> = {
      edit: {
        displayName: 'Renamed By Another Organisation',
        jobTitle: '',
        roles: ['practitioner', 'dpo'],
        lineManagerId: '',
      },
      'reset-password': { password: 'marble otter lantern' },
      training: { 'completedOn-day': '1', 'completedOn-month': '6', 'completedOn-year': '2026' },
      new: { name: 'Mosaic case management', validDays: '30' },
    };
    const snapshot = async () => ({
      user: await context.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', target.id)
        .executeTakeFirstOrThrow(),
      tokens: await context.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', target.id)
        .orderBy('id')
        .execute(),
      events: (await context.db.selectFrom('audit_events').select('seq').execute()).length,
    });
    const rules = context.app.routeRules.filter((rule) => rule.url.startsWith('/admin/staff/:id'));
    expect(rules.length).toBeGreaterThanOrEqual(10);
    const before = await snapshot();
    const mismatches: string[] = [];
    for (const rule of rules) {
      const url = rule.url.replace(':id', target.id).replace(':tokenId', targetTokenId);
      expect(url, rule.url).not.toContain(':');
      const response =
        rule.method === 'GET'
          ? await browser.get(url)
          : await browser.post(url, answers[url.split('/').at(-1) ?? ''] ?? {});
      if (response.statusCode !== 404 || response.body.includes(target.email))
        mismatches.push(`${rule.method} ${rule.url}: ${response.statusCode}`);
    }
    expect(mismatches).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await browser.get('/admin/staff')).body).not.toContain(target.email);
  });

  it('lets a visitor between password and code use only the code pages', async () => {
    const staff = await createStaff(context, { roles: ['admin'] });
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    await browser.post('/sign-in', { email: staff.email, password: staff.password });
    expect((await browser.get('/sign-in/code')).statusCode).toBe(200);
    for (const rule of context.app.routeRules.filter(
      (candidate) => Array.isArray(candidate.access) || candidate.access === 'staff',
    )) {
      if (rule.method !== 'GET' || rule.url.startsWith('/api/')) continue;
      const response = await browser.get(concreteUrl(rule));
      expect(response.statusCode, rule.url).toBe(303);
      expect(response.headers['location']).toMatch(/^\/sign-in/);
    }
  });

  it('refuses to start when a route declares no access rule (default deny)', async () => {
    const app = Fastify({ logger: false });
    await app.register(webPlugin, {
      templates: createTemplates(),
      auth: context.services.auth,
      apiTokens: context.services.apiTokens,
      serviceName: 'Safeshare',
      cookieSecret: 'a-test-cookie-secret-of-enough-length',
      secureCookies: false,
    });
    expect(() => app.get('/undeclared', async () => 'open')).toThrow(/declares no access rule/);
    await app.close();
  });
});
