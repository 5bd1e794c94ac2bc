import { realDate } from '../lib/calendar.ts';
import { londonToday } from '../lib/time.ts';
import type { Authority } from './staff.authority.ts';
import { changeStaff, type StaffDependencies } from './staff.change.ts';
import { StaffRuleError } from './staff.errors.ts';
import { directReports, trainingCompletedOn } from './staff.repository.ts';
import { earliestTrainingDate, trainingStatus, type TrainingStatus } from './training.ts';
import { updateUser } from './users.repository.ts';

/** A line manager's direct report, with their data protection training status (R2.2). */
export interface TeamMember {
  readonly id: string;
  readonly displayName: string;
  readonly jobTitle: string | null;
  readonly trainingCompletedOn: string | null;
  readonly training: TrainingStatus;
}

/** A member of staff's own data protection training, for the warnings on sharing pages (R1.1). */
export interface OwnTraining extends TrainingStatus {
  readonly completedOn: string | null;
}

/** Data protection training (R1.1, R2.2): recording it, and each person's and each team's status. */
export function staffTrainingService(deps: StaffDependencies) {
  const { db, clock, trainingValidMonths } = deps;
  const today = () => londonToday(clock.now());
  const statusOf = (completedOn: string | null) => trainingStatus(completedOn, today(), trainingValidMonths);

  return {
    /**
     * Records the day someone completed data protection training (R1.1, R2.2). The date must be a real
     * date, not in the future and not before 2000; it replaces any earlier one, and the audit trail
     * keeps both.
     */
    async recordTraining(actor: Authority, userId: string, completedOn: string): Promise<void> {
      const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(completedOn);
      if (parts === null || realDate(Number(parts[1]), Number(parts[2]), Number(parts[3])) !== completedOn) {
        throw new StaffRuleError(
          'completedOn',
          'STAFF.TRAINING_DATE_INVALID',
          'Date they completed the training must be a real date',
        );
      }
      if (completedOn > today())
        throw new StaffRuleError(
          'completedOn',
          'STAFF.TRAINING_DATE_FUTURE',
          'Date they completed the training must be today or in the past',
        );
      if (completedOn < earliestTrainingDate)
        throw new StaffRuleError(
          'completedOn',
          'STAFF.TRAINING_DATE_TOO_EARLY',
          'Date they completed the training must be on or after 1 January 2000',
        );
      await changeStaff(deps, actor, userId, 'user.training_recorded', async (user, trx) => {
        await updateUser(trx, user.id, { data_protection_training_on: completedOn, updated_at: clock.now() });
        return {
          dataProtectionTrainingOn: completedOn,
          previousDataProtectionTrainingOn: user.data_protection_training_on,
        };
      });
    },

    /** Today's date in England, yyyy-mm-dd, by the service's clock: training dates are compared with it. */
    today,

    /** The status of training completed on that day (or never), today, under the policy pack's validity period. */
    trainingStatusOf(completedOn: string | null): TrainingStatus {
      return statusOf(completedOn);
    },

    /**
     * A member of staff's own training status, for the warning on the home and sharing pages (R1.1).
     * Someone unknown has none recorded.
     */
    async trainingOf(userId: string): Promise<OwnTraining> {
      const completedOn = await trainingCompletedOn(db, userId);
      return { completedOn, ...statusOf(completedOn) };
    },

    /** A line manager's active direct reports, by name, with their training status (R2.2). */
    async team(managerId: string): Promise<TeamMember[]> {
      const rows = await directReports(db, managerId);
      return rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        jobTitle: row.job_title,
        trainingCompletedOn: row.data_protection_training_on,
        training: statusOf(row.data_protection_training_on),
      }));
    },
  };
}
