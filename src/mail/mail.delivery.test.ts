import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { describeMailFailure, maxAttempts, retryDelayMinutes } from './mail.delivery.ts';
import { createMailer, smtpOptionsOf } from './mailer.ts';
import { mailService } from './mail.service.ts';

let smtp: TestSmtpServer;
let context: TestContext;
let organisationId: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  context = await testApp({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Safeshare Swindon <safeshare@swindon.gov.uk>',
    PUBLIC_URL: 'https://safeshare.swindon.gov.uk',
  });
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
});

afterAll(async () => {
  await smtp.close();
});

/** A subject no other test uses, so each test counts only its own messages. */
function uniqueSubject(what: string): string {
  return `${what} (${randomBytes(3).toString('hex')})`;
}

async function notifyCommitted(staff: TestStaff, subject: string): Promise<void> {
  await context.db.transaction().execute(async (trx) => {
    await context.services.notifications.notify(trx, {
      organisationId,
      userId: staff.id,
      kind: 'consent.review_due',
      subject,
      body: 'A consent review is due. Open Safeshare to see which.',
      link: '/consents/reviews',
    });
  });
}

function receivedWith(subject: string) {
  return smtp.received.filter((mail) => mail.subject === subject);
}

async function outboxRow(subject: string) {
  return context.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('subject', '=', subject)
    .executeTakeFirstOrThrow();
}

describe('delivering notification e-mail over SMTP', () => {
  it('sends a notice from a committed transaction once, to the member of staff, with its subject and link', async () => {
    const staff = await createStaff(context, { organisationId });
    const subject = uniqueSubject('A consent review is due');
    await notifyCommitted(staff, subject);

    const report = await context.services.mail.deliverDue();
    expect(report.sent).toBeGreaterThanOrEqual(1);
    expect(report.failures).toEqual([]);

    const mails = receivedWith(subject);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual([staff.email]);
    expect(mails[0]?.from).toBe('safeshare@swindon.gov.uk');
    expect(mails[0]?.raw).toContain('https://safeshare.swindon.gov.uk/consents/reviews');
    const row = await outboxRow(subject);
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(1);
    expect(mails[0]?.raw).toContain(`Message-ID: <${row.id}@swindon.gov.uk>`);

    // A second run finds nothing due: the message is never sent again.
    context.clock.advance(60 * 60_000);
    await context.services.mail.deliverDue();
    expect(receivedWith(subject)).toHaveLength(1);
  });

  it('sends nothing, and shows nothing, for a change that rolled back', async () => {
    const staff = await createStaff(context, { organisationId });
    const subject = uniqueSubject('An advice request needs your answer');
    await expect(
      context.db.transaction().execute(async (trx) => {
        await context.services.notifications.notify(trx, {
          organisationId,
          userId: staff.id,
          kind: 'sharing.advice_requested',
          subject,
          body: 'Advice is requested.',
          link: '/advice',
        });
        throw new Error('the change failed after notifying');
      }),
    ).rejects.toThrow('the change failed');

    await context.services.mail.deliverDue();
    expect(receivedWith(subject)).toEqual([]);
    expect(
      await context.db.selectFrom('mail_outbox').select('id').where('subject', '=', subject).execute(),
    ).toEqual([]);
    expect(
      await context.db.selectFrom('notifications').select('id').where('subject', '=', subject).execute(),
    ).toEqual([]);
  });

  it('sends each message exactly once when two app servers deliver at the same time', async () => {
    const staff = await Promise.all([1, 2, 3, 4].map(() => createStaff(context, { organisationId })));
    const subject = uniqueSubject('An incident has been reported');
    for (const member of staff) {
      await notifyCommitted(member, subject);
      await notifyCommitted(member, subject);
    }
    // Two workers with mailers of their own, as on two app servers; a slow relay makes them overlap.
    const worker = () =>
      mailService({
        db: context.db,
        clock: context.clock,
        mailer: createMailer({
          smtpUrl: smtp.url,
          from: 'Safeshare <safeshare@swindon.gov.uk>',
          dataDir: '/nonexistent',
        }),
      });
    smtp.delayMs = 40;
    try {
      const [first, second] = await Promise.all([worker().deliverDue(), worker().deliverDue()]);
      expect(first.sent + second.sent).toBe(8);
      expect(first.sent).toBeGreaterThan(0);
      expect(second.sent).toBeGreaterThan(0);
    } finally {
      smtp.delayMs = 0;
    }

    const mails = receivedWith(subject);
    expect(mails).toHaveLength(8);
    for (const member of staff)
      expect(mails.filter((mail) => mail.to.includes(member.email))).toHaveLength(2);
    const ids = mails.map((mail) => /^Message-ID: <([^@]+)@/m.exec(mail.raw)?.[1]);
    expect(new Set(ids).size).toBe(8);
    const unsent = await context.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('subject', '=', subject)
      .where('sent_at', 'is', null)
      .execute();
    expect(unsent).toEqual([]);
  });

  it('retries a refused message with back-off, records an address-free error, and gives up after 10 attempts', async () => {
    const staff = await createStaff(context, { organisationId });
    smtp.rejected.add(staff.email);
    const subject = uniqueSubject('A file has not been returned');
    await notifyCommitted(staff, subject);

    const first = await context.services.mail.deliverDue();
    const row = await outboxRow(subject);
    expect(first.failures).toContainEqual({
      outboxId: row.id,
      attempts: 1,
      error: 'EENVELOPE 550 RCPT TO',
      gaveUp: false,
    });
    expect(row.sent_at).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe('EENVELOPE 550 RCPT TO');
    expect(row.last_error).not.toContain(staff.email);
    expect(row.next_attempt_at.getTime()).toBe(context.clock.now().getTime() + 60_000);

    // Not due again until the back-off has passed.
    context.clock.advance(59_000);
    await context.services.mail.deliverDue();
    expect((await outboxRow(subject)).attempts).toBe(1);
    context.clock.advance(1_000);
    await context.services.mail.deliverDue();
    const second = await outboxRow(subject);
    expect(second.attempts).toBe(2);
    expect(second.next_attempt_at.getTime()).toBe(context.clock.now().getTime() + 5 * 60_000);

    for (let attempt = 3; attempt <= maxAttempts; attempt += 1) {
      const current = await outboxRow(subject);
      context.clock.set(current.next_attempt_at);
      const report = await context.services.mail.deliverDue();
      expect(report.failures.find((failure) => failure.outboxId === row.id)).toMatchObject({
        attempts: attempt,
        gaveUp: attempt === maxAttempts,
      });
    }
    const gaveUp = await outboxRow(subject);
    expect(gaveUp.attempts).toBe(maxAttempts);
    expect(gaveUp.sent_at).toBeNull();

    context.clock.advance(30 * 24 * 60 * 60_000);
    await context.services.mail.deliverDue();
    expect((await outboxRow(subject)).attempts).toBe(maxAttempts);
    expect(receivedWith(subject)).toEqual([]);
    smtp.rejected.delete(staff.email);
  });

  it('keeps trying when the mail server cannot be reached, and says so without an address', async () => {
    const staff = await createStaff(context, { organisationId });
    const subject = uniqueSubject('Your account has changed');
    await notifyCommitted(staff, subject);
    // Port 9 on loopback: nothing listens there.
    const unreachable = mailService({
      db: context.db,
      clock: context.clock,
      mailer: createMailer({
        smtpUrl: 'smtp://127.0.0.1:9',
        from: 'Safeshare <a@b.gov.uk>',
        dataDir: '/nonexistent',
      }),
    });
    const report = await unreachable.deliverDue();
    const row = await outboxRow(subject);
    const failure = report.failures.find((entry) => entry.outboxId === row.id);
    expect(failure?.error).toMatch(/^E[A-Z]+/);
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBe(failure?.error);

    context.clock.advance(60_000);
    await context.services.mail.deliverDue();
    expect(receivedWith(subject)).toHaveLength(1);
  });

  it('takes the due messages with an index', async () => {
    const plan = await context.db.transaction().execute(async (trx) => {
      // A tiny table is cheaper to scan; forbid scans to see which index the query would use.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return trx
        .selectFrom('mail_outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', new Date())
        .where('attempts', '<', maxAttempts)
        .orderBy('next_attempt_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .explain('json');
    });
    expect(JSON.stringify(plan)).toContain('mail_outbox_pending_idx');
  });
});

describe('mail settings', () => {
  it('takes SMTP_URL and MAIL_FROM from the environment, with a safe local default', () => {
    expect(loadConfig({})).toMatchObject({ smtpUrl: undefined, mailFrom: 'Safeshare <no-reply@localhost>' });
    expect(
      loadConfig({
        SMTP_URL: 'smtp://user:pass@mail.example.gov.uk:587',
        MAIL_FROM: 'Safeshare <safeshare@swindon.gov.uk>',
      }),
    ).toMatchObject({
      smtpUrl: 'smtp://user:pass@mail.example.gov.uk:587',
      mailFrom: 'Safeshare <safeshare@swindon.gov.uk>',
    });
    expect(() => loadConfig({ SMTP_URL: 'https://mail.example.gov.uk' })).toThrow(ConfigError);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/safeshare',
      PUBLIC_URL: 'https://safeshare.example.gov.uk',
      SECRET_KEY: 'a'.repeat(64),
      POLICY_PACK: 'current',
    };
    expect(() => loadConfig(production)).toThrow('SMTP_URL is required in production');
    expect(loadConfig({ ...production, SMTP_URL: 'smtps://relay.example.gov.uk' }).smtpUrl).toBe(
      'smtps://relay.example.gov.uk',
    );
  });

  it('reads SMTP_URL: STARTTLS, implicit TLS, required TLS and URL-encoded credentials', () => {
    expect(smtpOptionsOf('smtp://relay.swindon.gov.uk')).toMatchObject({
      host: 'relay.swindon.gov.uk',
      port: 587,
      secure: false,
      requireTLS: false,
    });
    expect(smtpOptionsOf('smtp://relay.swindon.gov.uk')).not.toHaveProperty('auth');
    expect(smtpOptionsOf('smtps://mailer%40swindon.gov.uk:p%40ss%3Aword@relay.swindon.gov.uk')).toMatchObject(
      {
        port: 465,
        secure: true,
        auth: { user: 'mailer@swindon.gov.uk', pass: 'p@ss:word' },
      },
    );
    expect(smtpOptionsOf('smtp://user:pass@mail.example.gov.uk:2525?requireTLS=true')).toMatchObject({
      port: 2525,
      secure: false,
      requireTLS: true,
    });
  });

  it('describes failures by code only, never by the server text that quotes the address', () => {
    const error = Object.assign(
      new Error("Can't send mail - all recipients were rejected: 550 <jo.bloggs@swindon.gov.uk>"),
      { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' },
    );
    expect(describeMailFailure(error)).toBe('EENVELOPE 550 RCPT TO');
    expect(describeMailFailure(new Error('jo.bloggs@swindon.gov.uk'))).toBe('failed');
    expect(describeMailFailure(Object.assign(new Error('x'), { code: 'bad code <jo@x>' }))).toBe('failed');
    expect(retryDelayMinutes.slice(0, 4)).toEqual([1, 5, 15, 60]);
  });
});
