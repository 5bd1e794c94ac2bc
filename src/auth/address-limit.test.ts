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
    const response = await browser.post('/sign-in', { email: `someone${attempt}@swindon.gov.uk`, password: 'a wrong password' });
    expect(response.statusCode).toBe(400);
  }
  const limited = await browser.post('/sign-in', { email: 'another@swindon.gov.uk', password: 'a wrong password' });
  expect(limited.statusCode).toBe(429);
  expect(limited.body).toContain('Too many attempts');
  expect(limited.body).not.toContain('another@swindon.gov.uk');
});
