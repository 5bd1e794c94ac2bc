import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { emergencyShareApprovalPending } from '../../test/support/emergency-fixtures.ts';
import { createOrganisation, createPerson, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/safeshare.js');

let context: TestContext;
let smtp: TestSmtpServer;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  context = await testApp();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-cli-'));
});

afterAll(async () => {
  await smtp.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** The real command, as an operator runs it, against this file's database and mail server. */
async function safeshare(...args: string[]) {
  return run(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: context.url,
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'silent',
    },
    timeout: 60_000,
  });
}

describe('safeshare jobs', () => {
  it('runs mail delivery now, once, printing the outcome, and lists the jobs with their last runs', async () => {
    const organisationId = await createOrganisation(context);
    const staff = await createStaff(context, { organisationId });
    await context.db.transaction().execute(async (trx) => {
      await context.services.notifications.notify(trx, {
        organisationId,
        userId: staff.id,
        kind: 'incident.reported',
        subject: 'An incident has been reported',
        body: 'See the incident register.',
        link: '/incidents',
      });
    });
    // The command runs on the real clock; make the message due whatever the test clock said.
    await context.db
      .updateTable('mail_outbox')
      .set({ next_attempt_at: new Date('2000-01-01T00:00:00Z') })
      .execute();

    const before = await safeshare('jobs', 'list');
    expect(before.stdout).toMatch(/^mail-delivery {2}every 15 seconds {2}never run$/m);

    const delivered = await safeshare('jobs', 'run', 'mail-delivery');
    expect(delivered.stdout.trim()).toBe('mail-delivery: sent 1, failed 0');
    expect(smtp.received.map((mail) => mail.to)).toEqual([[staff.email]]);
    expect(smtp.received[0]?.subject).toBe('An incident has been reported');

    const again = await safeshare('jobs', 'run', 'mail-delivery');
    expect(again.stdout.trim()).toBe('mail-delivery: nothing due');
    expect(smtp.received).toHaveLength(1);

    const after = await safeshare('jobs', 'list');
    expect(after.stdout).toMatch(/^mail-delivery {2}every 15 seconds {2}last run .+: nothing due$/m);
  }, 120_000);

  it('registers the consent review reminders, the receipt follow-up, the exchange expiry and the off-site follow-up as daily jobs, each calling its service', async () => {
    // The jobs main.ts registers, as an operator sees them: not a stand-in with the same name.
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^consent-review-reminders {2}daily at 07:00 \(London time\) {2}/m);
    expect(listed.stdout).toMatch(/^receipt-follow-up {2}daily at 07:30 \(London time\) {2}/m);
    expect(listed.stdout).toMatch(/^exchange-expiry {2}daily at 00:15 \(London time\) {2}/m);
    const expiry = await safeshare('jobs', 'run', 'exchange-expiry');
    expect(expiry.stdout.trim()).toBe('exchange-expiry: no packages due');
    const reminders = await safeshare('jobs', 'run', 'consent-review-reminders');
    expect(reminders.stdout.trim()).toMatch(
      /^consent-review-reminders: marked \d+ overdue, expired \d+, sent \d+ reminders$/,
    );
    const receipts = await safeshare('jobs', 'run', 'receipt-follow-up');
    expect(receipts.stdout.trim()).toBe('receipt-follow-up: no overdue receipts');
    expect(listed.stdout).toMatch(/^custody-follow-up {2}daily at 08:00 \(London time\) {2}/m);
    const offSite = await safeshare('jobs', 'run', 'custody-follow-up');
    expect(offSite.stdout.trim()).toBe('custody-follow-up: nothing overdue off site');
    expect(listed.stdout).toMatch(/^media-past-need {2}daily at 08:05 \(London time\) {2}/m);
    const media = await safeshare('jobs', 'run', 'media-past-need');
    expect(media.stdout.trim()).toBe('media-past-need: no media past their purpose');
  }, 120_000);

  it('registers the incident clock to run every five minutes, calling the incident register', async () => {
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^incident-clock {2}every 5 minutes {2}/m);
    const clock = await safeshare('jobs', 'run', 'incident-clock');
    expect(clock.stdout.trim()).toBe('incident-clock: no reminders due');
  }, 120_000);

  it("registers the purge of the API's idempotency keys every hour, deleting those over a day old", async () => {
    const staff = await createStaff(context);
    const { id: tokenId } = await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic', 30);
    // The command runs on the real clock: one key from two days ago, one from now.
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000);
    await context.db
      .insertInto('api_idempotency_keys')
      .values([
        { token_id: tokenId, key: 'old', request_digest: 'x', created_at: at(48) },
        { token_id: tokenId, key: 'new', request_digest: 'x', created_at: at(0) },
      ])
      .execute();
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^api-idempotency-purge {2}every 60 minutes {2}/m);
    const purged = await safeshare('jobs', 'run', 'api-idempotency-purge');
    expect(purged.stdout.trim()).toBe('api-idempotency-purge: purged 1 expired key');
    const kept = await context.db
      .selectFrom('api_idempotency_keys')
      .select('key')
      .where('token_id', '=', tokenId)
      .execute();
    expect(kept.map((row) => row.key)).toEqual(['new']);
  }, 120_000);

  it('registers the emergency approvals watch every fifteen minutes, escalating an overdue emergency share once', async () => {
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^emergency-approvals {2}every 15 minutes {2}/m);
    // An emergency share recorded five days ago (the command runs on the real clock), its approval still pending.
    const { decisionId, reference } = await emergencyShareApprovalPending(context, {
      recordedAt: new Date(Date.now() - 5 * 24 * 3_600_000),
    });
    const first = await safeshare('jobs', 'run', 'emergency-approvals');
    expect(first.stdout.trim()).toBe('emergency-approvals: escalated 1 overdue approvals');
    const escalations = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', decisionId)
      .where('action', '=', 'decision.emergency_escalated')
      .execute();
    expect(escalations).toHaveLength(1);
    const told = await context.db
      .selectFrom('notifications')
      .select('subject')
      .where('subject', '=', `Emergency share ${reference}: approval overdue`)
      .execute();
    expect(told.length).toBeGreaterThan(0);
    const again = await safeshare('jobs', 'run', 'emergency-approvals');
    expect(again.stdout.trim()).toBe('emergency-approvals: no overdue approvals');
  }, 120_000);

  it("registers the monthly retention review, telling each organisation's IG leads how many records are due, once a month", async () => {
    const organisationId = await createOrganisation(context);
    const lead = await createStaff(context, { organisationId, roles: ['ig_lead'] });
    // Born in 1990: past the people entry's 25 years, so due for review.
    await createPerson(context, { organisationId, dateOfBirth: '1990-01-15' });
    const listed = await safeshare('jobs', 'list');
    expect(listed.stdout).toMatch(/^retention-review {2}daily at 06:45 \(London time\) {2}/m);
    const first = await safeshare('jobs', 'run', 'retention-review');
    expect(first.stdout.trim()).toMatch(
      /^retention-review: reviewed \d+ organisations?, told [1-9]\d* IG leads?$/,
    );
    const told = await context.db
      .selectFrom('notifications')
      .select('subject')
      .where('user_id', '=', lead.id)
      .where('kind', '=', 'retention.review_due')
      .execute();
    expect(told).toEqual([{ subject: 'Records are due for retention review or disposal' }]);
    const again = await safeshare('jobs', 'run', 'retention-review');
    expect(again.stdout.trim()).toBe('retention-review: already reviewed this month');
  }, 120_000);

  it('refuses an unknown job with a clear message and a non-zero exit', async () => {
    const failure = await safeshare('jobs', 'run', 'no-such-job').then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('there is no job named "no-such-job"; jobs: mail-delivery');
  }, 60_000);
});
