import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { startTestProvider, type TestProvider } from '../../test/support/oidc-provider.ts';
import { currentCode } from './totp.ts';
import { administratorOf } from './staff.authority.ts';
import { systemActor } from '../audit/index.ts';

const publicUrl = 'https://safeshare.swindon.gov.uk';
const sessionCookie = '__Host-safeshare_session';
const signInCookie = '__Host-safeshare_sso';

let context: TestContext;
let provider: TestProvider;
let swindon: string;
let wiltshire: string;
let swindonAdmin: TestStaff;

beforeAll(async () => {
  context = await testApp({ PUBLIC_URL: publicUrl });
  provider = await startTestProvider({
    redirectUris: [context.services.oidc.redirectUri],
    postLogoutRedirectUris: [context.services.oidc.signedOutUri],
  });
  swindon = await createOrganisation(context, { name: 'Swindon Borough Council' });
  wiltshire = await createOrganisation(context, { name: 'Wiltshire Council' });
  swindonAdmin = await createStaff(context, { roles: ['admin'], organisationId: swindon });
  await configure(swindon, ['swindon.gov.uk'], false);
  const wiltshireAdmin = await createStaff(context, { roles: ['admin'], organisationId: wiltshire });
  await context.services.ssoSettings.save(adminOf(wiltshireAdmin, wiltshire), {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    domains: ['wiltshire.gov.uk'],
    createAccounts: true,
  });
});

afterAll(async () => {
  await provider.close();
});

function adminOf(staff: TestStaff, organisationId: string) {
  return administratorOf({
    userId: staff.id,
    displayName: 'Administrator',
    email: staff.email,
    organisationId,
    organisationName: 'Council',
    roles: ['admin'],
  });
}

async function configure(organisationId: string, domains: string[], createAccounts: boolean) {
  await context.services.ssoSettings.save(adminOf(swindonAdmin, organisationId), {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    domains,
    createAccounts,
  });
}

let accounts = 0;
/** A person at the provider, chosen as the next to sign in there. */
function atProvider(account: {
  email?: string;
  /** Left out: verified; undefined: the provider sends no email_verified at all, as Entra ID. */
  emailVerified?: boolean | undefined;
  domainOwnerVerified?: boolean;
  amr?: string[];
  name?: string;
}) {
  accounts += 1;
  const id = `person-${String(accounts)}`;
  provider.addAccount(id, { emailVerified: true, name: 'Alex Morgan', ...account });
  provider.signInAs(id);
  return id;
}

/** Starts at Safeshare's sign-in page and goes through the provider; answers the callback's path and query. */
async function throughProvider(browser: TestBrowser, workEmail: string): Promise<string> {
  await browser.get('/sign-in');
  const location = providerLink(await browser.post('/sign-in/organisation', { workEmail }));
  expect(location.startsWith(`${provider.issuer}/auth?`)).toBe(true);
  const back = await provider.followToRedirect(location);
  expect(back.origin).toBe(publicUrl);
  return `${back.pathname}${back.search}`;
}

/** The link to the provider on the page that starts a sign-in (a link, as the CSP stops a form being redirected away). */
function providerLink(start: { statusCode: number; body: string }): string {
  expect(start.statusCode).toBe(200);
  const href = /<a href="([^"]+)"[^>]*id="continue-to-provider"/.exec(start.body)?.[1];
  expect(href).toBeDefined();
  return (href ?? '').replace(/&amp;/g, '&');
}

async function refusalsOf(organisationId: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('change')
    .where('organisation_id', '=', organisationId)
    .where('action', '=', 'auth.sso_refused')
    .orderBy('seq')
    .execute();
  return rows.map((row) => String(row.change['reason']));
}

async function lastRefusal(organisationId: string): Promise<string | undefined> {
  return (await refusalsOf(organisationId)).at(-1);
}

describe('signing in with the organisation’s account', () => {
  it('signs a member of staff in when the provider asserts MFA, recording amr, with no address in any URL', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, amr: ['pwd', 'mfa'] });
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const start = await browser.post('/sign-in/organisation', { workEmail: staff.email.toUpperCase() });
    const authorization = new URL(providerLink(start));
    // PKCE, state and nonce; never the address (no login_hint).
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.href.toLowerCase()).not.toContain(staff.email.split('@')[0]);
    expect(authorization.searchParams.has('login_hint')).toBe(false);
    const cookie = String(start.headers['set-cookie']);
    expect(cookie).toMatch(/__Host-safeshare_sso=[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const back = await provider.followToRedirect(authorization.href);
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/');
    expect(browser.cookie(sessionCookie)).toBeDefined();
    expect(browser.cookie(signInCookie)).toBeUndefined();
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    const signedIn = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('entity_id', '=', staff.id)
      .where('action', '=', 'user.signed_in')
      .executeTakeFirstOrThrow();
    expect(signedIn.change).toMatchObject({ method: 'single sign-on', mfa: true, amr: ['pwd', 'mfa'] });
  });

  it('asks for Safeshare’s own one-time code when the provider does not assert MFA', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, amr: ['pwd'] });
    const browser = new TestBrowser(context.app);
    const callback = await browser.get(await throughProvider(browser, staff.email));
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/sign-in/code');
    // Not signed in yet: the home page sends the pending session back to its step.
    expect((await browser.get('/')).statusCode).toBe(303);
    context.clock.advance(30_000);
    const code = await browser.post('/sign-in/code', {
      code: currentCode(staff.mfaSecret, context.clock.now()),
    });
    expect(code.statusCode).toBe(303);
    expect((await browser.get('/')).statusCode).toBe(200);
    const actions = await context.db
      .selectFrom('audit_events')
      .select(['action', 'change'])
      .where('entity_id', '=', staff.id)
      .orderBy('seq')
      .execute();
    expect(actions.map((row) => row.action)).toEqual(['user.created', 'user.sso_accepted', 'user.signed_in']);
    expect(actions[1]?.change).toMatchObject({ method: 'single sign-on', next: 'mfa', amr: ['pwd'] });
  });

  it('refuses a callback whose state is not the one this browser was given', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const back = new URL(await throughProvider(browser, staff.email), publicUrl);
    back.searchParams.set('state', 'not-the-state-we-sent');
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('You could not be signed in');
    expect(browser.cookie(sessionCookie)).toBeUndefined();
    expect(await lastRefusal(swindon)).toBe('state_mismatch');
  });

  it('refuses a code used twice, and a callback in a browser that started no sign-in', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const callbackPath = await throughProvider(browser, staff.email);
    expect((await browser.get(callbackPath)).statusCode).toBe(303);

    // The same callback again: the sign-in it belonged to was used.
    const replay = await browser.get(callbackPath);
    expect(replay.statusCode).toBe(400);

    // The old code under a new sign-in's state: the provider refuses the code (and its PKCE verifier).
    const other = new TestBrowser(context.app);
    const fresh = new URL(await throughProvider(other, staff.email), publicUrl);
    const old = new URL(callbackPath, publicUrl);
    fresh.searchParams.set('code', old.searchParams.get('code') ?? '');
    const reused = await other.get(`${fresh.pathname}${fresh.search}`);
    expect(reused.statusCode).toBe(400);
    expect(other.cookie(sessionCookie)).toBeUndefined();
    expect(await lastRefusal(swindon)).toBe('code_refused');

    // A callback with no sign-in started in this browser.
    const stranger = new TestBrowser(context.app);
    expect((await stranger.get(callbackPath)).statusCode).toBe(400);
  });

  it('refuses an ID token for another audience, and an expired one, though the provider signed both', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    try {
      atProvider({ email: staff.email, amr: ['mfa'] });
      provider.alterIdTokens({ aud: provider.otherClientId });
      const browser = new TestBrowser(context.app);
      const wrongAudience = await browser.get(await throughProvider(browser, staff.email));
      expect(wrongAudience.statusCode).toBe(400);
      expect(await lastRefusal(swindon)).toBe('wrong_audience');

      const now = Math.floor(Date.now() / 1000);
      provider.alterIdTokens({ iat: now - 7200, exp: now - 3600 });
      const later = new TestBrowser(context.app);
      const expired = await later.get(await throughProvider(later, staff.email));
      expect(expired.statusCode).toBe(400);
      expect(later.cookie(sessionCookie)).toBeUndefined();
      expect(await lastRefusal(swindon)).toBe('id_token_expired');
    } finally {
      provider.alterIdTokens(undefined);
    }
  });

  it('refuses an address the provider has not verified', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, emailVerified: false, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const callback = await browser.get(await throughProvider(browser, staff.email));
    expect(callback.statusCode).toBe(403);
    expect(browser.cookie(sessionCookie)).toBeUndefined();
    expect(await lastRefusal(swindon)).toBe('email_not_verified');
  });

  it('takes Microsoft Entra ID’s xms_edov ("email domain owner verified") in place of email_verified, and refuses it false', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, emailVerified: undefined, domainOwnerVerified: true, amr: ['mfa'] });
    const entra = new TestBrowser(context.app);
    const callback = await entra.get(await throughProvider(entra, staff.email));
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/');
    expect(entra.cookie(sessionCookie)).toBeDefined();
    expect((await entra.get('/')).statusCode).toBe(200);

    atProvider({ email: staff.email, emailVerified: undefined, domainOwnerVerified: false, amr: ['mfa'] });
    const unverified = new TestBrowser(context.app);
    const refused = await unverified.get(await throughProvider(unverified, staff.email));
    expect(refused.statusCode).toBe(403);
    expect(unverified.cookie(sessionCookie)).toBeUndefined();
    expect(await lastRefusal(swindon)).toBe('email_not_verified');
  });

  it('refuses an unknown person with a clear page, audited with no address, and creates no account', async () => {
    const email = 'jordan.unknown@swindon.gov.uk';
    atProvider({ email, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const callback = await browser.get(await throughProvider(browser, email));
    expect(callback.statusCode).toBe(403);
    expect(callback.body).toContain('there is no Safeshare account for your work email address');
    expect(await lastRefusal(swindon)).toBe('unknown_user');
    const events = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('action', '=', 'auth.sso_refused')
      .execute();
    expect(JSON.stringify(events)).not.toContain('jordan');
    expect(
      await context.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('creates an account with no roles at a first sign-in when the administrator allows it', async () => {
    const email = 'casey.new@wiltshire.gov.uk';
    atProvider({ email, name: 'Casey New', amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const callback = await browser.get(await throughProvider(browser, email));
    expect(callback.statusCode).toBe(303);
    // No authenticator yet and the provider asserted MFA: signed in, with no roles.
    const user = await context.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      organisation_id: wiltshire,
      roles: [],
      display_name: 'Casey New',
      password_hash: null,
    });
    const created = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', user.id)
      .orderBy('seq')
      .execute();
    expect(created.map((row) => row.action)).toEqual(['user.created', 'user.signed_in']);
  });

  it('never signs anyone into another organisation’s account, even with a matching verified address', async () => {
    // A Swindon account whose address is at Wiltshire's domain: Wiltshire's provider does not vouch for it.
    const swindonStaff = await createStaff(context, { organisationId: swindon });
    const address = swindonStaff.email.replace('@swindon.gov.uk', '@wiltshire.gov.uk');
    await context.db.updateTable('users').set({ email: address }).where('id', '=', swindonStaff.id).execute();
    atProvider({ email: address, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    const callback = await browser.get(await throughProvider(browser, address));
    expect(callback.statusCode).toBe(403);
    expect(browser.cookie(sessionCookie)).toBeUndefined();
    expect(await lastRefusal(wiltshire)).toBe('account_in_another_organisation');

    // A verified address outside the organisation's single sign-on domains is refused too.
    const outside = await createStaff(context, { organisationId: wiltshire });
    atProvider({ email: outside.email, amr: ['mfa'] });
    const second = new TestBrowser(context.app);
    await second.get('/sign-in');
    const start = await second.post('/sign-in/organisation', { workEmail: 'someone@wiltshire.gov.uk' });
    const back = await provider.followToRedirect(providerLink(start));
    expect((await second.get(`${back.pathname}${back.search}`)).statusCode).toBe(403);
    expect(await lastRefusal(wiltshire)).toBe('email_domain_not_allowed');
  });

  it('shows a GOV.UK error for an address at no organisation’s single sign-on domain', async () => {
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const unknown = await browser.post('/sign-in/organisation', { workEmail: 'someone@elsewhere.gov.uk' });
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body)[0]).toContain('does not sign in to Safeshare with its own account');
    expect(unknown.body).toContain('value="someone@elsewhere.gov.uk"');
    const blank = await browser.post('/sign-in/organisation', { workEmail: '' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter your work email address']);
  });

  it('counts starts and returns against the same per-address limit as password sign-in', async () => {
    const limited = await testApp({ PUBLIC_URL: publicUrl, SIGN_IN_ADDRESS_LIMIT: '2' });
    const browser = new TestBrowser(limited.app);
    await browser.get('/sign-in');
    expect(
      (await browser.post('/sign-in/organisation', { workEmail: 'a@elsewhere.gov.uk' })).statusCode,
    ).toBe(400);
    expect((await browser.get('/sign-in/organisation/callback?code=x&state=y')).statusCode).toBe(400);
    const third = await browser.post('/sign-in/organisation', { workEmail: 'a@elsewhere.gov.uk' });
    expect(third.statusCode).toBe(429);
    expect((await browser.get('/sign-in/organisation/callback?code=x&state=y')).statusCode).toBe(429);
  });

  it('offers the provider’s sign-out after signing out of Safeshare', async () => {
    const staff = await createStaff(context, { organisationId: swindon });
    atProvider({ email: staff.email, amr: ['mfa'] });
    const browser = new TestBrowser(context.app);
    expect((await browser.get(await throughProvider(browser, staff.email))).statusCode).toBe(303);
    await browser.get('/');
    const signOut = await browser.post('/sign-out');
    expect(signOut.headers.location).toBe(`/signed-out?organisation=${swindon}`);
    const page = await browser.get(String(signOut.headers.location));
    expect(page.body).toContain(`/sign-in/organisation/sign-out/${swindon}`);
    const toProvider = await browser.get(`/sign-in/organisation/sign-out/${swindon}`);
    expect(toProvider.statusCode).toBe(303);
    const endSession = new URL(String(toProvider.headers.location));
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${publicUrl}/signed-out`);
    // An organisation without single sign-on is offered nothing.
    const plain = await createOrganisation(context);
    expect((await browser.get(`/signed-out?organisation=${plain}`)).body).not.toContain(
      '/sign-in/organisation/sign-out/',
    );
  });
});

describe('passwords where the organisation signs in with its own account', () => {
  it('refuses a right password of anyone but an administrator (break-glass), audited, and keeps them elsewhere', async () => {
    const practitioner = await createStaff(context, { organisationId: swindon });
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const refused = await browser.post('/sign-in', {
      email: practitioner.email,
      password: practitioner.password,
    });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)[0]).toContain(
      'Your organisation signs in to Safeshare with its own account',
    );
    expect(browser.cookie(sessionCookie)).toBeUndefined();
    const failed = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('entity_id', '=', practitioner.id)
      .where('action', '=', 'user.sign_in_failed')
      .executeTakeFirstOrThrow();
    expect(failed.change).toEqual({ reason: 'organisation signs in with its own account' });
    // The organisation's administrator still has the password way in.
    await signedIn(swindonAdmin);
    // A practitioner of an organisation without single sign-on signs in with a password as before.
    await signedIn(await createStaff(context));
  });
});

describe('the administrator’s single sign-on page', () => {
  it('saves the settings of the administrator’s own organisation, never showing the secret again', async () => {
    const organisation = await createOrganisation(context, { name: 'Bath and North East Somerset Council' });
    const admin = await createStaff(context, { roles: ['admin'], organisationId: organisation });
    const browser = await signedIn(admin);
    const empty = await browser.get('/admin/single-sign-on');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain(`${publicUrl}/sign-in/organisation/callback`);
    const secret = 'a-very-secret-client-secret-123';
    const saved = await browser.post('/admin/single-sign-on', {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: secret,
      domains: 'bathnes.gov.uk\nBATHNES.gov.uk, education.bathnes.gov.uk',
      createAccounts: 'no',
    });
    expect(saved.statusCode).toBe(303);
    const page = await browser.get('/admin/single-sign-on?done=saved');
    expect(page.body).toContain('A client secret is set');
    expect(page.body).not.toContain(secret);
    const row = await context.db
      .selectFrom('organisation_sso')
      .selectAll()
      .where('organisation_id', '=', organisation)
      .executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).not.toContain(secret);
    expect(context.secretBox.open(row.client_secret_sealed)).toBe(secret);
    const domains = await context.db
      .selectFrom('organisation_sso_domains')
      .select('domain')
      .where('organisation_id', '=', organisation)
      .orderBy('domain')
      .execute();
    expect(domains.map((entry) => entry.domain)).toEqual(['bathnes.gov.uk', 'education.bathnes.gov.uk']);
    const audited = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('organisation_id', '=', organisation)
      .where('action', '=', 'organisation.sso_configured')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audited.change)).not.toContain(secret);
    expect(audited.change).toMatchObject({
      clientSecretReplaced: true,
      domains: ['bathnes.gov.uk', 'education.bathnes.gov.uk'],
    });

    // Saving again with the secret left empty keeps it.
    expect(
      (
        await browser.post('/admin/single-sign-on', {
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: '',
          domains: 'bathnes.gov.uk',
          createAccounts: 'yes',
        })
      ).statusCode,
    ).toBe(303);
    const kept = await context.db
      .selectFrom('organisation_sso')
      .select('client_secret_sealed')
      .where('organisation_id', '=', organisation)
      .executeTakeFirstOrThrow();
    expect(context.secretBox.open(kept.client_secret_sealed)).toBe(secret);
  });

  it('refuses shared national domains, another organisation’s domain, bad domains and a plain-HTTP issuer', async () => {
    const organisation = await createOrganisation(context);
    const admin = await createStaff(context, { roles: ['admin'], organisationId: organisation });
    const browser = await signedIn(admin);
    await browser.get('/admin/single-sign-on');
    const attempt = (fields: Record<string, string>) =>
      browser.post('/admin/single-sign-on', {
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: 'secret-for-this-test',
        domains: 'example-council.gov.uk',
        createAccounts: 'no',
        ...fields,
      });
    for (const shared of ['nhs.net', 'gov.uk', 'police.uk', 'pnn.police.uk']) {
      const refused = await attempt({ domains: shared });
      expect(refused.statusCode, shared).toBe(400);
      expect(errorSummary(refused.body)[0], shared).toContain('cannot be used for single sign-on');
    }
    // The partner directory gives wiltshire-schools.org.uk to Wiltshire: nobody else may claim it.
    await context.services.orgs.addDomain(systemActor, wiltshire, 'wiltshire-schools.org.uk');
    const directory = await attempt({ domains: 'wiltshire-schools.org.uk' });
    expect(errorSummary(directory.body)[0]).toContain(
      'belongs to another organisation in the partner directory',
    );
    const taken = await attempt({ domains: 'swindon.gov.uk' });
    expect(taken.statusCode).toBe(400);
    expect(errorSummary(taken.body)[0]).toContain('already used for single sign-on by another organisation');
    const malformed = await attempt({ domains: 'not a domain' });
    expect(malformed.statusCode).toBe(400);
    expect((await attempt({ domains: '10.0.0.1' })).statusCode).toBe(400);
    expect((await attempt({ domains: 'xn--nhs-ipa.net' })).statusCode).toBe(400);
    const insecure = await attempt({ issuer: 'http://login.example.com/tenant/v2.0' });
    expect(errorSummary(insecure.body)).toEqual(['The issuer address must start with https://']);
    const noSecret = await attempt({ clientSecret: '' });
    expect(errorSummary(noSecret.body)).toEqual(['Enter the client secret']);
    expect(noSecret.body).not.toContain('secret-for-this-test');
    expect(
      await context.db
        .selectFrom('organisation_sso')
        .select('organisation_id')
        .where('organisation_id', '=', organisation)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('is for administrators only', async () => {
    const practitioner = await createStaff(context);
    const browser = await signedIn(practitioner);
    expect((await browser.get('/admin/single-sign-on')).statusCode).toBe(403);
  });
});

async function signedIn(staff: TestStaff): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  expect((await browser.post('/sign-in', { email: staff.email, password: staff.password })).statusCode).toBe(
    303,
  );
  context.clock.advance(30_000);
  expect(
    (await browser.post('/sign-in/code', { code: currentCode(staff.mfaSecret, context.clock.now()) }))
      .statusCode,
  ).toBe(303);
  return browser;
}
