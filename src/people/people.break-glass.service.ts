import type { AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { isManager } from './people.access.ts';
import { grantsForReview, insertGrant, lockGrant, markGrantReviewed } from './people.access.repository.ts';
import { NotFoundError } from '../lib/errors.ts';
import { peopleErrorCodes, PeopleRuleError, PersonNotFoundError } from './people.errors.ts';
import { breakGlassHours, type AccessReview } from './people.model.ts';
import { peoplePaths } from './people.paths.ts';
import { findPerson } from './people.repository.ts';

/** Reasons for access ("break-glass", R2.5): recorded, told to those who oversee them, and reviewed. */
export function breakGlassService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly staff: Pick<StaffService, 'colleague' | 'activeHolders'>;
}) {
  const { db, clock, audit, notifications, staff } = deps;

  return {
    /**
     * Break-glass: records why the viewer needs a record they have no allocation to, opens it to them
     * for 24 hours, and tells their line manager and the organisation's Data Protection Officers, with
     * no personal data in the notice (R2.5).
     */
    async recordReason(viewer: Viewer, personId: string, reason: string): Promise<Date> {
      return db.transaction().execute(async (trx) => {
        const person = await findPerson(trx, personId);
        if (person === undefined || person.organisation_id !== viewer.organisationId)
          throw new PersonNotFoundError();
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + breakGlassHours * 3_600_000);
        const grantId = await insertGrant(trx, {
          organisationId: person.organisation_id,
          personId,
          userId: viewer.userId,
          reason,
          grantedAt: now,
          expiresAt,
        });
        const member = await staff.colleague(viewer.userId);
        const recipients = new Set([
          ...(member?.lineManagerId ? [member.lineManagerId] : []),
          ...(await staff.activeHolders(person.organisation_id, 'dpo')),
        ]);
        recipients.delete(viewer.userId);
        for (const userId of [...recipients].sort()) {
          await notifications.notify(trx, {
            organisationId: person.organisation_id,
            userId,
            kind: 'people.break_glass',
            subject: 'A reason for access was recorded',
            body: 'A member of your team opened a record they are not allocated to, giving a reason. Review it in Safeshare.',
            link: peoplePaths.accessReviews,
          });
        }
        await audit.record(trx, {
          organisationId: person.organisation_id,
          actor: actorOf(viewer),
          action: 'person.break_glass',
          entity: { type: 'break_glass_access', id: grantId },
          personId,
          change: { reason, expiresAt: expiresAt.toISOString(), notified: recipients.size },
        });
        return expiresAt;
      });
    },

    /** Reasons for access to review: a DPO sees the organisation's, a line manager their direct reports'. */
    async accessReviews(viewer: Viewer): Promise<AccessReview[]> {
      const isDpo = viewer.roles.includes('dpo');
      if (!isDpo && !isManager(viewer)) return [];
      const rows = await grantsForReview(
        db,
        viewer.organisationId,
        isDpo ? 'organisation' : { managerId: viewer.userId },
        200,
      );
      return rows.map((row) => ({
        id: row.id,
        personId: row.person_id,
        userName: row.user_name,
        reason: row.reason,
        grantedAt: row.granted_at,
        expiresAt: row.expires_at,
        reviewedAt: row.reviewed_at,
        reviewerName: row.reviewer_name,
        reviewable: row.reviewed_at === null && row.user_id !== viewer.userId,
      }));
    },

    /** Marks a reason for access as reviewed. One the viewer may not review is not found. */
    async markReviewed(viewer: Viewer, grantId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const grant = await lockGrant(trx, grantId);
        if (grant === undefined || grant.organisation_id !== viewer.organisationId)
          throw new NotFoundError('no such reason for access');
        const mayReview =
          viewer.roles.includes('dpo') || (isManager(viewer) && grant.line_manager_id === viewer.userId);
        if (!mayReview) throw new NotFoundError('no such reason for access');
        if (grant.user_id === viewer.userId)
          throw new PeopleRuleError(
            peopleErrorCodes.ownReason,
            'review',
            'You cannot review your own reason for access',
          );
        if (grant.reviewed_at !== null)
          throw new PeopleRuleError(
            peopleErrorCodes.alreadyReviewed,
            'review',
            'That reason for access has already been reviewed',
          );
        await markGrantReviewed(trx, grantId, viewer.userId, clock.now());
        await audit.record(trx, {
          organisationId: grant.organisation_id,
          actor: actorOf(viewer),
          action: 'person.access_reviewed',
          entity: { type: 'break_glass_access', id: grantId },
          personId: grant.person_id,
          change: { userId: grant.user_id, userName: grant.user_name },
        });
      });
    },
  };
}
