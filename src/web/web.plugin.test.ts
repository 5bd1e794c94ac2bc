import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../../test/support/browser.ts';
import { createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { currentCode } from '../auth/index.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp();
});

/** The Set-Cookie line for one cookie, as the browser receives it. */
function setCookie(response: LightMyRequestResponse, name: string): string | undefined {
  return [response.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith(`${name}=`));
}

/** The CSRF token of the first form on a page. */
function formToken(response: LightMyRequestResponse): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  if (token === undefined) throw new Error(`no form with a CSRF token on this page (${response.statusCode})`);
  return token;
}

/** An administrator's browser on the page that issues API tokens for another member of staff. */
async function adminOnTokenPage(): Promise<{ browser: TestBrowser; admin: TestStaff; system: TestStaff }> {
  const admin = await createStaff(context, { roles: ['admin'] });
  const system = await createStaff(context, {
    roles: ['practitioner'],
    organisationId: admin.organisationId,
  });
  const browser = await signIn(context, admin);
  expect((await browser.get(`/admin/staff/${system.id}/api-tokens/new`)).statusCode).toBe(200);
  return { browser, admin, system };
}

async function expectNoTokenIssued(system: TestStaff) {
  expect(
    await context.db.selectFrom('api_tokens').select('id').where('user_id', '=', system.id).execute(),
  ).toEqual([]);
  // No test in this file issues a token, so any such event would be the refused form's.
  expect(
    await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'api_token.issued')
      .execute(),
  ).toEqual([]);
}

describe('CSRF tokens are bound to the session (ASVS 3.5.1)', () => {
  it('refuses the CSRF cookie and token of an anonymous sign-in page in a signed-in session, and changes nothing', async () => {
    const attacker = new TestBrowser(context.app);
    const token = formToken(await attacker.get('/sign-in'));
    const csrfCookie = attacker.cookie('__Host-safeshare_csrf') ?? '';
    expect(csrfCookie).not.toBe('');

    const { browser, system } = await adminOnTokenPage();
    // The attacker's pair planted in the victim's browser (cookie tossing), and the form posted there.
    browser.setCookie('__Host-safeshare_csrf', csrfCookie);
    const refused = await browser.post(`/admin/staff/${system.id}/api-tokens/new`, {
      name: 'Planted token',
      validDays: '30',
      _csrf: token,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Your form has expired');
    await expectNoTokenIssued(system);
    expect((await browser.get('/')).statusCode).toBe(200);
  });

  it('refuses a token taken from the sign-in page before signing in, in the same browser', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    const beforeSignIn = formToken(await browser.get('/sign-in'));
    await browser.post('/sign-in', { email: staff.email, password: staff.password });
    await browser.get('/sign-in/code');
    context.clock.advance(30_000);
    expect(
      (await browser.post('/sign-in/code', { code: currentCode(staff.mfaSecret, context.clock.now()) }))
        .statusCode,
    ).toBe(303);

    const refused = await browser.post('/sign-out', { _csrf: beforeSignIn });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Your form has expired');
    expect((await browser.get('/')).statusCode).toBe(200);
  });

  it('refuses the CSRF cookie and token of one member of staff in the session of another', async () => {
    const other = await createStaff(context, { roles: ['admin'] });
    const otherBrowser = await signIn(context, other);
    const otherToken = formToken(await otherBrowser.get('/'));
    const otherCookie = otherBrowser.cookie('__Host-safeshare_csrf') ?? '';
    expect(otherCookie).not.toBe('');

    const { browser, system } = await adminOnTokenPage();
    browser.setCookie('__Host-safeshare_csrf', otherCookie);
    const refused = await browser.post(`/admin/staff/${system.id}/api-tokens/new`, {
      name: 'Borrowed token',
      validDays: '30',
      _csrf: otherToken,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Your form has expired');
    await expectNoTokenIssued(system);
    // The other person's token still works in their own session.
    expect((await otherBrowser.post('/sign-out', { _csrf: otherToken })).headers['location']).toBe(
      '/signed-out',
    );
  });

  it('gives each step of signing in forms bound to its own session, and signed-in forms work', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    const anonymous = formToken(await browser.get('/sign-in'));
    expect(
      (await browser.post('/sign-in', { email: staff.email, password: staff.password, _csrf: anonymous }))
        .statusCode,
    ).toBe(303);
    const pending = formToken(await browser.get('/sign-in/code'));
    context.clock.advance(30_000);
    const code = currentCode(staff.mfaSecret, context.clock.now());
    // The anonymous page's token no longer fits once the password step has started a session.
    expect((await browser.post('/sign-in/code', { code, _csrf: anonymous })).statusCode).toBe(403);
    expect((await browser.post('/sign-in/code', { code, _csrf: pending })).statusCode).toBe(303);
    // The code step rotated the session: the pending session's token is refused, the new page's accepted.
    expect((await browser.post('/sign-out', { _csrf: pending })).statusCode).toBe(403);
    const signedIn = formToken(await browser.get('/'));
    expect((await browser.post('/sign-out', { _csrf: signedIn })).headers['location']).toBe('/signed-out');
  });

  it('still signs out from a page whose session has since timed out', async () => {
    const staff = await createStaff(context);
    const browser = await signIn(context, staff);
    const stale = formToken(await browser.get('/'));
    context.clock.advance(31 * 60_000);
    const response = await browser.post('/sign-out', { _csrf: stale });
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/signed-out');
  });
});

describe('cookies (ASVS 3.3.1, 3.3.3)', () => {
  it('names every cookie with the __Host- prefix, Secure, HttpOnly, Path=/ and no Domain by default', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    const page = await browser.get('/sign-in');
    const csrf = setCookie(page, '__Host-safeshare_csrf');
    expect(csrf).toBeDefined();
    for (const attribute of ['; Path=/;', '; HttpOnly', '; Secure', '; SameSite=Strict'])
      expect(`${csrf ?? ''};`).toContain(attribute);
    expect(csrf).not.toMatch(/Domain=/i);

    const password = await browser.post('/sign-in', { email: staff.email, password: staff.password });
    const session = setCookie(password, '__Host-safeshare_session');
    expect(session).toBeDefined();
    // Lax, so that a link in a notification e-mail opens Safeshare signed in.
    for (const attribute of ['; Path=/;', '; HttpOnly', '; Secure', '; SameSite=Lax'])
      expect(`${session ?? ''};`).toContain(attribute);
    expect(session).not.toMatch(/Domain=/i);
    expect([password.headers['set-cookie'] ?? []].flat().filter((line) => /^safeshare_/.test(line))).toEqual(
      [],
    );

    // Clearing at sign-out carries Secure too, or a browser would ignore it for a __Host- name.
    await browser.get('/sign-in/code');
    context.clock.advance(30_000);
    await browser.post('/sign-in/code', { code: currentCode(staff.mfaSecret, context.clock.now()) });
    await browser.get('/');
    const cleared = setCookie(await browser.post('/sign-out'), '__Host-safeshare_session');
    expect(cleared).toMatch(/^__Host-safeshare_session=;/);
    for (const attribute of ['; Path=/;', '; Secure']) expect(`${cleared ?? ''};`).toContain(attribute);
  });

  it('uses plain names without Secure only when secure cookies are turned off explicitly', async () => {
    const plain = await testApp({ SECURE_COOKIES: 'false' });
    const staff = await createStaff(plain);
    const browser = new TestBrowser(plain.app);
    const page = await browser.get('/sign-in');
    const csrf = setCookie(page, 'safeshare_csrf');
    expect(csrf).toBeDefined();
    expect(csrf).not.toContain('Secure');
    const session = setCookie(
      await browser.post('/sign-in', { email: staff.email, password: staff.password }),
      'safeshare_session',
    );
    expect(session).toBeDefined();
    expect(session).not.toContain('Secure');
    expect(browser.cookie('__Host-safeshare_session')).toBeUndefined();
    expect((await browser.get('/sign-in/code')).statusCode).toBe(200);
  });
});

describe('page bodies', () => {
  it('refuses a JSON body to a page with 415, before any handler sees values no form can send', async () => {
    const { browser, system } = await adminOnTokenPage();
    const token = await browser.formToken();
    const response = await browser.request(
      'POST',
      `/admin/staff/${system.id}/api-tokens/new`,
      JSON.stringify({ _csrf: token, name: 'Mosaic', validDays: { toString: 'x', valueOf: 1 } }),
      { 'content-type': 'application/json' },
    );
    expect(response.statusCode).toBe(415);
    expect(response.body).toContain('The request is in a form Safeshare does not accept');
    await expectNoTokenIssued(system);
  });
});
