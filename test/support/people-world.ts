import type { Viewer } from '../../src/auth/index.ts';
import { createOrganisation, createPerson, createStaff, type TestStaff } from './factories.ts';
import { testApp, type TestContext } from './harness.ts';

/**
 * The people pages' test world: two organisations; a line manager and their practitioner, who holds
 * a child's case; another manager; a practitioner with no allocation; a DPO, a Caldicott Guardian,
 * an administrator and an auditor; another organisation's DPO; the child, a sibling, their mother
 * and a stranger. Each test file that imports it calls `setUpPeopleWorld` once (a fresh database).
 */
export let context: TestContext;
export let organisationId: string;
export let otherOrganisationId: string;
export let manager: TestStaff;
export let otherManager: TestStaff;
export let allocated: TestStaff;
export let siblingWorker: TestStaff;
export let unallocated: TestStaff;
export let dpo: TestStaff;
export let guardian: TestStaff;
export let admin: TestStaff;
export let auditor: TestStaff;
export let otherDpo: TestStaff;
export let child: string;
export let sibling: string;
export let mother: string;
export let stranger: string;

export const childName = {
  givenNames: 'Jayden',
  familyName: 'Smith',
  dateOfBirth: '2015-03-02',
  nhsNumber: '9434765919',
  localReference: 'SBC-204417',
};

export async function setUpPeopleWorld(): Promise<void> {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  otherOrganisationId = await createOrganisation(context, { name: 'Wiltshire Council' });
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Chris Evans' });
  otherManager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Dana Patel',
  });
  allocated = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    lineManagerId: manager.id,
    displayName: 'Priya Sharma',
  });
  siblingWorker = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Tom Baker',
  });
  unallocated = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    lineManagerId: otherManager.id,
    displayName: 'Sam Hughes',
  });
  dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Morgan Lewis' });
  guardian = await createStaff(context, {
    organisationId,
    roles: ['caldicott_guardian'],
    displayName: 'Alex Reid',
  });
  admin = await createStaff(context, { organisationId, roles: ['admin'] });
  auditor = await createStaff(context, { organisationId, roles: ['auditor'] });
  otherDpo = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['dpo', 'manager', 'practitioner', 'caldicott_guardian'],
  });

  child = await createPerson(context, { organisationId, ...childName, allocatedTo: allocated.id });
  sibling = await createPerson(context, {
    organisationId,
    givenNames: 'Ruby',
    familyName: 'Smith',
    allocatedTo: siblingWorker.id,
  });
  mother = await createPerson(context, {
    organisationId,
    givenNames: 'Kelly',
    familyName: 'Smith',
    dateOfBirth: '1990-07-14',
  });
  stranger = await createPerson(context, {
    organisationId,
    givenNames: 'Anna',
    familyName: 'Kowalski',
    dateOfBirth: '2012-11-30',
  });
  await context.db.transaction().execute(async (trx) => {
    const now = context.clock.now();
    await trx
      .insertInto('person_relationships')
      .values([
        {
          organisation_id: organisationId,
          person_id: child,
          related_person_id: sibling,
          relationship: 'sibling',
          parental_responsibility: false,
          created_at: now,
        },
        {
          organisation_id: organisationId,
          person_id: child,
          related_person_id: mother,
          relationship: 'mother',
          parental_responsibility: true,
          created_at: now,
        },
      ])
      .execute();
  });
}

export function viewerFor(staff: TestStaff, roles: Viewer['roles']): Viewer {
  return {
    userId: staff.id,
    displayName: 'Test viewer',
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Test',
    roles,
  };
}

export async function viewEvents(personId: string) {
  return context.db
    .selectFrom('audit_events')
    .select(['action', 'actor_user_id', 'change', 'person_id', 'organisation_id'])
    .where('person_id', '=', personId)
    .where('action', '=', 'person.viewed')
    .orderBy('seq')
    .execute();
}

export async function counts() {
  const count = async (
    table:
      | 'people'
      | 'person_relationships'
      | 'allocations'
      | 'break_glass_access'
      | 'audit_events'
      | 'notifications',
  ) =>
    Number(
      (
        await context.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );
  return {
    people: await count('people'),
    relationships: await count('person_relationships'),
    allocations: await count('allocations'),
    grants: await count('break_glass_access'),
    events: await count('audit_events'),
    notifications: await count('notifications'),
  };
}
