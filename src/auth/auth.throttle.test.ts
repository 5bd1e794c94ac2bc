import { hash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../../test/support/browser.ts';
import { createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { accountGuessLimit } from './auth.service.ts';
import { currentCode } from './totp.ts';

let context: TestContext;

beforeAll(async () => {
  // Every request comes from one address here: its own limit must not be what stops the bursts.
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '10000' });
});

async function checkedAttempts(
  userId: string,
  action: 'user.sign_in_failed' | 'user.mfa_failed',
): Promise<number> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('seq')
    .where('entity_id', '=', userId)
    .where('action', '=', action)
    .execute();
  return rows.length;
}

/** A six-digit code that is none of the codes the account would accept now. */
function wrongCode(secret: string): string {
  const now = context.clock.now().getTime();
  const accepted = new Set([-30_000, 0, 30_000].map((offset) => currentCode(secret, new Date(now + offset))));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

describe('the per-account limit under parallel guesses', () => {
  it('checks no more than the limit of 25 wrong passwords sent at once, then refuses the right one', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');

    const burst = await Promise.all(
      Array.from({ length: 25 }, (_, guess) =>
        browser.post('/sign-in', { email: staff.email, password: `wrong guess number ${guess}` }),
      ),
    );

    // Each password checked and found wrong is audited; the others were refused before any check.
    expect(await checkedAttempts(staff.id, 'user.sign_in_failed')).toBe(accountGuessLimit);
    expect(burst.filter((response) => response.statusCode === 400)).toHaveLength(accountGuessLimit);
    expect(burst.filter((response) => response.statusCode === 429)).toHaveLength(25 - accountGuessLimit);
    const right = await browser.post('/sign-in', { email: staff.email, password: staff.password });
    expect(right.statusCode).toBe(429);
    expect(browser.cookie('__Host-safeshare_session') ?? browser.cookie('safeshare_session')).toBeUndefined();
  });

  it('checks no more than the limit of 45 wrong one-time codes sent at once, then refuses the right one', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    const password = await browser.post('/sign-in', { email: staff.email, password: staff.password });
    expect(password.headers['location']).toBe('/sign-in/code');
    await browser.get('/sign-in/code');

    const code = wrongCode(staff.mfaSecret);
    const burst = await Promise.all(
      Array.from({ length: 45 }, () => browser.post('/sign-in/code', { code })),
    );

    expect(await checkedAttempts(staff.id, 'user.mfa_failed')).toBe(accountGuessLimit);
    expect(burst.filter((response) => response.statusCode === 400)).toHaveLength(accountGuessLimit);
    expect(burst.filter((response) => response.statusCode === 429)).toHaveLength(45 - accountGuessLimit);
    const right = await browser.post('/sign-in/code', {
      code: currentCode(staff.mfaSecret, context.clock.now()),
    });
    expect(right.statusCode).toBe(429);
    expect((await browser.get('/')).headers['location']).toBe('/sign-in?next=%2F');
  });

  it('does not count a right password against the account, and housekeeping forgets old failures', async () => {
    const staff = await createStaff(context);
    const browser = new TestBrowser(context.app);
    await browser.get('/sign-in');
    expect(
      (await browser.post('/sign-in', { email: staff.email, password: 'a wrong password first' })).statusCode,
    ).toBe(400);
    for (let signIn = 0; signIn < accountGuessLimit + 2; signIn += 1) {
      expect(
        (await browser.post('/sign-in', { email: staff.email, password: staff.password })).statusCode,
      ).toBe(303);
    }
    const accountKey = hash('sha256', `sign-in:${staff.email}`, 'hex');
    const failures = () =>
      context.db.selectFrom('sign_in_failures').select('id').where('account_key', '=', accountKey).execute();
    expect(await failures()).toHaveLength(1);

    context.clock.advance(5 * 60_000 + 1000);
    await context.services.auth.sweep();
    expect(await failures()).toEqual([]);
  });
});
