import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import { createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { currentCode } from './totp.ts';
import { systemActor } from '../audit/index.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp();
});

async function passwordStep(staff: TestStaff, password = staff.password): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { email: staff.email, password });
  expect(response.statusCode).toBe(303);
  return browser;
}

describe('sign-in with password and one-time code', () => {
  it('signs in with the right password and code, and reaches the home page', async () => {
    const staff = await createStaff(context);
    const browser = await signIn(context, staff);
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Welcome, Sam Taylor');
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const wrong = await browser.post('/sign-in', { email: staff.email, password: 'not the password at all' });
    const unknown = await browser.post('/sign-in', {
      email: 'nobody.here@swindon.gov.uk',
      password: 'not the password at all',
    });
    expect(wrong.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toEqual(['Enter a correct email address and password']);
    expect(errorSummary(unknown.body)).toEqual(errorSummary(wrong.body));
    expect(browser.cookie('__Host-safeshare_session')).toBeUndefined();
  });

  it('refuses a wrong code, and a code that was already used', async () => {
    const staff = await createStaff(context);
    const browser = await passwordStep(staff);
    const wrong = await browser.post('/sign-in/code', {
      code: '000000' === currentCode(staff.mfaSecret, context.clock.now()) ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)[0]).toContain('The code is not correct');

    context.clock.advance(30_000);
    const code = currentCode(staff.mfaSecret, context.clock.now());
    expect((await browser.post('/sign-in/code', { code })).statusCode).toBe(303);

    // A second sign-in within the same 30 seconds cannot replay the code.
    const again = await passwordStep(staff);
    const replay = await again.post('/sign-in/code', { code });
    expect(replay.statusCode).toBe(400);
    expect(errorSummary(replay.body)[0]).toContain('has been used');
  });

  it('refuses an old code from two minutes ago', async () => {
    const staff = await createStaff(context);
    const browser = await passwordStep(staff);
    const old = currentCode(staff.mfaSecret, new Date(context.clock.now().getTime() - 120_000));
    const response = await browser.post('/sign-in/code', { code: old });
    expect(response.statusCode).toBe(400);
  });

  it('throttles an account after 10 wrong guesses in 5 minutes, even with the right password', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    for (let guess = 0; guess < 10; guess += 1) {
      expect(
        (await browser.post('/sign-in', { email: staff.email, password: `wrong guess ${guess}` })).statusCode,
      ).toBe(400);
    }
    const right = await browser.post('/sign-in', { email: staff.email, password: staff.password });
    expect(right.statusCode).toBe(429);
    expect(errorSummary(right.body)[0]).toContain('too many attempts');
    // Unknown accounts are throttled alike, so throttling reveals nothing.
    for (let guess = 0; guess < 10; guess += 1)
      await browser.post('/sign-in', { email: 'ghost@swindon.gov.uk', password: `guess ${guess}` });
    expect(
      (await browser.post('/sign-in', { email: 'ghost@swindon.gov.uk', password: 'another guess' }))
        .statusCode,
    ).toBe(429);

    context.clock.advance(5 * 60_000 + 1000);
    expect(
      (await browser.post('/sign-in', { email: staff.email, password: staff.password })).statusCode,
    ).toBe(303);
  });

  it('changes the session id at each step of signing in (no session fixation)', async () => {
    const staff = await createStaff(context);
    const browser = await passwordStep(staff);
    const afterPassword = browser.cookie('__Host-safeshare_session');
    expect(afterPassword).toBeDefined();
    context.clock.advance(30_000);
    await browser.post('/sign-in/code', { code: currentCode(staff.mfaSecret, context.clock.now()) });
    const afterCode = browser.cookie('__Host-safeshare_session');
    expect(afterCode).toBeDefined();
    expect(afterCode).not.toBe(afterPassword);

    // The pre-MFA session no longer exists on the server.
    const attacker = new TestBrowser(context.app);
    attacker.setCookie('__Host-safeshare_session', afterPassword ?? '');
    expect((await attacker.get('/')).headers['location']).toBe('/sign-in?next=%2F');
  });

  it('ends a session after 30 idle minutes, and after 12 hours however active', async () => {
    const staff = await createStaff(context);
    const browser = await signIn(context, staff);
    context.clock.advance(29 * 60_000);
    expect((await browser.get('/')).statusCode).toBe(200);
    context.clock.advance(31 * 60_000);
    const idle = await browser.get('/');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers['location']).toBe('/sign-in?expired=1');

    const active = await signIn(context, staff);
    for (let step = 0; step < 36; step += 1) {
      context.clock.advance(20 * 60_000);
      expect((await active.get('/')).statusCode).toBe(200);
    }
    context.clock.advance(60_000);
    expect((await active.get('/')).headers['location']).toBe('/sign-in?expired=1');
  });

  it('refuses a form without its CSRF token, or with a wrong one', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const missing = await browser.post(
      '/sign-in',
      { email: staff.email, password: staff.password },
      { csrf: false },
    );
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('Your form has expired');
    const wrong = await browser.post('/sign-in', {
      email: staff.email,
      password: staff.password,
      _csrf: 'forged-token',
    });
    expect(wrong.statusCode).toBe(403);
    expect(browser.cookie('__Host-safeshare_session')).toBeUndefined();
  });

  it('refuses the live session of a member of staff who has been deactivated', async () => {
    const staff = await createStaff(context);
    const browser = await signIn(context, staff);
    expect((await browser.get('/')).statusCode).toBe(200);
    await context.services.staff.setActive(systemActor, staff.id, false);
    const response = await browser.get('/');
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toContain('/sign-in');
    const again = new TestBrowser(context.app);
    await again.get('/sign-in');
    expect((await again.post('/sign-in', { email: staff.email, password: staff.password })).statusCode).toBe(
      400,
    );
  });

  it('ends the session on the server at sign-out', async () => {
    const staff = await createStaff(context);
    const browser = await signIn(context, staff);
    const token = browser.cookie('__Host-safeshare_session') ?? '';
    await browser.get('/');
    expect((await browser.post('/sign-out')).headers['location']).toBe('/signed-out');
    const replay = new TestBrowser(context.app);
    replay.setCookie('__Host-safeshare_session', token);
    expect((await replay.get('/')).statusCode).toBe(303);
  });

  it('enrols an authenticator at first sign-in with a QR code and a manual key', async () => {
    const staff = await createStaff(context, { enrolled: false });
    const browser = await passwordStep(staff);
    const page = await browser.get('/sign-in/set-up-authenticator');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data:image/png;base64,');
    const manualKey = /id="manual-key">([A-Z2-7 ]+)</.exec(page.body)?.[1]?.replace(/\s/g, '') ?? '';
    expect(manualKey).toMatch(/^[A-Z2-7]{32}$/);
    // The key stays the same on reload until it is confirmed.
    expect((await browser.get('/sign-in/set-up-authenticator')).body).toContain(
      /id="manual-key">([A-Z2-7 ]+)</.exec(page.body)?.[1] ?? 'x',
    );
    context.clock.advance(30_000);
    const confirm = await browser.post('/sign-in/set-up-authenticator', {
      code: currentCode(manualKey, context.clock.now()),
    });
    expect(confirm.statusCode).toBe(303);
    expect((await browser.get('/')).statusCode).toBe(200);
    const events = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', staff.id)
      .execute();
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['user.mfa_key_issued', 'user.mfa_enrolled', 'user.signed_in']),
    );
  });
});
