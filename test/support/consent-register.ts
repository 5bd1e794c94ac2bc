import { randomUUID } from 'node:crypto';
import type { Viewer } from '../../src/auth/index.ts';
import type { ConsentAnswers } from '../../src/consent/consent.schema.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  relate,
  viewerOf,
  type ConsentWorld,
} from './consent-fixtures.ts';
import { createOrganisation, createStaff, type TestStaff } from './factories.ts';
import { testApp, type TestContext } from './harness.ts';

/**
 * The consent register's test world: two organisations and a school, a practitioner with a line
 * manager, a colleague, the DPO, someone elsewhere, and a child allocated to the practitioner with
 * her mother (parental responsibility) and uncle (none).
 */
export interface ConsentRegisterWorld {
  readonly context: TestContext;
  readonly world: ConsentWorld;
  readonly organisationId: string;
  readonly otherOrganisationId: string;
  readonly schoolId: string;
  readonly manager: TestStaff;
  readonly practitioner: TestStaff;
  readonly colleague: TestStaff;
  /** A practitioner and DPO of the other organisation. */
  readonly elsewhere: TestStaff;
  readonly asPractitioner: Viewer;
  readonly asManager: Viewer;
  readonly asColleague: Viewer;
  readonly asDpo: Viewer;
  readonly asElsewhere: Viewer;
  readonly childId: string;
  readonly motherId: string;
  readonly uncleId: string;
}

export async function consentRegisterWorld(
  settings: Record<string, string> = {},
): Promise<ConsentRegisterWorld> {
  const context = await testApp(settings);
  const world = consentWorld(context);
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Drove Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const manager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Helen Okafor',
  });
  const practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  const colleague = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Tom Walsh',
  });
  const dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Grace Lin' });
  const elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  const asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  const asManager = viewerOf(manager, ['manager'], 'Helen Okafor');
  const asColleague = viewerOf(colleague, ['practitioner'], 'Tom Walsh');
  const asDpo = viewerOf(dpo, ['dpo'], 'Grace Lin');
  const asElsewhere = viewerOf(elsewhere, ['practitioner', 'dpo']);
  const childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  const motherId = await addPerson(world, organisationId, {
    givenNames: 'Rachel',
    familyName: 'Hughes',
    dateOfBirth: '1986-02-03',
  });
  const uncleId = await addPerson(world, organisationId, {
    givenNames: 'Gareth',
    familyName: 'Pryce',
    dateOfBirth: '1980-09-21',
  });
  await relate(context, organisationId, childId, motherId, 'mother', true);
  await relate(context, organisationId, childId, uncleId, 'aunt_or_uncle', false);
  return {
    context,
    world,
    organisationId,
    otherOrganisationId,
    schoolId,
    manager,
    practitioner,
    colleague,
    elsewhere,
    asPractitioner,
    asManager,
    asColleague,
    asDpo,
    asElsewhere,
    childId,
    motherId,
    uncleId,
  };
}

/** Consent given by the child and her mother, shared with the school. */
export function givenBy(
  register: ConsentRegisterWorld,
  overrides: Partial<ConsentAnswers> = {},
): ConsentAnswers {
  return givenConsentAnswers({
    parentCarerId: register.motherId,
    recipientOrganisationIds: [register.schoolId],
    ...overrides,
  });
}

export async function consentRow(context: TestContext, id: string) {
  return context.db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function auditActionsOf(context: TestContext, entityId: string) {
  return context.db
    .selectFrom('audit_events')
    .select(['action', 'person_id', 'change'])
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
}
