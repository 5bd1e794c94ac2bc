import type { Db } from '../db/client.ts';
import type { Role } from '../lib/roles.ts';
import {
  activeAmong,
  activeHolders,
  colleague,
  colleagues,
  reportsOf,
  type ColleagueRow,
} from './staff.repository.ts';

/** A member of staff as other capabilities' services read them (never shown to another organisation). */
export interface Colleague {
  readonly id: string;
  readonly displayName: string;
  readonly organisationId: string;
  readonly lineManagerId: string | null;
  readonly roles: readonly Role[];
  readonly active: boolean;
}

function toColleague(row: ColleagueRow): Colleague {
  return {
    id: row.id,
    displayName: row.display_name,
    organisationId: row.organisation_id,
    lineManagerId: row.line_manager_id,
    roles: row.roles,
    active: row.active,
  };
}

/**
 * What other capabilities ask of the staff list when they decide who may see or is told what: a
 * colleague, a line manager's reports, the holders of a role, who is still active. Only services
 * call these, for decisions of their own; no route exposes them.
 */
export function staffLookupsService(deps: { readonly db: Db }) {
  const { db } = deps;
  return {
    async colleague(userId: string): Promise<Colleague | undefined> {
      const row = await colleague(db, userId);
      return row === undefined ? undefined : toColleague(row);
    },

    /** These members of staff, those that exist, in no particular order. */
    async colleagues(ids: readonly string[]): Promise<Colleague[]> {
      return (await colleagues(db, ids)).map(toColleague);
    },

    /** Everyone who reports to the line manager, active or not, by name. */
    async reportsOf(managerId: string): Promise<Colleague[]> {
      return (await reportsOf(db, managerId)).map(toColleague);
    },

    /** The active holders of a role in an organisation (its Data Protection Officers, say). */
    activeHolders(organisationId: string, role: Role): Promise<string[]> {
      return activeHolders(db, organisationId, role);
    },

    /** Which of these members of staff are active. */
    activeAmong(ids: readonly string[]): Promise<Set<string>> {
      return activeAmong(db, ids);
    },
  };
}
