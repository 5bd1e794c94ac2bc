import type { AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { realDate } from '../lib/calendar.ts';
import { londonToday } from '../lib/time.ts';
import {
  deleteSessionsOfUser,
  findUserByEmail,
  findUserById,
  lockUser,
  type UserRow,
} from './auth.repository.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { Role } from './roles.ts';
import { confinedTo, holdsRole, type Authority } from './staff.authority.ts';
import { earliestTrainingDate, trainingStatus, type TrainingStatus } from './training.ts';

/** A member of staff as administrators see them (never the password hash or MFA key). */
export interface StaffMember {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly jobTitle: string | null;
  readonly roles: readonly Role[];
  readonly organisationId: string;
  readonly organisationName: string;
  readonly lineManagerId: string | null;
  readonly lineManagerName: string | null;
  readonly active: boolean;
  readonly mfaEnrolled: boolean;
  readonly demo: boolean;
  readonly createdAt: Date;
  /** The day they last completed data protection training (R1.1, R2.2), yyyy-mm-dd; null when none is recorded. */
  readonly trainingCompletedOn: string | null;
}

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

export interface StaffDetails {
  readonly organisationId: string;
  readonly displayName: string;
  readonly jobTitle: string | null;
  readonly roles: readonly Role[];
  readonly lineManagerId: string | null;
}

export interface NewStaff extends StaffDetails {
  readonly email: string;
  readonly password: string;
  readonly demo?: boolean;
  /**
   * Whether the person must replace this password with their own at first sign-in. By default they
   * must, because an administrator chose it; demo accounts never are. Tests whose person signs in
   * with the password they were given say false.
   */
  readonly mustChangePassword?: boolean;
  /** Only for demo data and tests: an MFA key already enrolled, sealed by the caller. */
  readonly enrolledMfaSecretSealed?: string;
}

/** A rule about staff that the submitted answers break, with the field it concerns. */
export class StaffRuleError extends Error {
  override readonly name = 'StaffRuleError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The member of staff does not exist, or works for an organisation the administrator's authority does
 * not reach (ADR 0011): the two are told apart nowhere, so another organisation's staff are never revealed.
 */
export class StaffNotFoundError extends StaffRuleError {
  constructor() {
    super('user', 'That member of staff does not exist');
  }
}

/** Only a platform operator may give or take away the platform operator role, so no administrator can raise themselves to it. */
const operatorRole = 'platform_operator' satisfies Role;

function checkOperatorRole(authority: Authority, before: readonly Role[], after: readonly Role[]): void {
  if (before.includes(operatorRole) === after.includes(operatorRole) || holdsRole(authority, operatorRole))
    return;
  throw new StaffRuleError('roles', 'Only a platform operator can give or remove the platform operator role');
}

export interface StaffDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  /** How long data protection training stays valid: the policy pack's sharing.trainingValidMonths (R1.1, R2.2). */
  readonly trainingValidMonths: number;
}

export function staffService(deps: StaffDependencies) {
  const { db, clock, audit, trainingValidMonths } = deps;
  const today = () => londonToday(clock.now());
  const statusOf = (completedOn: string | null) => trainingStatus(completedOn, today(), trainingValidMonths);

  async function checkLineManager(
    executor: Executor,
    details: StaffDetails,
    userId: string | undefined,
  ): Promise<void> {
    if (details.lineManagerId === null) return;
    if (details.lineManagerId === userId)
      throw new StaffRuleError('lineManagerId', 'A person cannot be their own line manager');
    const manager = await findUserById(executor, details.lineManagerId);
    if (manager === undefined || !manager.active)
      throw new StaffRuleError('lineManagerId', 'Select an active member of staff as line manager');
    if (manager.organisation_id !== details.organisationId) {
      throw new StaffRuleError('lineManagerId', 'The line manager must work for the same organisation');
    }
    // Walk up the chain: the new manager must not report (directly or not) to this person.
    let current: UserRow | undefined = manager;
    for (let depth = 0; current !== undefined && depth < 50; depth += 1) {
      if (current.line_manager_id === null) return;
      if (current.line_manager_id === userId) {
        throw new StaffRuleError('lineManagerId', 'That choice would make a loop of line managers');
      }
      current = await findUserById(executor, current.line_manager_id);
    }
  }

  async function checkOrganisation(executor: Executor, organisationId: string): Promise<void> {
    const organisation = await executor
      .selectFrom('organisations')
      .select(['id', 'hosted'])
      .where('id', '=', organisationId)
      .executeTakeFirst();
    if (organisation === undefined || !organisation.hosted) {
      throw new StaffRuleError('organisationId', 'Select an organisation whose staff use Safeshare');
    }
  }

  /** A change to one member of staff, only within the authority's organisation (ADR 0011). */
  async function change(
    actor: Authority,
    userId: string,
    action: string,
    apply: (user: UserRow, trx: Executor) => Promise<Record<string, string | boolean | null | string[]>>,
  ): Promise<void> {
    const scope = confinedTo(actor);
    await db.transaction().execute(async (trx) => {
      const user = await lockUser(trx, userId);
      if (user === undefined || (scope !== undefined && user.organisation_id !== scope))
        throw new StaffNotFoundError();
      const recorded = await apply(user, trx);
      await audit.record(trx, {
        organisationId: user.organisation_id,
        actor,
        action,
        entity: { type: 'user', id: user.id },
        change: recorded,
      });
    });
  }

  return {
    /** One organisation's staff: there is no list across organisations (ADR 0011). */
    async list(filter: { readonly organisationId: string }): Promise<StaffMember[]> {
      const rows = await staffQuery(db)
        .where('users.organisation_id', '=', filter.organisationId)
        .orderBy('users.display_name')
        .orderBy('users.id')
        .execute();
      return rows.map(toStaffMember);
    },

    /** A member of staff, if the authority reaches their organisation; otherwise undefined, as for an unknown id. */
    async find(authority: Authority, id: string): Promise<StaffMember | undefined> {
      const scope = confinedTo(authority);
      let query = staffQuery(db).where('users.id', '=', id);
      if (scope !== undefined) query = query.where('users.organisation_id', '=', scope);
      const row = await query.executeTakeFirst();
      return row === undefined ? undefined : toStaffMember(row);
    },

    async create(actor: Authority, input: NewStaff): Promise<string> {
      const scope = confinedTo(actor);
      if (scope !== undefined && input.organisationId !== scope) {
        throw new StaffRuleError(
          'organisationId',
          'You can only create accounts for staff of your own organisation',
        );
      }
      checkOperatorRole(actor, [], input.roles);
      const problem = passwordProblem(input.password);
      if (problem !== undefined) throw new StaffRuleError('password', problem);
      const email = input.email.trim().toLowerCase();
      const passwordHash = await hashPassword(input.password);
      return db.transaction().execute(async (trx) => {
        await checkOrganisation(trx, input.organisationId);
        if ((await findUserByEmail(trx, email)) !== undefined) {
          throw new StaffRuleError('email', 'A member of staff already has that email address');
        }
        await checkLineManager(trx, input, undefined);
        const now = clock.now();
        const created = await trx
          .insertInto('users')
          .values({
            organisation_id: input.organisationId,
            email,
            display_name: input.displayName,
            job_title: input.jobTitle,
            roles: [...input.roles],
            line_manager_id: input.lineManagerId,
            password_hash: passwordHash,
            mfa_secret_sealed: input.enrolledMfaSecretSealed ?? null,
            mfa_enrolled_at: input.enrolledMfaSecretSealed === undefined ? null : now,
            totp_last_step: null,
            demo: input.demo ?? false,
            must_change_password: input.mustChangePassword ?? input.demo !== true,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await audit.record(trx, {
          organisationId: input.organisationId,
          actor,
          action: 'user.created',
          entity: { type: 'user', id: created.id },
          change: {
            email,
            displayName: input.displayName,
            jobTitle: input.jobTitle,
            roles: [...input.roles],
            lineManagerId: input.lineManagerId,
            demo: input.demo ?? false,
            mustChangePassword: input.mustChangePassword ?? input.demo !== true,
          },
        });
        return created.id;
      });
    },

    async update(actor: Authority, userId: string, details: StaffDetails): Promise<void> {
      const scope = confinedTo(actor);
      await change(actor, userId, 'user.updated', async (user, trx) => {
        if (scope !== undefined && details.organisationId !== user.organisation_id) {
          throw new StaffRuleError('organisationId', 'You cannot move staff to another organisation');
        }
        checkOperatorRole(actor, user.roles, details.roles);
        await checkOrganisation(trx, details.organisationId);
        await checkLineManager(trx, details, user.id);
        if (actor.userId === user.id && user.roles.includes('admin') && !details.roles.includes('admin')) {
          throw new StaffRuleError('roles', 'You cannot remove your own administrator role');
        }
        await trx
          .updateTable('users')
          .set({
            organisation_id: details.organisationId,
            display_name: details.displayName,
            job_title: details.jobTitle,
            roles: [...details.roles],
            line_manager_id: details.lineManagerId,
            updated_at: clock.now(),
          })
          .where('id', '=', user.id)
          .execute();
        if (details.organisationId !== user.organisation_id) await deleteSessionsOfUser(trx, user.id);
        return {
          organisationId: details.organisationId,
          displayName: details.displayName,
          jobTitle: details.jobTitle,
          roles: [...details.roles],
          lineManagerId: details.lineManagerId,
        };
      });
    },

    /** Deactivation ends every live session of the person at once. */
    async setActive(actor: Authority, userId: string, active: boolean): Promise<void> {
      await change(actor, userId, active ? 'user.reactivated' : 'user.deactivated', async (user, trx) => {
        if (!active && actor.userId === user.id)
          throw new StaffRuleError('user', 'You cannot deactivate your own account');
        await trx
          .updateTable('users')
          .set({ active, updated_at: clock.now() })
          .where('id', '=', user.id)
          .execute();
        if (!active) await deleteSessionsOfUser(trx, user.id);
        return { active };
      });
    },

    async resetPassword(actor: Authority, userId: string, password: string): Promise<void> {
      const problem = passwordProblem(password);
      if (problem !== undefined) throw new StaffRuleError('password', problem);
      const passwordHash = await hashPassword(password);
      await change(actor, userId, 'user.password_reset', async (user, trx) => {
        // The person replaces a password someone else chose at their next sign-in (demo accounts never do).
        const mustChangePassword = !user.demo && actor.userId !== user.id;
        await trx
          .updateTable('users')
          .set({
            password_hash: passwordHash,
            must_change_password: mustChangePassword,
            updated_at: clock.now(),
          })
          .where('id', '=', user.id)
          .execute();
        await deleteSessionsOfUser(trx, user.id);
        return { mustChangePassword };
      });
    },

    /**
     * Records the day someone completed data protection training (R1.1, R2.2). The date must be a real
     * date, not in the future and not before 2000; it replaces any earlier one, and the audit trail
     * keeps both.
     */
    async recordTraining(actor: Authority, userId: string, completedOn: string): Promise<void> {
      const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(completedOn);
      if (parts === null || realDate(Number(parts[1]), Number(parts[2]), Number(parts[3])) !== completedOn) {
        throw new StaffRuleError('completedOn', 'Date they completed the training must be a real date');
      }
      if (completedOn > today())
        throw new StaffRuleError(
          'completedOn',
          'Date they completed the training must be today or in the past',
        );
      if (completedOn < earliestTrainingDate)
        throw new StaffRuleError(
          'completedOn',
          'Date they completed the training must be on or after 1 January 2000',
        );
      await change(actor, userId, 'user.training_recorded', async (user, trx) => {
        await trx
          .updateTable('users')
          .set({ data_protection_training_on: completedOn, updated_at: clock.now() })
          .where('id', '=', user.id)
          .execute();
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
      const row = await db
        .selectFrom('users')
        .select('data_protection_training_on')
        .where('id', '=', userId)
        .executeTakeFirst();
      const completedOn = row?.data_protection_training_on ?? null;
      return { completedOn, ...statusOf(completedOn) };
    },

    /** A line manager's active direct reports, by name, with their training status (R2.2). */
    async team(managerId: string): Promise<TeamMember[]> {
      const rows = await db
        .selectFrom('users')
        .select(['id', 'display_name', 'job_title', 'data_protection_training_on'])
        .where('line_manager_id', '=', managerId)
        .where('active', '=', true)
        .orderBy('display_name')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        displayName: row.display_name,
        jobTitle: row.job_title,
        trainingCompletedOn: row.data_protection_training_on,
        training: statusOf(row.data_protection_training_on),
      }));
    },

    /** The person enrols a new authenticator at their next sign-in. */
    async resetMfa(actor: Authority, userId: string): Promise<void> {
      await change(actor, userId, 'user.mfa_reset', async (user, trx) => {
        await trx
          .updateTable('users')
          .set({
            mfa_secret_sealed: null,
            mfa_enrolled_at: null,
            totp_last_step: null,
            updated_at: clock.now(),
          })
          .where('id', '=', user.id)
          .execute();
        await deleteSessionsOfUser(trx, user.id);
        return {};
      });
    },
  };
}

export type StaffService = ReturnType<typeof staffService>;

function staffQuery(db: Executor) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .leftJoin('users as managers', 'managers.id', 'users.line_manager_id')
    .select([
      'users.id',
      'users.email',
      'users.display_name',
      'users.job_title',
      'users.roles',
      'users.organisation_id',
      'organisations.name as organisation_name',
      'users.line_manager_id',
      'managers.display_name as line_manager_name',
      'users.active',
      'users.mfa_enrolled_at',
      'users.demo',
      'users.created_at',
      'users.data_protection_training_on',
    ]);
}

function toStaffMember(
  row: Awaited<ReturnType<ReturnType<typeof staffQuery>['executeTakeFirstOrThrow']>>,
): StaffMember {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    jobTitle: row.job_title,
    roles: row.roles,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    lineManagerId: row.line_manager_id,
    lineManagerName: row.line_manager_name,
    active: row.active,
    mfaEnrolled: row.mfa_enrolled_at !== null,
    demo: row.demo,
    createdAt: row.created_at,
    trainingCompletedOn: row.data_protection_training_on,
  };
}
