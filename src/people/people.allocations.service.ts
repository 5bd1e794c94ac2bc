import type { AuditActor, AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { isManager, type NeedToKnow } from './people.access.ts';
import {
  allocatedPeopleIds,
  caseload,
  openAllocationsOf,
  endAllocation,
  insertAllocation,
  lockOpenAllocation,
  type CaseloadRow,
} from './people.allocations.repository.ts';
import { NotFoundError } from '../lib/errors.ts';
import { peopleErrorCodes, PeopleRuleError, withUniqueRules } from './people.errors.ts';
import { toSummary, type CaseloadEntry } from './people.model.ts';
import type { PeopleTransaction } from './people.repository.ts';

const caseloadLimit = 500;

interface AllocationDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly access: NeedToKnow;
  readonly staff: Pick<StaffService, 'colleague' | 'reportsOf'>;
}

/** Allocates a member of staff to a person, with its audit event, in the caller's transaction. */
export async function allocateIn(
  deps: Pick<AllocationDependencies, 'clock' | 'audit'>,
  trx: PeopleTransaction,
  actor: AuditActor,
  organisationId: string,
  personId: string,
  member: { readonly id: string; readonly displayName: string },
): Promise<void> {
  const allocationId = await insertAllocation(
    trx,
    { organisationId, personId, userId: member.id },
    deps.clock.now(),
  );
  await deps.audit.record(trx, {
    organisationId,
    actor,
    action: 'person.allocated',
    entity: { type: 'allocation', id: allocationId },
    personId,
    change: { userId: member.id, userName: member.displayName },
  });
}

/** Allocations: who holds a person's case (line managers allocate their team), and caseloads. */
export function allocationsService(deps: AllocationDependencies) {
  const { db, clock, audit, access, staff } = deps;

  /** The member of staff a line manager may allocate: themselves or a direct report, active, doing casework. */
  async function allocatable(viewer: Viewer, userId: string) {
    const member = await staff.colleague(userId);
    const doesCasework =
      member !== undefined && member.roles.some((role) => role === 'practitioner' || role === 'manager');
    if (
      member === undefined ||
      !member.active ||
      !doesCasework ||
      member.organisationId !== viewer.organisationId ||
      (member.id !== viewer.userId && member.lineManagerId !== viewer.userId)
    ) {
      throw new PeopleRuleError(
        peopleErrorCodes.notAllocatable,
        'userId',
        'Select a member of your team from the list',
      );
    }
    return member;
  }

  return {
    /** People with an open allocation to any of these members of staff: for caseload and team lists. */
    allocatedPeopleIds(userIds: readonly string[]): Promise<string[]> {
      return allocatedPeopleIds(db, userIds);
    },

    /** Who holds each person's case now: their open allocations, as member of staff ids per person. */
    async allocatedTo(personIds: readonly string[]): Promise<Map<string, string[]>> {
      const holders = new Map<string, string[]>();
      for (const row of await openAllocationsOf(db, personIds))
        holders.set(row.person_id, [...(holders.get(row.person_id) ?? []), row.user_id]);
      return holders;
    },

    /** Who a line manager may allocate: themselves and their direct reports who do casework. */
    async allocationChoices(viewer: Viewer): Promise<{ id: string; name: string }[]> {
      if (!isManager(viewer)) return [];
      const reports = (await staff.reportsOf(viewer.userId)).filter(
        (report) =>
          report.active &&
          report.organisationId === viewer.organisationId &&
          report.roles.some((role) => role === 'practitioner' || role === 'manager'),
      );
      return [
        { id: viewer.userId, name: `${viewer.displayName} (you)` },
        ...reports.map((report) => ({ id: report.id, name: report.displayName })),
      ];
    },

    /** A line manager allocates a member of their team (or themselves) to the person. */
    async allocate(viewer: Viewer, personId: string, userId: string): Promise<void> {
      if (!isManager(viewer))
        throw new PeopleRuleError(
          peopleErrorCodes.managersOnly,
          'userId',
          'Only a line manager can allocate',
        );
      await withUniqueRules(
        db.transaction().execute(async (trx) => {
          const { row } = await access.access(trx, viewer, personId);
          const member = await allocatable(viewer, userId);
          await allocateIn(deps, trx, actorOf(viewer), row.organisation_id, personId, member);
        }),
      );
    },

    /**
     * A line manager ends an open allocation of their own or of one of their direct reports. An
     * allocation that is not open, or not this person's, is not found.
     */
    async endAllocation(viewer: Viewer, personId: string, allocationId: string): Promise<void> {
      if (!isManager(viewer))
        throw new PeopleRuleError(
          peopleErrorCodes.managersOnly,
          'allocation',
          'Only a line manager can end an allocation',
        );
      await db.transaction().execute(async (trx) => {
        const { row } = await access.access(trx, viewer, personId);
        const allocation = await lockOpenAllocation(trx, personId, allocationId);
        if (allocation === undefined) throw new NotFoundError('no such open allocation');
        if (allocation.user_id !== viewer.userId && allocation.line_manager_id !== viewer.userId) {
          throw new PeopleRuleError(
            peopleErrorCodes.notOwnTeam,
            'allocation',
            'You can end allocations of your own team only',
          );
        }
        await endAllocation(trx, allocationId, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'person.allocation_ended',
          entity: { type: 'allocation', id: allocationId },
          personId,
          change: { userId: allocation.user_id, userName: allocation.user_name },
        });
      });
    },

    /** The viewer's own caseload, and (for a line manager) their direct reports'. */
    async caseload(viewer: Viewer): Promise<{ mine: CaseloadEntry[]; team: CaseloadEntry[] }> {
      const team = await access.teamOf(viewer);
      const [mine, theirs] = await Promise.all([
        caseload(db, viewer.organisationId, [viewer.userId], caseloadLimit),
        caseload(db, viewer.organisationId, team, caseloadLimit),
      ]);
      const entry = (row: CaseloadRow): CaseloadEntry => ({
        person: toSummary(row),
        allocationId: row.allocation_id,
        userName: row.user_name,
        startedAt: row.started_at,
      });
      return { mine: mine.map(entry), team: theirs.map(entry) };
    },
  };
}
