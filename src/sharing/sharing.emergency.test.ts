import { beforeAll, describe, expect, it } from 'vitest';
import {
  decisionNeedingPublicInterestApproval,
  emergencyWorld,
  type EmergencyWorld,
} from '../../test/support/emergency-fixtures.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { SharingRuleError } from './sharing.errors.ts';

let context: TestContext;
let world: EmergencyWorld;

beforeAll(async () => {
  context = await testApp();
  world = await emergencyWorld(context);
});

const risk = 'He has told his teacher he is afraid to go home tonight.';

async function notificationsTo(userId: string, subject: RegExp): Promise<string[]> {
  const rows = await context.db
    .selectFrom('notifications')
    .select(['subject', 'body'])
    .where('user_id', '=', userId)
    .execute();
  return rows.filter((row) => subject.test(row.subject)).map((row) => `${row.subject} ${row.body}`);
}

async function pendingApprovalId(decisionId: string): Promise<string> {
  const queue = await context.services.sharing.approvalQueue(world.asGuardian);
  const approval = queue.pending.find((item) => item.decisionId === decisionId);
  if (approval === undefined) throw new Error('no pending approval');
  return approval.id;
}

describe('the emergency route (R2.20, ADR 0019)', () => {
  it('records the decision at once, tells the approver, and is due within one working day', async () => {
    // Friday 16:40 in London: the approval is due Monday 16:40.
    context.clock.set('2026-12-04T16:40:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    const before = await context.services.sharing.open(world.asPractitioner, id);
    expect(before.can.recordInEmergency).toBe(true);
    expect(before.can.record).toBe(false);

    await expect(context.services.sharing.recordInEmergency(world.asPractitioner, id, '  ')).rejects.toThrow(
      /immediate risk/,
    );
    expect((await context.services.sharing.open(world.asPractitioner, id)).status).toBe('draft');

    const reference = await context.services.sharing.recordInEmergency(world.asPractitioner, id, risk);
    const view = await context.services.sharing.open(world.asPractitioner, id);
    expect(view.status).toBe('recorded');
    expect(view.emergency).toMatchObject({
      risk,
      approval: 'pending',
      approveBy: new Date('2026-12-07T16:40:00Z'),
      escalatedAt: null,
    });
    expect(view.can.recordInEmergency).toBe(false);
    expect(await notificationsTo(world.guardian.id, /^Emergency share /)).toEqual([
      expect.stringContaining(`Emergency share ${reference}: approval needed by`),
    ]);
    const events = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .execute();
    expect(events.map((event) => event.action)).toContain('decision.recorded_in_emergency');
    // Recorded as such for good: the emergency row is never changed but for its escalation.
    await expect(
      context.db
        .updateTable('sharing_emergencies')
        .set({ risk: 'changed' })
        .where('decision_id', '=', id)
        .execute(),
    ).rejects.toThrow(/kept/);
  });

  it('is answered after: an approval given stands beside the recorded decision', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    await context.services.sharing.recordInEmergency(world.asPractitioner, id, risk);
    const approval = await context.services.sharing.approval(world.asGuardian, await pendingApprovalId(id));
    expect(approval.canDecide).toBe(true);
    await context.services.sharing.decideApproval(world.asGuardian, approval.id, {
      approve: true,
      reason: null,
    });
    const view = await context.services.sharing.open(world.asPractitioner, id);
    expect(view.status).toBe('recorded');
    expect(view.emergency?.approval).toBe('approved');
    // Approved: the watch has nothing to escalate, even long after.
    context.clock.set('2026-12-10T10:00:00Z');
    expect((await context.services.sharing.open(world.asPractitioner, id)).emergency?.approval).toBe(
      'approved',
    );
  });

  it('tells those who oversee sharing when the approval is refused after the information went', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    const reference = await context.services.sharing.recordInEmergency(world.asPractitioner, id, risk);
    await context.services.sharing.decideApproval(world.asGuardian, await pendingApprovalId(id), {
      approve: false,
      reason: 'The risk did not call for health information.',
    });
    expect((await context.services.sharing.open(world.asPractitioner, id)).emergency?.approval).toBe(
      'refused',
    );
    expect(await notificationsTo(world.dpo.id, /approval refused after/)).toEqual([
      expect.stringContaining(`Emergency share ${reference}`),
    ]);
  });

  it('escalates an approval not given in time, once, to the pack’s roles and the line manager', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const id = await decisionNeedingPublicInterestApproval(context, world);
    const reference = await context.services.sharing.recordInEmergency(world.asPractitioner, id, risk);
    context.clock.set('2026-12-02T09:59:00Z');
    expect((await context.services.sharing.open(world.asPractitioner, id)).emergency?.approval).toBe(
      'pending',
    );
    await context.services.sharing.escalateOverdueEmergencies();
    expect(await notificationsTo(world.manager.id, /approval overdue/)).toEqual([]);

    context.clock.set('2026-12-02T10:00:00Z');
    expect((await context.services.sharing.open(world.asPractitioner, id)).emergency?.approval).toBe(
      'overdue',
    );
    expect(await context.services.sharing.escalateOverdueEmergencies()).toBeGreaterThanOrEqual(1);
    for (const userId of [world.manager.id, world.dpo.id, world.guardian.id, world.practitioner.id])
      expect(
        await notificationsTo(userId, new RegExp(`^Emergency share ${reference}: approval overdue`)),
      ).toHaveLength(1);
    expect(await context.services.sharing.escalateOverdueEmergencies()).toBe(0);
    const view = await context.services.sharing.open(world.asPractitioner, id);
    expect(view.emergency?.escalatedAt).toEqual(new Date('2026-12-02T10:00:00Z'));
    // Late is still better than never: the approver can still answer.
    await context.services.sharing.decideApproval(world.asGuardian, await pendingApprovalId(id), {
      approve: true,
      reason: null,
    });
    expect((await context.services.sharing.open(world.asPractitioner, id)).emergency?.approval).toBe(
      'approved',
    );
  });

  it('is not offered for a decision with anything but that approval outstanding, nor when the pack says no', async () => {
    context.clock.set('2026-12-01T10:00:00Z');
    const incomplete = await context.services.sharing.start(world.asPractitioner, {});
    expect(
      (await context.services.sharing.open(world.asPractitioner, incomplete)).can.recordInEmergency,
    ).toBe(false);
    await expect(
      context.services.sharing.recordInEmergency(world.asPractitioner, incomplete, risk),
    ).rejects.toBeInstanceOf(SharingRuleError);
    const sent = await decisionNeedingPublicInterestApproval(context, world);
    await context.services.sharing.sendForApproval(world.asPractitioner, sent);
    await expect(
      context.services.sharing.recordInEmergency(world.asPractitioner, sent, risk),
    ).rejects.toBeInstanceOf(SharingRuleError);
  });
});
