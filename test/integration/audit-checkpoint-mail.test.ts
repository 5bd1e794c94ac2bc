import { describe, expect, it } from 'vitest';
import { trustedKey } from '../../src/audit/index.ts';
import { openCheckpoint } from '../../src/audit/audit.signing.ts';
import { createJobRunner, registerJobs, type JobLog } from '../../src/jobs/index.ts';
import { createOrganisation, createStaff } from '../support/factories.ts';
import { testApp } from '../support/harness.ts';

/**
 * ADR 0023: with AUDIT_CHECKPOINT_MAIL_DPO, each organisation's Data Protection Officers are sent its
 * latest signed checkpoint daily through the mail outbox, as the registered job does it,
 * with nothing about a child or family in it.
 */

const quiet: JobLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('the daily checkpoint e-mail to the DPO', () => {
  it('sends each DPO their organisation’s latest checkpoint, signed, once it is signed, and only when asked to', async () => {
    const context = await testApp({ AUDIT_SIGNING_KEY: '42'.repeat(32), AUDIT_CHECKPOINT_MAIL_DPO: 'true' });
    const organisationId = await createOrganisation(context);
    const dpo = await createStaff(context, { organisationId, roles: ['dpo'] });
    await createStaff(context, { organisationId, roles: ['practitioner'] });
    const runner = createJobRunner({ db: context.db, clock: context.clock, log: quiet });
    registerJobs(runner, { services: context.services, log: quiet });

    expect(await runner.runNow('audit-checkpoint-mail')).toBe('no checkpoints mailed');
    expect(await runner.runNow('audit-checkpoints')).toMatch(/^signed \d+ checkpoints? of 1 chain$/);
    expect(await runner.runNow('audit-checkpoint-mail')).toBe(
      'mailed the latest checkpoint of 1 organisation to their DPOs',
    );

    const mail = await context.db
      .selectFrom('mail_outbox')
      .select(['to_address', 'subject', 'body'])
      .where('organisation_id', '=', organisationId)
      .where('subject', 'like', 'Audit checkpoint%')
      .execute();
    expect(mail.map((message) => message.to_address)).toEqual([dpo.email]);
    const [message] = mail;
    const latest = await context.services.auditCheckpoints.latest(organisationId);
    expect(message?.subject).toBe(`Audit checkpoint: ${String(latest?.treeSize)} events signed`);
    // The signed note is in the body whole: the DPO's copy proves the trail without Safeshare.
    const note = latest?.note ?? '';
    expect(message?.body).toContain(note);
    const key = trustedKey((await context.services.auditCheckpoints.signer()).verifierKey);
    expect(openCheckpoint(note, [key]).ok).toBe(true);
    // An organisation's id, a count, a hash, a time and a signature: no names, no addresses.
    expect(message?.body).not.toMatch(/@|Sam Taylor|Test Borough Council/);

    const quietContext = await testApp({ AUDIT_SIGNING_KEY: '42'.repeat(32) });
    await createStaff(quietContext, { roles: ['dpo'] });
    await quietContext.services.auditCheckpoints.signDue();
    const quietRunner = createJobRunner({ db: quietContext.db, clock: quietContext.clock, log: quiet });
    registerJobs(quietRunner, { services: quietContext.services, log: quiet });
    expect(await quietRunner.runNow('audit-checkpoint-mail')).toBe('no checkpoints mailed');
  });
});
