import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  decisionNeedingPublicInterestApproval,
  emergencyWorld,
  type EmergencyWorld,
} from '../../test/support/emergency-fixtures.ts';
import { signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { RuleError } from '../lib/errors.ts';

let context: TestContext;
let world: EmergencyWorld;

beforeAll(async () => {
  context = await testApp();
  world = await emergencyWorld(context);
});

describe('the emergency route on the decision page (ADR 0019)', () => {
  it('asks for the immediate risk, records the decision as an emergency share and says when approval is due', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    const browser = await signIn(context, world.practitioner);
    const page = await browser.get(`/decisions/${id}`);
    expect(page.body).toContain('If a child is at immediate risk');
    expect(page.body).toContain('Send for approval');

    const empty = await browser.post(`/decisions/${id}/record-in-emergency`, { risk: '' });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual([
      'Enter the immediate risk to the child, and why the share cannot wait for approval',
    ]);
    expect((await context.services.sharing.open(world.asPractitioner, id)).status).toBe('draft');
    const unexpected = await browser.post(`/decisions/${id}/record-in-emergency`, {
      risk: 'x',
      approved: 'yes',
    });
    expect(unexpected.statusCode).toBe(400);

    const recorded = await browser.post(`/decisions/${id}/record-in-emergency`, {
      risk: 'He has told his teacher he is afraid to go home tonight.',
    });
    expect(recorded.statusCode).toBe(303);
    expect(recorded.headers['location']).toBe(`/decisions/${id}?done=emergency`);
    const after = await browser.get(`/decisions/${id}?done=emergency`);
    expect(after.body).toContain('Shared in an emergency: approval needed by');
    expect(after.body).toContain('afraid to go home tonight');
    expect(after.body).not.toContain('If a child is at immediate risk');
    // Posting again changes nothing: the decision is recorded.
    const again = await browser.post(`/decisions/${id}/record-in-emergency`, { risk: 'Again.' });
    expect(again.statusCode).toBe(400);

    // The Caldicott Guardian answers after, on the approval's own page.
    const guardian = await signIn(context, world.guardian);
    const queue = await context.services.sharing.approvalQueue(world.asGuardian);
    const approvalId = queue.pending.find((item) => item.decisionId === id)?.id ?? '';
    const approvalPage = await guardian.get(`/approvals/${approvalId}`);
    expect(approvalPage.body).toContain('shared in an emergency');
    expect(approvalPage.body).toContain('afraid to go home tonight');
    const approved = await guardian.post(`/approvals/${approvalId}`, { decision: 'approve', reason: '' });
    expect(approved.statusCode).toBe(303);
    expect((await browser.get(`/decisions/${id}`)).body).toContain(
      'Shared in an emergency, and approved after',
    );
  });

  it('is refused to anyone but the decision’s author', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    const manager = await signIn(context, world.manager);
    const response = await manager.post(`/decisions/${id}/record-in-emergency`, { risk: 'Urgent.' });
    expect(response.statusCode).toBe(403);
    expect((await context.services.sharing.open(world.asPractitioner, id)).status).toBe('draft');
  });
});

describe('disclosures under an emergency share', () => {
  const share = { recipientIndex: 0, method: 'secure-exchange', categoryIds: ['education'] } as const;

  it('go while the approval is awaited in time, and stop once it is overdue or refused', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const overdue = await decisionNeedingPublicInterestApproval(context, world);
    await context.services.sharing.recordInEmergency(world.asPractitioner, overdue, 'Immediate risk.');
    const disclosures = context.services.disclosures;
    expect(await disclosures.standingProblems(world.asPractitioner, overdue, share)).toEqual([]);

    context.clock.set('2026-12-02T10:00:00Z');
    expect(
      (await disclosures.standingProblems(world.asPractitioner, overdue, share)).map(
        (problem) => problem.code,
      ),
    ).toEqual(['DISCLOSURE.EMERGENCY_OVERDUE']);
    const refusal = await disclosures
      .record(world.asPractitioner, overdue, {
        ...share,
        categoryIds: [...share.categoryIds],
        description: 'The school nurse’s notes.',
        checklist: {},
      })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RuleError);
    expect((refusal as RuleError).problems.map((problem) => problem.code)).toContain(
      'DISCLOSURE.EMERGENCY_OVERDUE',
    );

    context.clock.set('2026-12-01T10:00:00Z');
    const refused = await decisionNeedingPublicInterestApproval(context, world);
    await context.services.sharing.recordInEmergency(world.asPractitioner, refused, 'Immediate risk.');
    const queue = await context.services.sharing.approvalQueue(world.asGuardian);
    const approvalId = queue.pending.find((item) => item.decisionId === refused)?.id ?? '';
    await context.services.sharing.decideApproval(world.asGuardian, approvalId, {
      approve: false,
      reason: 'Not needed.',
    });
    expect(
      (await disclosures.standingProblems(world.asPractitioner, refused, share)).map(
        (problem) => problem.code,
      ),
    ).toEqual(['DISCLOSURE.EMERGENCY_REFUSED']);
  });
});
