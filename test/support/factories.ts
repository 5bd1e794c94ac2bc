import { randomBytes } from 'node:crypto';
import { systemActor } from '../../src/audit/index.ts';
import type { Role } from '../../src/auth/index.ts';
import { currentCode, newTotpSecret } from '../../src/auth/totp.ts';
import type { TestContext } from './harness.ts';
import { TestBrowser } from './browser.ts';

let counter = 0;

/** A hosted organisation with a realistic UK name. */
export async function createOrganisation(context: TestContext, overrides: { name?: string; hosted?: boolean } = {}): Promise<string> {
  counter += 1;
  return context.services.orgs.create(systemActor, {
    name: overrides.name ?? `Test Borough Council ${counter}-${randomBytes(3).toString('hex')}`,
    kind: 'local_authority',
    switchboardPhone: '01632960001',
    hosted: overrides.hosted ?? true,
  });
}

export interface TestStaff {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly mfaSecret: string;
  readonly organisationId: string;
}

/** A member of staff with a known password and an enrolled authenticator. */
export async function createStaff(
  context: TestContext,
  options: { roles?: readonly Role[]; organisationId?: string; enrolled?: boolean; displayName?: string; lineManagerId?: string } = {},
): Promise<TestStaff> {
  counter += 1;
  const organisationId = options.organisationId ?? (await createOrganisation(context));
  const email = `staff.member${counter}.${randomBytes(3).toString('hex')}@swindon.gov.uk`;
  const password = `correct horse ${randomBytes(6).toString('hex')}`;
  const mfaSecret = newTotpSecret();
  const id = await context.services.staff.create(systemActor, {
    organisationId,
    email,
    displayName: options.displayName ?? `Sam Taylor ${counter}`,
    jobTitle: 'Social worker',
    roles: options.roles ?? ['practitioner'],
    lineManagerId: options.lineManagerId ?? null,
    password,
    ...(options.enrolled === false ? {} : { enrolledMfaSecretSealed: context.secretBox.seal(mfaSecret) }),
  });
  return { id, email, password, mfaSecret, organisationId };
}

/** Signs in through the real pages: password, then the current one-time code. */
export async function signIn(context: TestContext, staff: TestStaff): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  const password = await browser.post('/sign-in', { email: staff.email, password: staff.password });
  if (password.statusCode !== 303) throw new Error(`sign-in refused the password (${password.statusCode})`);
  await browser.get('/sign-in/code');
  // Each test signs in on a fresh 30-second step so that a code is never reused.
  context.clock.advance(30_000);
  const code = await browser.post('/sign-in/code', { code: currentCode(staff.mfaSecret, context.clock.now()) });
  if (code.statusCode !== 303) throw new Error(`sign-in refused the code (${code.statusCode})`);
  return browser;
}
