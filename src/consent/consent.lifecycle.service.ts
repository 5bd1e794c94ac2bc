import { actorOf, type Viewer } from '../auth/index.ts';
import type { ConsentCore } from './consent.core.ts';
import { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
import * as store from './consent.repository.ts';
import type { ReviewAnswers, WithdrawalAnswers } from './consent.schema.ts';
import { statusAfter } from './consent.status.ts';

/**
 * A consent's life after it is recorded: withdrawal (R3.3) and a review that finds it still stands
 * (R3.4). A review that finds it changed records a new consent that supersedes it (recording).
 */
export function lifecycleService(core: ConsentCore) {
  const { db, clock, audit, today, find, event, lockFor, onWithdrawn = [] } = core;

  return {
    /** Withdrawal takes effect at once (R3.3, invariant 3): the next check of the register sees it. */
    async withdraw(viewer: Viewer, id: string, withdrawal: WithdrawalAnswers): Promise<void> {
      const consent = await find(viewer, id);
      if (consent === undefined)
        throw new ConsentRuleError(consentErrorCodes.notFound, 'form', 'That consent record does not exist');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await lockFor(trx, viewer, id, 'withdraw');
        if (withdrawal.withdrawnOn < row.given_on)
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'withdrawnOn',
            'Date the withdrawal was received must be on or after the date consent was given',
          );
        if (withdrawal.withdrawnOn > today())
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'withdrawnOn',
            'Date the withdrawal was received must be today or in the past',
          );
        const status = statusAfter(row.status, 'withdraw') ?? 'withdrawn';
        await store.changeLifecycle(trx, row.id, {
          status,
          withdrawn_on: withdrawal.withdrawnOn,
          withdrawal_method: withdrawal.method,
          withdrawn_by: withdrawal.by,
          withdrawal_note: withdrawal.note,
          withdrawal_recorded_by: viewer.userId,
          withdrawal_recorded_at: now,
          changed_at: now,
        });
        await event(trx, {
          consentId: row.id,
          organisationId: row.organisation_id,
          personId: row.person_id,
          kind: 'withdrawn',
          statusAfter: status,
          occurredOn: withdrawal.withdrawnOn,
          recordedBy: viewer.userId,
          note: withdrawal.note,
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'consent.withdrawn',
          entity: { type: 'consent', id: row.id },
          personId: row.person_id,
          change: {
            status,
            withdrawnOn: withdrawal.withdrawnOn,
            method: withdrawal.method,
            withdrawnBy: withdrawal.by,
          },
        });
        // What withdrawal sets off above the register (decisions that relied on it), in this transaction.
        for (const handler of onWithdrawn)
          await handler(trx, {
            consentId: row.id,
            organisationId: row.organisation_id,
            personId: row.person_id,
            purposeIds: row.purpose_ids,
            withdrawnOn: withdrawal.withdrawnOn,
            by: viewer,
          });
      });
    },

    /** A review that found the consent still stands: a new review date (R3.4). A changed consent is recorded anew and supersedes this one. */
    async review(
      viewer: Viewer,
      id: string,
      review: Extract<ReviewAnswers, { outcome: 'still_valid' }>,
    ): Promise<void> {
      const consent = await find(viewer, id);
      if (consent === undefined)
        throw new ConsentRuleError(consentErrorCodes.notFound, 'form', 'That consent record does not exist');
      const now = clock.now();
      const day = today();
      await db.transaction().execute(async (trx) => {
        const row = await lockFor(trx, viewer, id, 'review');
        if (review.nextReviewOn <= day || review.nextReviewOn <= row.given_on)
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'nextReviewOn',
            'Next review date must be in the future',
          );
        if (row.expires_on !== null && row.expires_on <= day)
          throw new ConsentRuleError(
            consentErrorCodes.notLive,
            'form',
            'This consent has expired: record a new consent instead',
          );
        await store.changeLifecycle(trx, row.id, {
          review_on: review.nextReviewOn,
          last_reviewed_on: day,
          review_overdue_since: null,
          changed_at: now,
        });
        await event(trx, {
          consentId: row.id,
          organisationId: row.organisation_id,
          personId: row.person_id,
          kind: 'reviewed',
          statusAfter: row.status,
          occurredOn: day,
          recordedBy: viewer.userId,
          note: review.note,
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'consent.reviewed',
          entity: { type: 'consent', id: row.id },
          personId: row.person_id,
          change: { previousReviewOn: row.review_on, reviewOn: review.nextReviewOn },
        });
      });
    },
  };
}
