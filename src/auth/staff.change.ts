import type { AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { confinedTo, type Authority } from './staff.authority.ts';
import { StaffNotFoundError } from './staff.errors.ts';
import { lockUser, type UserRow } from './users.repository.ts';

export interface StaffDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  /** How long data protection training stays valid: the policy pack's sharing.trainingValidMonths (R1.1, R2.2). */
  readonly trainingValidMonths: number;
}

/**
 * A change to one member of staff, only within the authority's organisation (ADR 0011): the person
 * is locked, the change applied and its audit event written in one transaction.
 */
export async function changeStaff(
  deps: StaffDependencies,
  actor: Authority,
  userId: string,
  action: string,
  apply: (user: UserRow, trx: Executor) => Promise<Record<string, string | boolean | null | string[]>>,
): Promise<void> {
  const scope = confinedTo(actor);
  await deps.db.transaction().execute(async (trx) => {
    const user = await lockUser(trx, userId);
    if (user === undefined || (scope !== undefined && user.organisation_id !== scope))
      throw new StaffNotFoundError();
    const recorded = await apply(user, trx);
    await deps.audit.record(trx, {
      organisationId: user.organisation_id,
      actor,
      action,
      entity: { type: 'user', id: user.id },
      change: recorded,
    });
  });
}
