import type { Executor } from '../db/client.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { Role } from '../lib/roles.ts';
import { deleteSessionsOfUser } from './sessions.repository.ts';
import { confinedTo, holdsRole, type Authority } from './staff.authority.ts';
import { changeStaff, type StaffDependencies } from './staff.change.ts';
import { StaffRuleError } from './staff.errors.ts';
import {
  findLineManager,
  findStaff,
  listStaff,
  organisationIsHosted,
  staffCounts,
  type StaffRow,
} from './staff.repository.ts';
import { staffLookupsService } from './staff.lookups.service.ts';
import { staffTrainingService } from './staff.training.service.ts';
import { findUserByEmail, findUserById, insertUser, updateUser, type UserRow } from './users.repository.ts';

export { StaffNotFoundError, StaffRuleError } from './staff.errors.ts';
export type { StaffDependencies } from './staff.change.ts';

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

/** Only a platform operator may give or take away the platform operator role, so no administrator can raise themselves to it. */
const operatorRole = 'platform_operator' satisfies Role;

function checkOperatorRole(authority: Authority, before: readonly Role[], after: readonly Role[]): void {
  if (before.includes(operatorRole) === after.includes(operatorRole) || holdsRole(authority, operatorRole))
    return;
  throw new StaffRuleError(
    'roles',
    'STAFF.OPERATOR_ROLE_RESERVED',
    'Only a platform operator can give or remove the platform operator role',
  );
}

export function staffService(deps: StaffDependencies) {
  const { db, clock, audit } = deps;

  async function checkLineManager(
    executor: Executor,
    details: StaffDetails,
    userId: string | undefined,
  ): Promise<void> {
    if (details.lineManagerId === null) return;
    if (details.lineManagerId === userId)
      throw new StaffRuleError(
        'lineManagerId',
        'STAFF.OWN_LINE_MANAGER',
        'A person cannot be their own line manager',
      );
    const manager = await findUserById(executor, details.lineManagerId);
    if (manager === undefined || !manager.active)
      throw new StaffRuleError(
        'lineManagerId',
        'STAFF.MANAGER_INACTIVE',
        'Select an active member of staff as line manager',
      );
    if (manager.organisation_id !== details.organisationId) {
      throw new StaffRuleError(
        'lineManagerId',
        'STAFF.MANAGER_OTHER_ORGANISATION',
        'The line manager must work for the same organisation',
      );
    }
    // Walk up the chain: the new manager must not report (directly or not) to this person.
    let current: UserRow | undefined = manager;
    for (let depth = 0; current !== undefined && depth < 50; depth += 1) {
      if (current.line_manager_id === null) return;
      if (current.line_manager_id === userId) {
        throw new StaffRuleError(
          'lineManagerId',
          'STAFF.MANAGER_LOOP',
          'That choice would make a loop of line managers',
        );
      }
      current = await findUserById(executor, current.line_manager_id);
    }
  }

  async function checkOrganisation(executor: Executor, organisationId: string): Promise<void> {
    if (!(await organisationIsHosted(executor, organisationId))) {
      throw new StaffRuleError(
        'organisationId',
        'STAFF.ORGANISATION_NOT_HOSTED',
        'Select an organisation whose staff use Safeshare',
      );
    }
  }

  const change = (
    actor: Authority,
    userId: string,
    action: string,
    apply: Parameters<typeof changeStaff>[4],
  ) => changeStaff(deps, actor, userId, action, apply);

  return {
    ...staffTrainingService(deps),
    ...staffLookupsService(deps),

    /** One organisation's staff: there is no list across organisations (ADR 0011). */
    async list(filter: { readonly organisationId: string }): Promise<StaffMember[]> {
      return (await listStaff(db, filter.organisationId)).map(toStaffMember);
    },

    /** A member of staff of this organisation (active or not), if they are one. */
    async member(organisationId: string, id: string): Promise<StaffMember | undefined> {
      const row = await findStaff(db, id, organisationId);
      return row === undefined ? undefined : toStaffMember(row);
    },

    /** The line manager a member of staff has in their own organisation, if any. */
    async lineManagerOf(organisationId: string, userId: string): Promise<StaffMember | undefined> {
      const row = await findLineManager(db, organisationId, userId);
      return row === undefined ? undefined : toStaffMember(row);
    },

    /** How many of an organisation's accounts are active, active without an authenticator, and deactivated. */
    counts(organisationId: string): Promise<{ active: number; notEnrolled: number; inactive: number }> {
      return staffCounts(db, organisationId);
    },

    /** A member of staff, if the authority reaches their organisation; otherwise undefined, as for an unknown id. */
    async find(authority: Authority, id: string): Promise<StaffMember | undefined> {
      const row = await findStaff(db, id, confinedTo(authority));
      return row === undefined ? undefined : toStaffMember(row);
    },

    async create(actor: Authority, input: NewStaff): Promise<string> {
      const scope = confinedTo(actor);
      if (scope !== undefined && input.organisationId !== scope) {
        throw new StaffRuleError(
          'organisationId',
          'STAFF.OTHER_ORGANISATION',
          'You can only create accounts for staff of your own organisation',
        );
      }
      checkOperatorRole(actor, [], input.roles);
      const problem = passwordProblem(input.password);
      if (problem !== undefined) throw new StaffRuleError('password', 'STAFF.PASSWORD_REFUSED', problem);
      const email = input.email.trim().toLowerCase();
      const passwordHash = await hashPassword(input.password);
      return db.transaction().execute(async (trx) => {
        await checkOrganisation(trx, input.organisationId);
        if ((await findUserByEmail(trx, email)) !== undefined) {
          throw new StaffRuleError(
            'email',
            'STAFF.EMAIL_TAKEN',
            'A member of staff already has that email address',
          );
        }
        await checkLineManager(trx, input, undefined);
        const now = clock.now();
        const id = await insertUser(trx, {
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
        });
        await audit.record(trx, {
          organisationId: input.organisationId,
          actor,
          action: 'user.created',
          entity: { type: 'user', id },
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
        return id;
      });
    },

    async update(actor: Authority, userId: string, details: StaffDetails): Promise<void> {
      const scope = confinedTo(actor);
      await change(actor, userId, 'user.updated', async (user, trx) => {
        if (scope !== undefined && details.organisationId !== user.organisation_id) {
          throw new StaffRuleError(
            'organisationId',
            'STAFF.MOVE_REFUSED',
            'You cannot move staff to another organisation',
          );
        }
        checkOperatorRole(actor, user.roles, details.roles);
        await checkOrganisation(trx, details.organisationId);
        await checkLineManager(trx, details, user.id);
        if (actor.userId === user.id && user.roles.includes('admin') && !details.roles.includes('admin')) {
          throw new StaffRuleError(
            'roles',
            'STAFF.OWN_ADMIN_ROLE',
            'You cannot remove your own administrator role',
          );
        }
        await updateUser(trx, user.id, {
          organisation_id: details.organisationId,
          display_name: details.displayName,
          job_title: details.jobTitle,
          roles: [...details.roles],
          line_manager_id: details.lineManagerId,
          updated_at: clock.now(),
        });
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
          throw new StaffRuleError(
            'user',
            'STAFF.OWN_DEACTIVATION',
            'You cannot deactivate your own account',
          );
        await updateUser(trx, user.id, { active, updated_at: clock.now() });
        if (!active) await deleteSessionsOfUser(trx, user.id);
        return { active };
      });
    },

    async resetPassword(actor: Authority, userId: string, password: string): Promise<void> {
      const problem = passwordProblem(password);
      if (problem !== undefined) throw new StaffRuleError('password', 'STAFF.PASSWORD_REFUSED', problem);
      const passwordHash = await hashPassword(password);
      await change(actor, userId, 'user.password_reset', async (user, trx) => {
        // The person replaces a password someone else chose at their next sign-in (demo accounts never do).
        const mustChangePassword = !user.demo && actor.userId !== user.id;
        await updateUser(trx, user.id, {
          password_hash: passwordHash,
          must_change_password: mustChangePassword,
          updated_at: clock.now(),
        });
        await deleteSessionsOfUser(trx, user.id);
        return { mustChangePassword };
      });
    },

    /** The person enrols a new authenticator at their next sign-in. */
    async resetMfa(actor: Authority, userId: string): Promise<void> {
      await change(actor, userId, 'user.mfa_reset', async (user, trx) => {
        await updateUser(trx, user.id, {
          mfa_secret_sealed: null,
          mfa_enrolled_at: null,
          totp_last_step: null,
          updated_at: clock.now(),
        });
        await deleteSessionsOfUser(trx, user.id);
        return {};
      });
    },
  };
}

export type StaffService = ReturnType<typeof staffService>;

function toStaffMember(row: StaffRow): StaffMember {
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
