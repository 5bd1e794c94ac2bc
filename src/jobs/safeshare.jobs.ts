import { SigningKeyError } from '../audit/index.ts';
import type { Services } from '../services.ts';
import type { JobLog, JobRunner } from './job-runner.ts';

export interface JobContext {
  readonly services: Services;
  readonly log: JobLog;
}

/**
 * Every job Safeshare runs. main.ts registers them and starts the job runner; `safeshare jobs list`
 * and `safeshare jobs run <name>` see the same list. A capability adds its job here, calling its own
 * service; a one-off job (`{ name, once: true }`) is scheduled by the capability's service with
 * `scheduleOnce` (src/db/job-queue.ts), in the transaction of the change that needs it.
 */
export function registerJobs(runner: JobRunner, context: JobContext): void {
  const { services, log } = context;

  runner.register({ name: 'mail-delivery', every: 15_000 }, async () => {
    const report = await services.mail.deliverDue();
    // The outbox row id and an address-free error only: never the address, subject or body.
    for (const failure of report.failures) {
      log.warn(
        { outboxId: failure.outboxId, attempts: failure.attempts, error: failure.error },
        failure.gaveUp ? 'gave up sending an email' : 'could not send an email; will retry',
      );
    }
    if (report.sent === 0 && report.failures.length === 0) return 'nothing due';
    return `sent ${report.sent}, failed ${report.failures.length}`;
  });

  // R3.4: consent reviews that fall due are surfaced to the practitioner and their manager every morning.
  runner.register({ name: 'consent-review-reminders', dailyAt: '07:00' }, async () => {
    const report = await services.consent.runReviewReminders();
    return `marked ${report.markedOverdue} overdue, expired ${report.expired}, sent ${report.notified} reminders`;
  });

  // R5.3, UK GDPR Art 33: the DPO is reminded 24, 48 and 66 hours into an incident's 72-hour clock.
  runner.register({ name: 'incident-clock', every: 300_000 }, async () => {
    const reminded = await services.incidents.remindClock();
    return reminded === 0 ? 'no reminders due' : `sent ${String(reminded)} clock reminders`;
  });

  // R2.20, ADR 0019: an emergency share's approval not given in time is escalated, once.
  runner.register({ name: 'emergency-approvals', every: 900_000 }, async () => {
    const escalated = await services.sharing.escalateOverdueEmergencies();
    return escalated === 0 ? 'no overdue approvals' : `escalated ${String(escalated)} overdue approvals`;
  });

  // R4.6.4, ADR 0020: packages past their expiry are ended and their keys destroyed, nightly.
  runner.register({ name: 'exchange-expiry', dailyAt: '00:15' }, async () => {
    const expired = await services.exchange.expireDue();
    return expired === 0 ? 'no packages due' : `expired ${String(expired)} packages and destroyed their keys`;
  });

  // R4.3.7: information off site past its time is followed up every morning (then with the line manager too).
  runner.register({ name: 'custody-follow-up', dailyAt: '08:00' }, async () => {
    const followed = await services.custody.followUpOverdue();
    return followed === 0
      ? 'nothing overdue off site'
      : `followed up ${String(followed)} items overdue off site`;
  });

  // R4.7.4: media held past the date they were needed until are flagged to their holders, once.
  runner.register({ name: 'media-past-need', dailyAt: '08:05' }, async () => {
    const flagged = await services.media.flagPastNeed();
    return flagged === 0
      ? 'no media past their purpose'
      : `flagged ${String(flagged)} media past their purpose`;
  });

  // Invariant 2, ADR 0023: each audit chain's checkpoints are signed after the fact, never by an append.
  runner.register({ name: 'audit-checkpoints', every: 300_000 }, async () => {
    let report;
    try {
      report = await services.auditCheckpoints.signDue();
    } catch (error) {
      if (!(error instanceof SigningKeyError)) throw error;
      // The message names a setting or a file, never personal data.
      log.warn({}, error.message);
      return 'not signed: no audit signing key (AUDIT_SIGNING_KEY_FILE)';
    }
    for (const broken of report.broken)
      log.warn(
        { organisationId: broken.organisationId, seq: broken.seq },
        'audit chain broken: no checkpoint signed past it; run safeshare audit verify',
      );
    const signed =
      report.signed === 0
        ? 'nothing to sign'
        : `signed ${count(report.signed, 'checkpoint')} of ${count(report.chains, 'chain')}`;
    const behind = report.behind === 0 ? '' : `, ${count(report.behind, 'chain')} still behind`;
    const broken = report.broken.length === 0 ? '' : `, ${count(report.broken.length, 'chain')} broken`;
    return `${signed}${behind}${broken}`;
  });

  // ADR 0023: with AUDIT_CHECKPOINT_MAIL_DPO, each organisation's DPOs are sent its latest checkpoint daily.
  runner.register({ name: 'audit-checkpoint-mail', dailyAt: '06:30' }, async () => {
    const mailed = await services.auditCheckpoints.mailLatest({
      recipients: (organisationId) => services.staff.activeHolders(organisationId, 'dpo'),
      send: (trx, notice) =>
        services.notifications.notify(trx, { ...notice, kind: 'audit.checkpoint', link: '/audit' }),
    });
    return mailed === 0
      ? 'no checkpoints mailed'
      : `mailed the latest checkpoint of ${count(mailed, 'organisation')} to their DPOs`;
  });

  // The API's idempotency keys and their answers, which may hold personal data, go after a day.
  runner.register({ name: 'api-idempotency-purge', every: 3_600_000 }, async () => {
    const purged = await services.apiIdempotency.purgeExpired();
    return purged === 0 ? 'no keys expired' : `purged ${count(purged, 'expired key')}`;
  });

  // Storage limitation (ADR 0033): once a month, each organisation's IG leads are told how many
  // records are due for review or disposal (counts only). It runs daily; the review records each
  // organisation's month, so only the month's first run does anything.
  runner.register({ name: 'retention-review', dailyAt: '06:45' }, async () => {
    const report = await services.retention.runMonthlyReview();
    return report.organisations === 0
      ? 'already reviewed this month'
      : `reviewed ${count(report.organisations, 'organisation')}, told ${count(report.notified, 'IG lead')}`;
  });

  // R4.2.8, R4.4.2: receipts not confirmed by their due date are followed up every morning.
  runner.register({ name: 'receipt-follow-up', dailyAt: '07:30' }, async () => {
    const reminded = await services.disclosures.remindOverdueReceipts();
    return reminded === 0 ? 'no overdue receipts' : `flagged ${String(reminded)} overdue receipts`;
  });
}

function count(number: number, noun: string): string {
  return `${String(number)} ${noun}${number === 1 ? '' : 's'}`;
}
