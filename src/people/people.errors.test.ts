import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOrganisation,
  createPerson,
  createStaff,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { NotFoundError, ReasonRequiredError, RuleError } from '../lib/errors.ts';
import { PeopleRuleError, PersonAccessError } from './index.ts';

let context: TestContext;
let organisationId: string;
let practitioner: TestStaff;
let manager: TestStaff;
let person: string;

function viewerFor(staff: TestStaff, roles: Viewer['roles']): Viewer {
  return {
    userId: staff.id,
    displayName: 'Test viewer',
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Test',
    roles,
  };
}

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  practitioner = await createStaff(context, { organisationId, roles: ['practitioner'] });
  manager = await createStaff(context, { organisationId, roles: ['manager'] });
  person = await createPerson(context, { organisationId, nhsNumber: '9434765919' });
});

describe("the people capability's refusals", () => {
  it('are the shared domain errors the app answers once, and still PersonAccessError to other capabilities', async () => {
    const people = context.services.people;
    const needsReason = await people
      .requireAccess(viewerFor(practitioner, ['practitioner']), person)
      .catch((error: unknown) => error);
    expect(needsReason).toBeInstanceOf(ReasonRequiredError);
    expect(needsReason).toBeInstanceOf(PersonAccessError);
    expect(needsReason).toMatchObject({
      personId: person,
      kind: 'needs-reason',
      code: 'PERSON.REASON_REQUIRED',
    });

    const missing = await people
      .requireAccess(viewerFor(practitioner, ['practitioner']), randomUUID())
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(PersonAccessError);
    expect(missing).toMatchObject({ kind: 'not-found', code: 'PERSON.NOT_FOUND' });

    expect(new Error('other')).not.toBeInstanceOf(PersonAccessError);
    expect(new NotFoundError()).not.toBeInstanceOf(PersonAccessError);
  });

  it('give every broken rule a stable code on its field', async () => {
    const people = context.services.people;
    const duplicate = await people
      .create(viewerFor(practitioner, ['practitioner']), {
        givenNames: 'Ruby',
        familyName: 'Smith',
        knownAs: null,
        dateOfBirth: null,
        nhsNumber: '9434765919',
        localReference: null,
        upn: null,
        externalId: null,
        addressLine1: null,
        addressLine2: null,
        town: null,
        postcode: null,
      })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(PeopleRuleError);
    expect(duplicate).toBeInstanceOf(RuleError);
    expect((duplicate as RuleError).problems).toEqual([
      {
        field: 'nhsNumber',
        code: 'PERSON.NHS_NUMBER_TAKEN',
        message: 'A record with this NHS number already exists: search for it instead',
      },
    ]);

    const notTheirs = await people
      .endAllocation(viewerFor(manager, ['manager']), person, randomUUID())
      .catch((error: unknown) => error);
    // The manager may open no record here: need-to-know refuses before the allocation is looked for.
    expect(notTheirs).toBeInstanceOf(ReasonRequiredError);
    const notAManager = await people
      .allocate(viewerFor(practitioner, ['practitioner']), person, practitioner.id)
      .catch((error: unknown) => error);
    expect((notAManager as RuleError).problems).toEqual([
      { field: 'userId', code: 'PERSON.MANAGERS_ONLY', message: 'Only a line manager can allocate' },
    ]);
  });

  it('answer an allocation or a reason for access that is not there as not found', async () => {
    const people = context.services.people;
    const dpo = await createStaff(context, { organisationId, roles: ['dpo', 'manager'] });
    await expect(
      people.endAllocation(viewerFor(dpo, ['dpo', 'manager']), person, randomUUID()),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(people.markReviewed(viewerFor(dpo, ['dpo']), randomUUID())).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('the people pages', () => {
  it('each declare the audit event they write, and the record pages their read (invariant 4)', () => {
    const declared = Object.fromEntries(
      context.app.routeRules
        .filter((rule) => rule.url.startsWith('/people'))
        .map((rule) => [`${rule.method} ${rule.url}`, rule.audit]),
    );
    // Other capabilities hang their own pages under a person (consents, sharing history): not these.
    expect(declared).toMatchObject({
      'GET /people': 'none',
      'GET /people/search': 'none',
      'POST /people/search': 'none',
      'GET /people/new': 'none',
      'POST /people/new': ['person.created'],
      'GET /people/:personId/access': 'none',
      'POST /people/:personId/access': ['person.break_glass'],
      'GET /people/access-reviews': 'none',
      'POST /people/access-reviews/:grantId/reviewed': ['person.access_reviewed'],
      'GET /people/:personId': ['person.viewed'],
      'POST /people/:personId/allocations': ['person.allocated'],
      'POST /people/:personId/allocations/:allocationId/end': ['person.allocation_ended'],
      'GET /people/:personId/edit': ['person.viewed'],
      'POST /people/:personId/edit': ['person.updated'],
      'GET /people/:personId/relationships/new': ['person.viewed'],
      'POST /people/:personId/relationships/new': ['person.relationship_added'],
    });
  });
});
