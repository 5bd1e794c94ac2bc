import { randomInt } from 'node:crypto';
import { systemActor } from '../../src/audit/index.ts';
import type { Role, Viewer } from '../../src/auth/index.ts';
import type { ConsentService } from '../../src/consent/index.ts';
import type { ConsentAnswers } from '../../src/consent/consent.schema.ts';
import { testNhsNumbers } from '../../src/lib/nhs-number.ts';
import type { PeopleService, Relationship } from '../../src/people/index.ts';
import type { TestContext } from './harness.ts';
import type { TestStaff } from './factories.ts';

/** Test NHS numbers (the 999 range, valid check digits), starting at a random point so files do not collide. */
const nhsNumbers = testNhsNumbers(randomInt(0, 1_000_000));

export interface ConsentWorld {
  readonly people: PeopleService;
  readonly consents: ConsentService;
}

/** The people and consent services of the test app. */
export function consentWorld(context: TestContext): ConsentWorld {
  return { people: context.services.people, consents: context.services.consent };
}

/** A child or family member with realistic UK details and a valid test NHS number, optionally allocated to a member of staff. */
export async function addPerson(
  world: ConsentWorld,
  organisationId: string,
  details: { givenNames: string; familyName: string; dateOfBirth: string | null; allocateTo?: string },
): Promise<string> {
  return world.people.register(
    systemActor,
    organisationId,
    {
      givenNames: details.givenNames,
      familyName: details.familyName,
      knownAs: null,
      dateOfBirth: details.dateOfBirth,
      nhsNumber: nhsNumbers.next().value,
      localReference: null,
      upn: null,
      externalId: null,
      addressLine1: '14 Fleet Street',
      addressLine2: null,
      town: 'Swindon',
      postcode: 'SN1 1RQ',
    },
    details.allocateTo === undefined ? {} : { allocateTo: details.allocateTo },
  );
}

/** Records that `relatedPersonId` is the person's `relationship` (e.g. the child's mother). */
export async function relate(
  context: TestContext,
  organisationId: string,
  personId: string,
  relatedPersonId: string,
  relationship: Relationship,
  parentalResponsibility: boolean,
): Promise<void> {
  await context.db
    .insertInto('person_relationships')
    .values({
      organisation_id: organisationId,
      person_id: personId,
      related_person_id: relatedPersonId,
      relationship,
      parental_responsibility: parentalResponsibility,
      created_at: context.clock.now(),
    })
    .execute();
}

/** The signed-in identity a service call needs. */
export function viewerOf(staff: TestStaff, roles: readonly Role[], name = 'Sam Taylor'): Viewer {
  return {
    userId: staff.id,
    displayName: name,
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Swindon Borough Council',
    roles,
  };
}

/** Every way of sharing the default pack names, for consent that does not limit the method. */
export const everyMethodId = [
  'telephone',
  'post',
  'in-person',
  'fax',
  'secure-email',
  'secure-exchange',
  'email',
];

/** Answers for consent given by a competent child for early help and education support; tests override what they need. */
export function givenConsentAnswers(overrides: Partial<ConsentAnswers> = {}): ConsentAnswers {
  return {
    decision: 'given',
    givenOn: '2026-11-20',
    givenByChild: true,
    parentCarerId: null,
    childCapacity: 'competent',
    capacityNotAssessedReason: null,
    prevailingView: 'child',
    childView: 'Amelia is happy for her school to know so that she can get help with reading.',
    purposeIds: ['early-help', 'education-support'],
    useDescription: 'To plan early help support with her school.',
    recipientOrganisationIds: [],
    recipientRoles: ['School nurse'],
    methodIds: ['secure-exchange', 'in-person'],
    categoryIds: ['education', 'family-circumstances'],
    retentionPeriod: 'Until Amelia is 25',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: true,
    toldMayWithdraw: true,
    howGiven: 'written',
    evidenceNote: 'Signed form scanned to the case file.',
    notSoughtReasonId: null,
    notSoughtDetail: null,
    reviewOn: null,
    expiresOn: null,
    supersedesId: null,
    ...overrides,
  };
}
