import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import { currentCode, newTotpSecret } from './totp.ts';

let context: TestContext;
let organisationId: string;
let admin: TestStaff;

const changePage = '/sign-in/change-password';

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  admin = await createStaff(context, { roles: ['admin'], organisationId, displayName: 'Alex Morgan' });
});

async function passwordStep(
  email: string,
  password: string,
): Promise<{ browser: TestBrowser; location: unknown }> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  const response = await browser.post('/sign-in', { email, password });
  expect(response.statusCode).toBe(303);
  return { browser, location: response.headers['location'] };
}

async function userRow(id: string) {
  return context.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function actionsOn(id: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', id)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

/** Every page but the change-password page and signing out sends the person back to choose a password. */
async function expectOnlyTheChangePage(browser: TestBrowser): Promise<void> {
  for (const page of [
    '/',
    '/people',
    '/admin/staff',
    '/notifications',
    '/sign-in',
    '/sign-in/code',
    '/sign-in/set-up-authenticator',
  ]) {
    const response = await browser.get(page);
    expect(response.statusCode, page).toBe(303);
    expect(response.headers['location'], page).toMatch(/^\/sign-in\/change-password(\?|$)/);
  }
  expect((await browser.post('/sign-in/code', { code: '123456' })).headers['location']).toBe(changePage);
  const page = await browser.get(changePage);
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('Choose a new password');
}

describe('a password set by an administrator', () => {
  it('must be replaced by one the person chooses at first sign-in, before any other page and before MFA enrolment', async () => {
    const adminBrowser = await signIn(context, admin);
    await adminBrowser.get('/admin/staff/new');
    const email = `priya.sharma.${randomBytes(3).toString('hex')}@swindon.gov.uk`;
    const given = 'marble otter lantern';
    const created = await adminBrowser.post('/admin/staff/new', {
      displayName: 'Priya Sharma',
      email,
      jobTitle: 'Health visitor',
      roles: ['practitioner'],
      lineManagerId: '',
      password: given,
    });
    expect(created.statusCode).toBe(303);
    const id = /\/admin\/staff\/([0-9a-f-]{36})/.exec(String(created.headers['location']))?.[1] ?? '';

    const { browser, location } = await passwordStep(email, given);
    expect(location).toBe(changePage);
    await expectOnlyTheChangePage(browser);
    // No authenticator key is issued before the password is their own.
    expect((await userRow(id)).mfa_secret_sealed).toBeNull();

    // Bad answers get an error summary and change nothing.
    const before = await userRow(id);
    const empty = await browser.post(changePage, { password: '' });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual(['Enter a new password']);
    const common = await browser.post(changePage, { password: 'password1234' });
    expect(common.statusCode).toBe(400);
    expect(errorSummary(common.body)[0]).toContain('too common');
    const same = await browser.post(changePage, { password: given });
    expect(same.statusCode).toBe(400);
    expect(errorSummary(same.body)).toEqual([
      'Your new password must be different from the password you were given',
    ]);
    const unchanged = await userRow(id);
    expect(unchanged.password_hash).toBe(before.password_hash);
    expect(unchanged.must_change_password).toBe(true);
    expect(await actionsOn(id)).not.toContain('user.password_changed');

    const chosen = 'heron quarry violin';
    const changed = await browser.post(changePage, { password: chosen });
    expect(changed.statusCode).toBe(303);
    // The password comes first, then the authenticator as for every first sign-in.
    expect(changed.headers['location']).toBe('/sign-in/set-up-authenticator');
    expect((await userRow(id)).must_change_password).toBe(false);
    expect(await actionsOn(id)).toContain('user.password_changed');
    expect((await browser.get(changePage)).headers['location']).toBe('/sign-in/set-up-authenticator');

    const enrolment = await browser.get('/sign-in/set-up-authenticator');
    const manualKey = /id="manual-key">([A-Z2-7 ]+)</.exec(enrolment.body)?.[1]?.replace(/\s/g, '') ?? '';
    context.clock.advance(30_000);
    const confirmed = await browser.post('/sign-in/set-up-authenticator', {
      code: currentCode(manualKey, context.clock.now()),
    });
    expect(confirmed.statusCode).toBe(303);
    expect((await browser.get('/')).statusCode).toBe(200);

    // From now on they sign in normally with their own password; the one they were given no longer works.
    const again = await passwordStep(email, chosen);
    expect(again.location).toBe('/sign-in/code');
    const old = new TestBrowser(context.app);
    await old.get('/sign-in');
    expect((await old.post('/sign-in', { email, password: given })).statusCode).toBe(400);
  });

  it('must be replaced again after an administrator resets it, before the one-time code', async () => {
    const person = await createStaff(context, { organisationId, displayName: 'Jordan Hughes' });
    const adminBrowser = await signIn(context, admin);
    await adminBrowser.get(`/admin/staff/${person.id}/reset-password`);
    const given = 'copper willow beacon';
    expect(
      (await adminBrowser.post(`/admin/staff/${person.id}/reset-password`, { password: given })).statusCode,
    ).toBe(303);

    const { browser, location } = await passwordStep(person.email, given);
    expect(location).toBe(changePage);
    await expectOnlyTheChangePage(browser);

    const sessionCookie =
      browser.cookie('__Host-safeshare_session') === undefined
        ? 'safeshare_session'
        : '__Host-safeshare_session';
    const before = browser.cookie(sessionCookie) ?? '';
    const chosen = 'saffron glacier tandem';
    const changed = await browser.post(changePage, { password: chosen });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers['location']).toBe('/sign-in/code');
    expect(browser.cookie(sessionCookie)).not.toBe(before);
    // The session that chose the password is gone: its cookie cannot change the password again.
    const replay = new TestBrowser(context.app);
    replay.setCookie(sessionCookie, before);
    // (A form token of its own: fetching one would load a page, which drops the dead cookie first.)
    expect(
      (await replay.post(changePage, { password: 'another fresh passphrase', _csrf: 'unused' })).headers[
        'location'
      ],
    ).toBe('/sign-in');
    context.clock.advance(30_000);
    expect(
      (await browser.post('/sign-in/code', { code: currentCode(person.mfaSecret, context.clock.now()) }))
        .statusCode,
    ).toBe(303);
    expect((await browser.get('/')).statusCode).toBe(200);
    expect(await actionsOn(person.id)).toEqual(
      expect.arrayContaining(['user.password_reset', 'user.password_changed', 'user.signed_in']),
    );
    expect((await passwordStep(person.email, chosen)).location).toBe('/sign-in/code');
  });

  it('lets the person sign out instead, and the next sign-in asks again', async () => {
    const person = await createStaff(context, { organisationId, mustChangePassword: true });
    const { browser, location } = await passwordStep(person.email, person.password);
    expect(location).toBe(changePage);
    await browser.get(changePage);
    expect((await browser.post('/sign-out')).headers['location']).toBe('/signed-out');
    expect((await passwordStep(person.email, person.password)).location).toBe(changePage);
    // The factory's sign-in helper chooses one when asked.
    const signedIn = await signIn(context, person, { newPassword: 'pebble harbour quiver' });
    expect((await signedIn.get('/')).statusCode).toBe(200);
  });

  it('is never forced on demo accounts', async () => {
    const mfaSecret = newTotpSecret();
    const email = `demo.${randomBytes(3).toString('hex')}@swindon.gov.uk`;
    const password = 'demo lantern harbour 7';
    const id = await context.services.staff.create(systemActor, {
      organisationId,
      email,
      displayName: 'Demo Practitioner',
      jobTitle: null,
      roles: ['practitioner'],
      lineManagerId: null,
      password,
      demo: true,
      enrolledMfaSecretSealed: context.secretBox.seal(mfaSecret),
    });
    expect((await userRow(id)).must_change_password).toBe(false);
    expect((await passwordStep(email, password)).location).toBe('/sign-in/code');
  });
});
