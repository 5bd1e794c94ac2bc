import { systemActor } from '../audit/index.ts';
import { draftLifetimeMs, type ConsentCore } from './consent.core.ts';
import { consentPaths } from './consent.paths.ts';
import { londonToday } from './consent.record.ts';
import * as store from './consent.repository.ts';

/** The consent register's daily work (R3.4), run by the job runner outside any request. */
export function jobsService(core: ConsentCore) {
  const { db, clock, audit, notifications, event, people, staff } = core;

  /**
   * Each overdue live consent with each active member of staff allocated to its person, and their
   * line manager: the allocations from the people service, the staff from the staff list.
   */
  async function reminderTargets(day: string) {
    const overdue = await store.overdueReviews(db, day);
    const holders = await people.allocatedTo(overdue.map((review) => review.person_id));
    const active = new Map(
      (await staff.colleagues([...holders.values()].flat()))
        .filter((member) => member.active)
        .map((member) => [member.id, member]),
    );
    return overdue.flatMap((review) =>
      (holders.get(review.person_id) ?? []).flatMap((userId) => {
        const member = active.get(userId);
        return member === undefined
          ? []
          : [
              {
                consent_id: review.consent_id,
                organisation_id: review.organisation_id,
                allocated_user_id: member.id,
                line_manager_id: member.lineManagerId,
              },
            ];
      }),
    );
  }

  return {
    /**
     * The daily job (R3.4): expires consents past their expiry date, flags those past their review
     * date, and tells each allocated practitioner and their line manager, once per consent per day,
     * how many need review. Notices carry no personal data: a count and a link.
     */
    async runReviewReminders(): Promise<{ markedOverdue: number; notified: number; expired: number }> {
      const now = clock.now();
      const day = londonToday(now);
      let expired = 0;
      let markedOverdue = 0;
      let notified = 0;

      for (const organisationId of await store.organisationsWithExpiring(db, day)) {
        expired += await db.transaction().execute(async (trx) => {
          const rows = await store.expireConsents(trx, organisationId, day, now);
          for (const row of rows) {
            await event(trx, {
              consentId: row.id,
              organisationId,
              personId: row.person_id,
              kind: 'expired',
              statusAfter: 'expired',
              occurredOn: row.expires_on ?? day,
              recordedBy: null,
              note: null,
            });
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.expired',
              entity: { type: 'consent', id: row.id },
              personId: row.person_id,
              change: { status: 'expired', expiresOn: row.expires_on },
            });
          }
          return rows.length;
        });
      }

      for (const organisationId of await store.organisationsWithNewlyOverdue(db, day)) {
        markedOverdue += await db.transaction().execute(async (trx) => {
          const rows = await store.markOverdue(trx, organisationId, day, now);
          for (const row of rows) {
            await event(trx, {
              consentId: row.id,
              organisationId,
              personId: row.person_id,
              kind: 'review_overdue',
              statusAfter: row.status,
              occurredOn: day,
              recordedBy: null,
              note: null,
            });
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.review_overdue',
              entity: { type: 'consent', id: row.id },
              personId: row.person_id,
              change: { reviewOn: row.review_on, overdueSince: day },
            });
          }
          return rows.length;
        });
      }

      // Who to tell: each allocated practitioner ("yours") and their active line manager ("your team's").
      const targets = await reminderTargets(day);
      const managers = new Set(
        (
          await staff.colleagues(
            targets.flatMap((target) => (target.line_manager_id === null ? [] : [target.line_manager_id])),
          )
        )
          .filter((manager) => manager.active)
          .map((manager) => manager.id),
      );
      const byOrganisation = new Map<
        string,
        Map<string, { consentId: string; userId: string; own: boolean; team: boolean }>
      >();
      for (const target of targets) {
        const pairs =
          byOrganisation.get(target.organisation_id) ??
          new Map<string, { consentId: string; userId: string; own: boolean; team: boolean }>();
        byOrganisation.set(target.organisation_id, pairs);
        const add = (userId: string, own: boolean) => {
          const key = `${target.consent_id}:${userId}`;
          const pair = pairs.get(key) ?? { consentId: target.consent_id, userId, own: false, team: false };
          pairs.set(key, own ? { ...pair, own: true } : { ...pair, team: true });
        };
        add(target.allocated_user_id, true);
        if (target.line_manager_id !== null && managers.has(target.line_manager_id))
          add(target.line_manager_id, false);
      }
      for (const [organisationId, pairs] of byOrganisation) {
        notified += await db.transaction().execute(async (trx) => {
          const fresh = await store.recordReminders(
            trx,
            [...pairs.values()].map((pair) => ({
              consent_id: pair.consentId,
              user_id: pair.userId,
              reminded_on: day,
            })),
          );
          const perUser = new Map<string, { count: number; own: boolean; team: boolean }>();
          for (const reminder of fresh) {
            const pair = pairs.get(`${reminder.consent_id}:${reminder.user_id}`);
            if (pair === undefined) continue;
            const tally = perUser.get(reminder.user_id) ?? { count: 0, own: false, team: false };
            perUser.set(reminder.user_id, {
              count: tally.count + 1,
              own: tally.own || pair.own,
              team: tally.team || pair.team,
            });
          }
          for (const [userId, tally] of perUser) {
            await notifications.notify(trx, {
              organisationId,
              userId,
              kind: 'consent.review_overdue',
              subject: 'Consent reviews are overdue',
              body: reminderBody(
                tally.count,
                tally.own && tally.team ? 'you or your team' : tally.own ? 'you' : 'your team',
              ),
              link: consentPaths.reviews,
            });
          }
          if (perUser.size > 0) {
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.review_reminders_sent',
              entity: { type: 'consent_reviews', id: null },
              change: { notices: perUser.size, reminders: fresh.length, on: day },
            });
          }
          return perUser.size;
        });
      }
      await store.deleteStaleDrafts(db, new Date(now.getTime() - draftLifetimeMs));
      return { markedOverdue, notified, expired };
    },
  };
}

/** "3 consent records allocated to you need review." No names, dates or identifiers. */
export function reminderBody(count: number, whose: 'you' | 'your team' | 'you or your team'): string {
  return count === 1
    ? `1 consent record allocated to ${whose} needs review.`
    : `${count} consent records allocated to ${whose} need review.`;
}
