import { randomUUID } from 'node:crypto';
import type { Viewer } from '../../src/auth/index.ts';
import { addPerson, consentWorld, givenConsentAnswers, viewerOf } from './consent-fixtures.ts';
import { createOrganisation, createStaff, type TestStaff } from './factories.ts';
import type { TestContext } from './harness.ts';
import { routineShareAnswers } from './sharing-fixtures.ts';

/** A council with a practitioner, her line manager, a Caldicott Guardian and a DPO, and a school. */
export interface EmergencyWorld {
  readonly organisationId: string;
  readonly schoolId: string;
  readonly practitioner: TestStaff;
  readonly manager: TestStaff;
  readonly guardian: TestStaff;
  readonly dpo: TestStaff;
  readonly asPractitioner: Viewer;
  readonly asGuardian: Viewer;
}

export async function emergencyWorld(context: TestContext): Promise<EmergencyWorld> {
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const manager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Tom Hughes',
  });
  const practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  const guardian = await createStaff(context, {
    organisationId,
    roles: ['caldicott_guardian'],
    displayName: 'Helen Carter',
  });
  const dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Dana Okafor' });
  return {
    organisationId,
    schoolId,
    practitioner,
    manager,
    guardian,
    dpo,
    asPractitioner: viewerOf(practitioner, ['practitioner'], 'Priya Sharma'),
    asGuardian: viewerOf(guardian, ['caldicott_guardian'], 'Helen Carter'),
  };
}

/**
 * A complete decision to share health information with a school after the parent withdrew consent,
 * on the overriding public interest: only the Caldicott Guardian's approval stands in the way.
 */
export async function decisionNeedingPublicInterestApproval(
  context: TestContext,
  world: EmergencyWorld,
): Promise<string> {
  const consents = consentWorld(context);
  const childId = await addPerson(consents, world.organisationId, {
    givenNames: 'Leo',
    familyName: 'Marsh',
    dateOfBirth: '2016-01-20',
    allocateTo: world.practitioner.id,
  });
  const consentId = await consents.consents.record(
    world.asPractitioner,
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [world.schoolId], categoryIds: ['education', 'health'] }),
  );
  await consents.consents.withdraw(world.asPractitioner, consentId, {
    withdrawnOn: '2026-11-28',
    method: 'telephone',
    by: 'parent_carer',
    note: 'Dad rang to withdraw consent.',
  });
  const id = await context.services.sharing.start(world.asPractitioner, { personId: childId });
  await context.services.sharing.save(world.asPractitioner, id, {
    ...routineShareAnswers({ personIds: [childId], schoolId: world.schoolId }),
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'safeguarding',
      commonLaw: 'public-interest',
      confidenceReason: 'Risk of significant harm outweighs confidence.',
      justification: 'School reports bruising; health information is needed to protect him today.',
    },
  });
  return id;
}

/** An emergency share recorded at `recordedAt` (the test clock is set there), its approval still pending. */
export async function emergencyShareApprovalPending(
  context: TestContext,
  options: { readonly recordedAt: Date },
): Promise<{ world: EmergencyWorld; decisionId: string; reference: string }> {
  const world = await emergencyWorld(context);
  const decisionId = await decisionNeedingPublicInterestApproval(context, world);
  context.clock.set(options.recordedAt);
  const reference = await context.services.sharing.recordInEmergency(
    world.asPractitioner,
    decisionId,
    'He has told his teacher he is afraid to go home tonight.',
  );
  return { world, decisionId, reference };
}
