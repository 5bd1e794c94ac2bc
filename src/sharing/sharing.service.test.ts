import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import type { Viewer } from '../auth/index.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { SharingRuleError } from './sharing.errors.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let asPractitioner: Viewer;
let asManager: Viewer;
let asGuardian: Viewer;
let childId: string;

beforeAll(async () => {
  context = await testApp();
  world = consentWorld(context);
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
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
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  asManager = viewerOf(manager, ['manager'], 'Tom Hughes');
  asGuardian = viewerOf(guardian, ['caldicott_guardian'], 'Helen Carter');
  childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
});

describe('a routine share', () => {
  it('is recorded when consent covers it, under the policy version in force', async () => {
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    await context.services.sharing.save(
      asPractitioner,
      id,
      routineShareAnswers({ personIds: [childId], schoolId }),
    );
    const view = await context.services.sharing.open(asPractitioner, id);
    expect(view.assessment.problems).toEqual([]);
    expect(view.consent.map((finding) => finding.outcome)).toEqual(['covered']);
    const reference = await context.services.sharing.record(asPractitioner, id);
    expect(reference).toMatch(/^SD-\d{7}$/);
    const recorded = await context.services.sharing.open(asPractitioner, id);
    expect(recorded.status).toBe('recorded');
    expect(recorded.policy.version).toBe(context.services.policy.version);
    await expect(context.services.sharing.save(asPractitioner, id, {})).rejects.toBeInstanceOf(
      SharingRuleError,
    );
    await expect(
      context.db
        .updateTable('sharing_decisions')
        .set({ outcome: 'not-share' })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/cannot change/);
  });

  it('needs public-interest approval when consent was withdrawn, from the Caldicott Guardian for health data', async () => {
    const otherChild = await addPerson(world, organisationId, {
      givenNames: 'Leo',
      familyName: 'Marsh',
      dateOfBirth: '2016-01-20',
      allocateTo: asPractitioner.userId,
    });
    const consentId = await world.consents.record(
      asPractitioner,
      otherChild,
      givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
    );
    await world.consents.withdraw(asPractitioner, consentId, {
      withdrawnOn: '2026-11-28',
      method: 'telephone',
      by: 'parent_carer',
      note: 'Dad rang to withdraw consent.',
    });
    const id = await context.services.sharing.start(asPractitioner, { personId: otherChild });
    await context.services.sharing.save(
      asPractitioner,
      id,
      routineShareAnswers({ personIds: [otherChild], schoolId }),
    );
    const before = await context.services.sharing.open(asPractitioner, id);
    expect(before.consent[0]?.outcome).toBe('withdrawn');
    expect(before.assessment.problems.map((problem) => problem.code)).toContain('CONSENT_WITHDRAWN');
    await context.services.sharing.save(asPractitioner, id, {
      lawfulBasis: {
        unsure: false,
        article6: 'public-task',
        article9: 'health-social-care',
        schedule1: 'safeguarding',
        commonLaw: 'public-interest',
        confidenceReason: 'Risk of significant harm outweighs confidence.',
        justification: 'School reports bruising; health information is needed to protect him.',
      },
    });
    const ready = await context.services.sharing.open(asPractitioner, id);
    expect(ready.assessment.approvals).toEqual([
      { kind: 'public-interest', approvers: ['caldicott_guardian'], status: 'not-requested' },
    ]);
    expect(ready.can.sendForApproval).toBe(true);
    await expect(context.services.sharing.record(asPractitioner, id)).rejects.toBeInstanceOf(
      SharingRuleError,
    );
    await context.services.sharing.sendForApproval(asPractitioner, id);
    const queue = await context.services.sharing.approvalQueue(asGuardian);
    const approval = queue.pending.find((item) => item.decisionId === id);
    expect(approval).toBeDefined();
    expect(
      (await context.services.sharing.approvalQueue(asManager)).pending.some(
        (item) => item.decisionId === id,
      ),
    ).toBe(false);
    await context.services.sharing.decideApproval(asGuardian, approval?.id ?? '', {
      approve: true,
      reason: null,
    });
    const reference = await context.services.sharing.record(asPractitioner, id);
    expect(reference).toMatch(/^SD-/);
  });
});

describe('refusals', () => {
  it('belong to the one family of domain errors, so the app answers them once', async () => {
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const notReady = await context.services.sharing
      .record(asPractitioner, id)
      .catch((error: unknown) => error);
    expect(notReady).toBeInstanceOf(SharingRuleError);
    expect(notReady).toBeInstanceOf(RuleError);
    expect((notReady as RuleError).problems.length).toBeGreaterThan(0);
    expect((notReady as RuleError).problems.every((problem) => problem.code.startsWith('DECISION.'))).toBe(
      true,
    );
    await expect(context.services.sharing.open(asPractitioner, randomUUID())).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('let the line manager open a decision and answer a colleague who is not as if it did not exist', async () => {
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    expect((await context.services.sharing.open(asManager, id)).id).toBe(id);
    const colleague = await createStaff(context, {
      organisationId,
      roles: ['practitioner'],
      displayName: 'Sam Okafor',
    });
    const asColleague = viewerOf(colleague, ['practitioner'], 'Sam Okafor');
    expect(await context.services.sharing.mayOpen(asColleague, id)).toBe(false);
    await expect(context.services.sharing.open(asColleague, id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
