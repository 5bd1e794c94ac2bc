import type { StaffMember, StaffService, Viewer } from '../auth/index.ts';
import { isUuid } from '../lib/ids.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { Approver } from '../policy/index.ts';
import type { SharingTransaction } from './decision.repository.ts';
import { SharingRuleError } from './sharing.errors.ts';

/**
 * The colleagues a decision involves: the practitioner's line manager and supervisor, and those who
 * hold the roles that advise and approve. Staff are read through their own service, never their table.
 */
export function sharingColleagues(deps: {
  readonly staff: Pick<StaffService, 'list' | 'member' | 'lineManagerOf'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
}) {
  const { staff, notifications } = deps;

  /** The line manager of a member of staff, when they have one in the same organisation. */
  async function lineManagerOf(organisationId: string, userId: string): Promise<StaffMember | undefined> {
    return staff.lineManagerOf(organisationId, userId);
  }

  return {
    lineManagerOf,

    async requireLineManager(viewer: Viewer): Promise<string> {
      const manager = await lineManagerOf(viewer.organisationId, viewer.userId);
      if (manager?.active !== true) {
        throw SharingRuleError.of(
          'adviser',
          'DECISION.NO_LINE_MANAGER',
          'You have no line manager recorded in Safeshare: choose someone else, or ask an administrator to record your line manager',
        );
      }
      return manager.id;
    },

    /** The supervisor a practitioner names: an active colleague in their organisation, not themself. */
    async requireSupervisor(viewer: Viewer, supervisorId: string | undefined): Promise<string> {
      const colleague =
        supervisorId === undefined || !isUuid(supervisorId)
          ? undefined
          : await staff.member(viewer.organisationId, supervisorId);
      if (colleague?.active !== true || colleague.id === viewer.userId)
        throw SharingRuleError.of(
          'supervisorId',
          'DECISION.SUPERVISOR',
          'Select your supervisor from the list of colleagues',
        );
      return colleague.id;
    },

    /** The people who answer for these approvers in the organisation (never the practitioner themself). */
    async membersFor(
      organisationId: string,
      approvers: readonly Approver[],
      lineManagerId: string | null,
      except: string,
    ): Promise<string[]> {
      const roles: readonly string[] = approvers.filter((approver) => approver !== 'line-manager');
      const members =
        roles.length === 0
          ? []
          : (await staff.list({ organisationId }))
              .filter((member) => member.active && member.roles.some((role) => roles.includes(role)))
              .map((member) => member.id);
      return [
        ...members,
        ...(lineManagerId !== null && approvers.includes('line-manager') ? [lineManagerId] : []),
      ].filter((userId) => userId !== except);
    },

    async notifyAll(
      trx: SharingTransaction,
      organisationId: string,
      userIds: Iterable<string>,
      notice: { kind: string; subject: string; body: string; link: string },
    ): Promise<void> {
      for (const userId of new Set(userIds))
        await notifications.notify(trx, { organisationId, userId, ...notice });
    },
  };
}

export type SharingColleagues = ReturnType<typeof sharingColleagues>;
