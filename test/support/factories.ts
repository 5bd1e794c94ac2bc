import { randomBytes } from 'node:crypto';
import { systemActor } from '../../src/audit/index.ts';
import type { Role } from '../../src/auth/index.ts';
import { signInStepPaths } from '../../src/auth/auth.paths.ts';
import { currentCode, newTotpSecret } from '../../src/auth/totp.ts';
import { testNhsNumbers } from '../../src/lib/nhs-number.ts';
import type { PersonDetails } from '../../src/people/index.ts';
import type { TestContext } from './harness.ts';
import { TestBrowser } from './browser.ts';

let counter = 0;

/** A hosted organisation with a realistic UK name. */
export async function createOrganisation(
  context: TestContext,
  overrides: { name?: string; hosted?: boolean } = {},
): Promise<string> {
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

/**
 * A member of staff with a known password and an enrolled authenticator. Unless the test asks
 * (`mustChangePassword: true`), they are not made to choose a new password at first sign-in.
 */
export async function createStaff(
  context: TestContext,
  options: {
    roles?: readonly Role[];
    organisationId?: string;
    enrolled?: boolean;
    displayName?: string;
    lineManagerId?: string;
    mustChangePassword?: boolean;
  } = {},
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
    mustChangePassword: options.mustChangePassword ?? false,
    ...(options.enrolled === false ? {} : { enrolledMfaSecretSealed: context.secretBox.seal(mfaSecret) }),
  });
  return { id, email, password, mfaSecret, organisationId };
}

/**
 * Signs in through the real pages: password, then the current one-time code. Someone who must first
 * replace the password an administrator set chooses `newPassword` on the way.
 */
export async function signIn(
  context: TestContext,
  staff: TestStaff,
  options: { newPassword?: string } = {},
): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  const password = await browser.post('/sign-in', { email: staff.email, password: staff.password });
  if (password.statusCode !== 303) throw new Error(`sign-in refused the password (${password.statusCode})`);
  if (password.headers['location'] === signInStepPaths.password) {
    if (options.newPassword === undefined)
      throw new Error('sign-in asks for a new password: pass newPassword');
    await browser.get(signInStepPaths.password);
    const chosen = await browser.post(signInStepPaths.password, { password: options.newPassword });
    if (chosen.statusCode !== 303) throw new Error(`sign-in refused the new password (${chosen.statusCode})`);
  }
  await browser.get('/sign-in/code');
  // Each test signs in on a fresh 30-second step so that a code is never reused.
  context.clock.advance(30_000);
  const code = await browser.post('/sign-in/code', {
    code: currentCode(staff.mfaSecret, context.clock.now()),
  });
  if (code.statusCode !== 303) throw new Error(`sign-in refused the code (${code.statusCode})`);
  return browser;
}

const givenNamesForFixtures = [
  'Jayden',
  'Amelia',
  'Oliver',
  'Isla',
  'Mohammed',
  'Aisha',
  'Harry',
  'Poppy',
  'Kacper',
  'Zofia',
  'Kwame',
  'Niamh',
  'Ethan',
  'Ruby',
  'Arjun',
  'Grace',
] as const;
const familyNamesForFixtures = [
  'Smith',
  'Jones',
  'Williams',
  'Taylor',
  'Patel',
  'Khan',
  'Kowalski',
  'Okafor',
  'Evans',
  'Murphy',
  'Hughes',
  'Begum',
  'Wright',
  'Nowak',
  'Clarke',
  'Mensah',
] as const;
/** NHS numbers from the test range (999 000 0000 to 999 999 9999), distinct within a test file. */
// From the upper half of the range, so that numbers a test spells out (999 000 0018...) never collide with them.
const fixtureNhsNumbers = testNhsNumbers(
  500_000 + (Number.parseInt(randomBytes(3).toString('hex'), 16) % 400_000),
);

export interface TestPersonDetails {
  readonly givenNames?: string;
  readonly familyName?: string;
  readonly knownAs?: string | null;
  readonly dateOfBirth?: string | null;
  readonly nhsNumber?: string | null;
  readonly localReference?: string | null;
  readonly upn?: string | null;
  readonly postcode?: string | null;
}

/**
 * A fictional person (child by default) in an organisation, with a valid test-range NHS number, a
 * case reference and a Swindon address; optionally allocated to a member of staff.
 */
export async function createPerson(
  context: TestContext,
  options: TestPersonDetails & { organisationId: string; allocatedTo?: string },
): Promise<string> {
  counter += 1;
  const year = 2010 + (counter % 14);
  const month = String(1 + (counter % 12)).padStart(2, '0');
  const day = String(1 + (counter % 28)).padStart(2, '0');
  const details: PersonDetails = {
    givenNames:
      options.givenNames ?? givenNamesForFixtures[counter % givenNamesForFixtures.length] ?? 'Jayden',
    familyName:
      options.familyName ?? familyNamesForFixtures[(counter * 7) % familyNamesForFixtures.length] ?? 'Smith',
    knownAs: options.knownAs ?? null,
    dateOfBirth: options.dateOfBirth === undefined ? `${year}-${month}-${day}` : options.dateOfBirth,
    nhsNumber: options.nhsNumber === undefined ? fixtureNhsNumbers.next().value : options.nhsNumber,
    localReference:
      options.localReference === undefined ? `SBC-${String(100_000 + counter)}` : options.localReference,
    upn: options.upn ?? null,
    externalId: null,
    addressLine1: `${String(1 + (counter % 90))} Commercial Road`,
    addressLine2: null,
    town: 'Swindon',
    postcode: options.postcode === undefined ? 'SN1 5NS' : options.postcode,
  };
  return context.services.people.register(
    systemActor,
    options.organisationId,
    details,
    options.allocatedTo === undefined ? {} : { allocateTo: options.allocatedTo },
  );
}
