import type { StaffService, Viewer } from '../auth/index.ts';
import type { Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { openablePeople } from './people.access.repository.ts';
import { PersonNotFoundError, PersonReasonRequiredError } from './people.errors.ts';
import type { AccessBasis } from './people.model.ts';
import { findPerson, peopleByIds, type PersonRow } from './people.repository.ts';

/** Roles that see every record of their organisation (R2.5: they oversee its sharing). */
const wholeOrganisationRoles = ['dpo', 'caldicott_guardian'] as const;

/** When several bases hold, the record page names the strongest. */
const basisStrength: Record<AccessBasis, number> = {
  role: 5,
  allocated: 4,
  team: 3,
  'family-member': 2,
  'break-glass': 1,
};

export function seesWholeOrganisation(viewer: Viewer): boolean {
  return wholeOrganisationRoles.some((role) => viewer.roles.includes(role));
}

export function isManager(viewer: Viewer): boolean {
  return viewer.roles.includes('manager');
}

/**
 * Need-to-know (invariant 4): on what basis a viewer may open each record. Shared by every use case
 * of the people capability; it writes nothing, so each caller records what it shows.
 */
export function needToKnow(deps: {
  readonly clock: Clock;
  /** Line managers and their reports, from the staff list (auth owns it). */
  readonly staff: Pick<StaffService, 'reportsOf'>;
}) {
  const { clock, staff } = deps;

  /**
   * The viewer's direct reports in their organisation, when they are a line manager. A team is the
   * people one manages, never one's peers: a colleague's case needs a recorded reason (ADR 0016).
   */
  async function teamOf(viewer: Viewer): Promise<string[]> {
    if (!isManager(viewer)) return [];
    const reports = await staff.reportsOf(viewer.userId);
    return reports
      .filter((report) => report.organisationId === viewer.organisationId)
      .map((report) => report.id);
  }

  /** Everyone the viewer (not a DPO or Caldicott Guardian) may open, with the strongest basis for each. */
  async function openableBy(executor: Executor, viewer: Viewer): Promise<Map<string, AccessBasis>> {
    const rows = await openablePeople(
      executor,
      { userId: viewer.userId, organisationId: viewer.organisationId, team: await teamOf(viewer) },
      clock.now(),
    );
    const openable = new Map<string, AccessBasis>();
    for (const row of rows) {
      const current = openable.get(row.id);
      if (current === undefined || basisStrength[row.basis] > basisStrength[current])
        openable.set(row.id, row.basis);
    }
    return openable;
  }

  /** The basis on which the viewer may open each of these people's records; absent when they may not. */
  async function bases(
    executor: Executor,
    viewer: Viewer,
    personIds: readonly string[],
  ): Promise<Map<string, AccessBasis>> {
    const result = new Map<string, AccessBasis>();
    if (personIds.length === 0) return result;
    if (seesWholeOrganisation(viewer)) {
      for (const row of await peopleByIds(executor, viewer.organisationId, personIds))
        result.set(row.id, 'role');
      return result;
    }
    const openable = await openableBy(executor, viewer);
    for (const id of personIds) {
      const basis = openable.get(id);
      if (basis !== undefined) result.set(id, basis);
    }
    return result;
  }

  /**
   * The person and the viewer's basis. Another organisation's person (or none) is not found; one of
   * the viewer's own organisation they have no relationship to needs a reason first.
   */
  async function access(
    executor: Executor,
    viewer: Viewer,
    personId: string,
  ): Promise<{ row: PersonRow; basis: AccessBasis }> {
    const row = await findPerson(executor, personId);
    if (row === undefined || row.organisation_id !== viewer.organisationId) throw new PersonNotFoundError();
    const basis = (await bases(executor, viewer, [personId])).get(personId);
    if (basis === undefined) throw new PersonReasonRequiredError(personId);
    return { row, basis };
  }

  return { teamOf, openableBy, bases, access };
}

export type NeedToKnow = ReturnType<typeof needToKnow>;
