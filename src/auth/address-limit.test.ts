import { beforeAll, expect, it } from 'vitest';
import { TestBrowser } from '../../test/support/browser.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '3' });
});

it('limits sign-in attempts from one address, whatever accounts they name', async () => {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const response = await browser.post('/sign-in', {
      email: `someone${attempt}@swindon.gov.uk`,
      password: 'a wrong password',
    });
    expect(response.statusCode).toBe(400);
  }
  const limited = await browser.post('/sign-in', {
    email: 'another@swindon.gov.uk',
    password: 'a wrong password',
  });
  expect(limited.statusCode).toBe(429);
  expect(limited.body).toContain('Too many attempts');
  expect(limited.body).not.toContain('another@swindon.gov.uk');
});

it('holds across app servers that share the database, and starts again in the next window', async () => {
  const oneServer = await testApp({ SIGN_IN_ADDRESS_LIMIT: '3' });
  const otherServer = await testApp({ SIGN_IN_ADDRESS_LIMIT: '3' }, { database: oneServer });
  const first = new TestBrowser(oneServer.app);
  const second = new TestBrowser(otherServer.app);
  await first.get('/sign-in');
  await second.get('/sign-in');

  expect(
    (await first.post('/sign-in', { email: 'someone@swindon.gov.uk', password: 'a wrong password' }))
      .statusCode,
  ).toBe(400);
  expect(
    (await second.post('/sign-in', { email: 'someone.else@swindon.gov.uk', password: 'a wrong password' }))
      .statusCode,
  ).toBe(400);
  expect(
    (await first.post('/sign-in', { email: 'a.third@swindon.gov.uk', password: 'a wrong password' }))
      .statusCode,
  ).toBe(400);
  const limited = await second.post('/sign-in', {
    email: 'a.fourth@swindon.gov.uk',
    password: 'a wrong password',
  });
  expect(limited.statusCode).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(
    (await first.post('/sign-in', { email: 'a.fifth@swindon.gov.uk', password: 'a wrong password' }))
      .statusCode,
  ).toBe(429);

  // Housekeeping forgets windows that have ended; the address may try again.
  oneServer.clock.advance(5 * 60_000);
  await oneServer.services.auth.sweep();
  expect(await oneServer.db.selectFrom('sign_in_address_attempts').selectAll().execute()).toEqual([]);
  expect(
    (await first.post('/sign-in', { email: 'someone@swindon.gov.uk', password: 'a wrong password' }))
      .statusCode,
  ).toBe(400);
});
