import type { Transaction } from 'kysely';
import type { AuditActor, AuditService } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { parseNhsNumber } from './nhs-number.ts';
import * as store from './people.repository.ts';
import type { NewRelative, PersonDetails, SearchCriteria } from './people.schema.ts';
import type { Relationship } from './people.table.ts';
import { compactUpn, isValidUpn } from './upn.ts';

/** What other capabilities know of a person. */
export interface PersonSummary {
  readonly id: string;
  readonly organisationId: string;
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs: string | null;
  readonly dateOfBirth: string | null;
  readonly nhsNumber: string | null;
  readonly localReference: string | null;
}

/** Everything the record page shows of a person. */
export interface PersonRecord extends PersonSummary {
  readonly upn: string | null;
  readonly externalId: string | null;
  readonly addressLine1: string | null;
  readonly addressLine2: string | null;
  readonly town: string | null;
  readonly postcode: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * Why the viewer may open a record (invariant 4): their role (DPO, Caldicott Guardian), an
 * allocation to them, to one of their team (a line manager), a one-step family relationship to a
 * person allocated to either, or a recorded reason for access ("break-glass") that has not expired.
 */
export type AccessBasis = 'role' | 'allocated' | 'team' | 'family-member' | 'break-glass';

/** Who a relative is to this person, and whether they have parental responsibility for this person. */
export interface Relative {
  readonly person: PersonSummary;
  readonly relationship: Relationship;
  readonly parentalResponsibility: boolean;
  /** The relationship in words, from this person's side: "Mother", "Parent", "Brother or sister". */
  readonly label: string;
  readonly relationshipId: string;
}

export interface Allocation {
  readonly id: string;
  readonly userId: string;
  readonly userName: string;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  /** Whether the viewer (a line manager) may end it: their own, or one of their direct reports'. */
  readonly endable: boolean;
}

export interface PersonView {
  readonly person: PersonRecord;
  readonly basis: AccessBasis;
  /** When the viewer's reason for access runs out, if that is what opened the record. */
  readonly reasonExpiresAt: Date | null;
  readonly relatives: readonly Relative[];
  readonly allocations: readonly Allocation[];
}

export type PersonPage = 'record' | 'edit' | 'add-family-member';

export interface CaseloadEntry {
  readonly person: PersonSummary;
  readonly allocationId: string;
  readonly userName: string;
  readonly startedAt: Date;
}

export interface SearchResults {
  /** Matches the viewer may open, closest first. */
  readonly matches: readonly PersonSummary[];
  /** Matches the viewer has no legitimate relationship to: ids only, never who they are. */
  readonly restricted: readonly string[];
  /** More people matched than are shown. */
  readonly more: boolean;
  /** A 10-digit number that is not a valid NHS number matched nothing: say so. */
  readonly invalidNhsNumber: boolean;
}

export interface AccessReview {
  readonly id: string;
  readonly personId: string;
  readonly userName: string;
  readonly reason: string;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
  readonly reviewedAt: Date | null;
  readonly reviewerName: string | null;
  readonly reviewable: boolean;
}

/**
 * The viewer may not open the record: `not-found` when it does not exist or belongs to another
 * organisation (answered exactly like a record that does not exist), `needs-reason` when it is
 * theirs to open only with a recorded reason.
 */
export class PersonAccessError extends Error {
  override readonly name = 'PersonAccessError';
  constructor(readonly kind: 'not-found' | 'needs-reason') {
    super(kind === 'not-found' ? 'no such person' : 'no legitimate relationship to the record');
  }
}

/** A rule the answers break, with the field it concerns. */
export class PeopleRuleError extends Error {
  override readonly name = 'PeopleRuleError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export const relationshipNames: Record<Relationship, string> = {
  mother: 'Mother',
  father: 'Father',
  step_parent: 'Step-parent',
  carer_with_parental_responsibility: 'Carer with parental responsibility',
  foster_carer: 'Foster carer',
  special_guardian: 'Special guardian',
  grandparent: 'Grandparent',
  sibling: 'Brother or sister',
  half_sibling: 'Half-brother or half-sister',
  aunt_or_uncle: 'Aunt or uncle',
  child: 'Child',
  partner_of_parent: 'Partner of a parent',
  other_relative: 'Other relative',
  other: 'Other',
};

/**
 * A relationship row reads "the related person is the person's <relationship>". Its parental
 * responsibility flag belongs to the parent or carer in the pair: the related person, except in a
 * `child` row, where the person is the parent. Seen from the related person's side, the
 * relationship is turned round.
 */
const parentLike: readonly Relationship[] = [
  'mother',
  'father',
  'step_parent',
  'carer_with_parental_responsibility',
  'foster_carer',
  'special_guardian',
  'partner_of_parent',
];

function fromOtherSide(
  relationship: Relationship,
  responsibility: boolean,
): { relationship: Relationship; label: string } {
  if (parentLike.includes(relationship)) return { relationship: 'child', label: 'Child' };
  switch (relationship) {
    case 'sibling':
    case 'half_sibling':
    case 'other_relative':
    case 'other':
      return { relationship, label: relationshipNames[relationship] };
    case 'child':
      return responsibility
        ? {
            relationship: 'carer_with_parental_responsibility',
            label: 'Parent (with parental responsibility)',
          }
        : { relationship: 'other_relative', label: 'Parent' };
    case 'grandparent':
      return { relationship: 'other_relative', label: 'Grandchild' };
    case 'aunt_or_uncle':
      return { relationship: 'other_relative', label: 'Niece or nephew' };
    default:
      return { relationship: 'other', label: relationshipNames.other };
  }
}

function toSummary(row: store.PersonRow): PersonSummary {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    givenNames: row.given_names,
    familyName: row.family_name,
    knownAs: row.known_as,
    dateOfBirth: row.date_of_birth,
    nhsNumber: row.nhs_number,
    localReference: row.local_reference,
  };
}

function toRecord(row: store.PersonRecordRow): PersonRecord {
  return {
    ...toSummary(row),
    upn: row.upn,
    externalId: row.external_id,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    town: row.town,
    postcode: row.postcode,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRelative(row: store.RelationshipRow): Relative {
  if (row.forward) {
    return {
      person: toSummary(row.relative),
      relationship: row.relationship,
      parentalResponsibility: row.relationship !== 'child' && row.parental_responsibility,
      label: relationshipNames[row.relationship],
      relationshipId: row.id,
    };
  }
  const turned = fromOtherSide(row.relationship, row.parental_responsibility);
  return {
    person: toSummary(row.relative),
    relationship: turned.relationship,
    parentalResponsibility: row.relationship === 'child' && row.parental_responsibility,
    label: turned.label,
    relationshipId: row.id,
  };
}

/** A reason for access lasts a day: long enough for the work, short enough to need giving again. */
export const breakGlassHours = 24;
/** Shown in the search results; the rest is "more match: add details". */
export const searchResultsShown = 50;
/** Candidates ranked for a search of several words (those matching every word). */
const candidatesConsidered = 200;
const wordsConsidered = 5;
const caseloadLimit = 500;

const wholeOrganisationRoles = ['dpo', 'caldicott_guardian'] as const;

/** When several bases hold, the record page names the strongest. */
const basisStrength: Record<AccessBasis, number> = {
  role: 5,
  allocated: 4,
  team: 3,
  'family-member': 2,
  'break-glass': 1,
};

function seesWholeOrganisation(viewer: Viewer): boolean {
  return wholeOrganisationRoles.some((role) => viewer.roles.includes(role));
}

function isManager(viewer: Viewer): boolean {
  return viewer.roles.includes('manager');
}

/** Unique-index names that mean a rule, not a fault (two people typing at once). */
function asRule(error: unknown): PeopleRuleError | undefined {
  const constraint =
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error
      ? error.constraint
      : undefined;
  if (constraint === 'people_organisation_nhs_number_key')
    return new PeopleRuleError(
      'nhsNumber',
      'A record with this NHS number already exists: search for it instead',
    );
  if (constraint === 'allocations_open_key')
    return new PeopleRuleError('userId', 'They are already allocated to this person');
  if (constraint === 'person_relationships_pair_key')
    return new PeopleRuleError('relationship', 'These two people are already linked');
  return undefined;
}

async function rulesOf<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw asRule(error) ?? error;
  }
}

export function peopleService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly notifications: Pick<NotificationsService, 'notify'>;
}) {
  const { db, clock, audit, notifications } = deps;

  async function teamOf(executor: Executor, viewer: Viewer): Promise<string[]> {
    if (!isManager(viewer)) return [];
    const reports = await store.directReports(executor, viewer.userId);
    return reports
      .filter((report) => report.organisation_id === viewer.organisationId)
      .map((report) => report.id);
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
      for (const row of await store.peopleByIds(executor, viewer.organisationId, personIds))
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

  /** Everyone the viewer (not a DPO or Caldicott Guardian) may open, with the strongest basis for each. */
  async function openableBy(executor: Executor, viewer: Viewer): Promise<Map<string, AccessBasis>> {
    const rows = await store.openablePeople(
      executor,
      { userId: viewer.userId, organisationId: viewer.organisationId, withTeam: isManager(viewer) },
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

  /** The person and the viewer's basis, or PersonAccessError. Another organisation's person does not exist. */
  async function access(
    executor: Executor,
    viewer: Viewer,
    personId: string,
  ): Promise<{ row: store.PersonRow; basis: AccessBasis }> {
    const row = await store.findPerson(executor, personId);
    if (row === undefined || row.organisation_id !== viewer.organisationId)
      throw new PersonAccessError('not-found');
    const basis = (await bases(executor, viewer, [personId])).get(personId);
    if (basis === undefined) throw new PersonAccessError('needs-reason');
    return { row, basis };
  }

  async function relativesOf(executor: Executor, personId: string): Promise<Relative[]> {
    const rows = await store.relationshipsOf(executor, personId);
    return rows
      .map(toRelative)
      .sort(
        (a, b) =>
          a.person.familyName.localeCompare(b.person.familyName) ||
          a.person.givenNames.localeCompare(b.person.givenNames),
      );
  }

  async function recordCreated(
    trx: Transaction<Database>,
    actor: AuditActor,
    organisationId: string,
    personId: string,
    details: PersonDetails,
  ): Promise<void> {
    await audit.record(trx, {
      organisationId,
      actor,
      action: 'person.created',
      entity: { type: 'person', id: personId },
      personId,
      change: { ...details },
    });
  }

  async function allocateIn(
    trx: Transaction<Database>,
    actor: AuditActor,
    organisationId: string,
    personId: string,
    member: { id: string; display_name: string },
  ): Promise<void> {
    const allocationId = await store.insertAllocation(
      trx,
      { organisationId, personId, userId: member.id },
      clock.now(),
    );
    await audit.record(trx, {
      organisationId,
      actor,
      action: 'person.allocated',
      entity: { type: 'allocation', id: allocationId },
      personId,
      change: { userId: member.id, userName: member.display_name },
    });
  }

  /** The member of staff a line manager may allocate: themselves or a direct report, active, doing casework. */
  async function allocatable(executor: Executor, viewer: Viewer, userId: string) {
    const member = await store.staffMember(executor, userId);
    const doesCasework =
      member !== undefined && member.roles.some((role) => role === 'practitioner' || role === 'manager');
    if (
      member === undefined ||
      !member.active ||
      !doesCasework ||
      member.organisation_id !== viewer.organisationId ||
      (member.id !== viewer.userId && member.line_manager_id !== viewer.userId)
    ) {
      throw new PeopleRuleError('userId', 'Select a member of your team from the list');
    }
    return member;
  }

  const service = {
    /**
     * The person, when the viewer has a legitimate relationship to their record; otherwise throws
     * PersonAccessError. Writes no audit event: the caller records what it shows.
     */
    async requireAccess(viewer: Viewer, personId: string): Promise<PersonSummary> {
      const { row } = await access(db, viewer, personId);
      return toSummary(row);
    },

    /** The viewer's basis for opening the record, or PersonAccessError. */
    async basis(viewer: Viewer, personId: string): Promise<AccessBasis> {
      return (await access(db, viewer, personId)).basis;
    },

    /** People related to this person (one step, either direction), after requireAccess. */
    async relatives(viewer: Viewer, personId: string): Promise<Relative[]> {
      await access(db, viewer, personId);
      return relativesOf(db, personId);
    },

    /** People with an open allocation to any of these members of staff: for caseload and team lists. */
    allocatedPeopleIds(userIds: readonly string[]): Promise<string[]> {
      return store.allocatedPeopleIds(db, userIds);
    },

    /**
     * Opens a person's record for a page: checks the viewer's basis, reads the record, and writes
     * `person.viewed` with the basis, all in one transaction (invariant 4).
     */
    async open(viewer: Viewer, personId: string, page: PersonPage): Promise<PersonView> {
      return db.transaction().execute(async (trx) => {
        const { basis } = await access(trx, viewer, personId);
        const row = await store.findPersonRecord(trx, personId);
        if (row === undefined) throw new PersonAccessError('not-found');
        const [relatives, allocationRows, reasonExpiresAt, team] = await Promise.all([
          relativesOf(trx, personId),
          store.allocationsOf(trx, personId),
          basis === 'break-glass'
            ? store.latestGrantExpiry(trx, viewer.userId, personId, clock.now())
            : Promise.resolve(undefined),
          teamOf(trx, viewer),
        ]);
        const teamIds = new Set(team);
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'person.viewed',
          entity: { type: 'person', id: personId },
          personId,
          change: { basis, page },
        });
        return {
          person: toRecord(row),
          basis,
          reasonExpiresAt: reasonExpiresAt ?? null,
          relatives,
          allocations: allocationRows.map((allocation) => ({
            id: allocation.id,
            userId: allocation.user_id,
            userName: allocation.user_name,
            startedAt: allocation.started_at,
            endedAt: allocation.ended_at,
            endable:
              isManager(viewer) &&
              allocation.ended_at === null &&
              (allocation.user_id === viewer.userId || teamIds.has(allocation.user_id)),
          })),
        };
      });
    },

    /** Adds a person to the viewer's organisation and allocates them to the viewer, who can then open the record. */
    async create(viewer: Viewer, details: PersonDetails): Promise<string> {
      return service.register(actorOf(viewer), viewer.organisationId, details, { allocateTo: viewer.userId });
    },

    /** Adds a person on behalf of someone (fixtures, imports, demo data), optionally allocated to a member of staff. */
    async register(
      actor: AuditActor,
      organisationId: string,
      details: PersonDetails,
      options: { readonly allocateTo?: string } = {},
    ): Promise<string> {
      return rulesOf(
        db.transaction().execute(async (trx) => {
          const id = await store.insertPerson(trx, organisationId, details, clock.now());
          await recordCreated(trx, actor, organisationId, id, details);
          if (options.allocateTo !== undefined) {
            const member = await store.staffMember(trx, options.allocateTo);
            if (member === undefined || member.organisation_id !== organisationId)
              throw new PeopleRuleError('userId', 'Select a member of staff of the same organisation');
            await allocateIn(trx, actor, organisationId, id, member);
          }
          return id;
        }),
      );
    },

    async update(viewer: Viewer, personId: string, details: PersonDetails): Promise<void> {
      await rulesOf(
        db.transaction().execute(async (trx) => {
          await access(trx, viewer, personId);
          const before = await store.findPersonRecord(trx, personId, true);
          if (before === undefined) throw new PersonAccessError('not-found');
          await store.updatePerson(trx, personId, details, clock.now());
          const previous: Record<string, string | null> = {
            givenNames: before.given_names,
            familyName: before.family_name,
            knownAs: before.known_as,
            dateOfBirth: before.date_of_birth,
            nhsNumber: before.nhs_number,
            localReference: before.local_reference,
            upn: before.upn,
            externalId: before.external_id,
            addressLine1: before.address_line1,
            addressLine2: before.address_line2,
            town: before.town,
            postcode: before.postcode,
          };
          const changed = Object.fromEntries(
            Object.entries(details).filter(([key, value]) => previous[key] !== value),
          );
          await audit.record(trx, {
            organisationId: before.organisation_id,
            actor: actorOf(viewer),
            action: 'person.updated',
            entity: { type: 'person', id: personId },
            personId,
            change: { ...changed },
          });
        }),
      );
    },

    /**
     * Links a family member to the person: someone already in the organisation's records (whom the
     * viewer may open: linking must not become a way round need-to-know), or someone new.
     */
    async addRelative(viewer: Viewer, personId: string, relative: NewRelative): Promise<string> {
      const identifierField = relative.kind === 'existing' ? 'identifier' : 'relationship';
      return rulesOf(
        db.transaction().execute(async (trx) => {
          const { row: person } = await access(trx, viewer, personId);
          const actor = actorOf(viewer);
          const now = clock.now();
          let relativeId: string;
          if (relative.kind === 'existing') {
            const matches = await store.peopleByIdentifier(trx, person.organisation_id, {
              nhsNumber: parseNhsNumber(relative.identifier) ?? null,
              reference: relative.identifier.trim(),
            });
            const openable = await bases(
              trx,
              viewer,
              matches.map((match) => match.id),
            );
            const candidates = matches.filter((match) => openable.has(match.id));
            const [only, another] = candidates;
            if (only === undefined) {
              throw new PeopleRuleError(
                identifierField,
                'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
              );
            }
            if (another !== undefined)
              throw new PeopleRuleError(
                identifierField,
                'More than one record has that case reference: use their NHS number',
              );
            relativeId = only.id;
            if (relativeId === personId)
              throw new PeopleRuleError(identifierField, 'A person cannot be their own family member');
          } else {
            relativeId = await store.insertPerson(trx, person.organisation_id, relative.details, now);
          }
          if (await store.linked(trx, personId, relativeId))
            throw new PeopleRuleError(
              relative.kind === 'existing' ? 'existingRelationship' : 'relationship',
              'These two people are already linked',
            );
          const relationshipId = await store.insertRelationship(
            trx,
            {
              organisationId: person.organisation_id,
              personId,
              relatedPersonId: relativeId,
              relationship: relative.relationship,
              parentalResponsibility: relative.parentalResponsibility,
            },
            now,
          );
          if (relative.kind === 'new')
            await recordCreated(trx, actor, person.organisation_id, relativeId, relative.details);
          const change = {
            personId,
            relatedPersonId: relativeId,
            relationship: relative.relationship,
            parentalResponsibility: relative.parentalResponsibility,
          };
          // One event in each person's trail: the link is part of both records.
          for (const concerned of [personId, relativeId]) {
            await audit.record(trx, {
              organisationId: person.organisation_id,
              actor,
              action: 'person.relationship_added',
              entity: { type: 'person_relationship', id: relationshipId },
              personId: concerned,
              change,
            });
          }
          return relativeId;
        }),
      );
    },

    /** Who a line manager may allocate: themselves and their direct reports who do casework. */
    async allocationChoices(viewer: Viewer): Promise<{ id: string; name: string }[]> {
      if (!isManager(viewer)) return [];
      const reports = (await store.directReports(db, viewer.userId)).filter(
        (report) =>
          report.active &&
          report.organisation_id === viewer.organisationId &&
          report.roles.some((role) => role === 'practitioner' || role === 'manager'),
      );
      return [
        { id: viewer.userId, name: `${viewer.displayName} (you)` },
        ...reports.map((report) => ({ id: report.id, name: report.display_name })),
      ];
    },

    /** A line manager allocates a member of their team (or themselves) to the person. */
    async allocate(viewer: Viewer, personId: string, userId: string): Promise<void> {
      if (!isManager(viewer)) throw new PeopleRuleError('userId', 'Only a line manager can allocate');
      await rulesOf(
        db.transaction().execute(async (trx) => {
          const { row } = await access(trx, viewer, personId);
          const member = await allocatable(trx, viewer, userId);
          await allocateIn(trx, actorOf(viewer), row.organisation_id, personId, member);
        }),
      );
    },

    /** A line manager ends an open allocation of their own or of one of their direct reports. */
    async endAllocation(
      viewer: Viewer,
      personId: string,
      allocationId: string,
    ): Promise<'ended' | 'not-found'> {
      if (!isManager(viewer))
        throw new PeopleRuleError('allocation', 'Only a line manager can end an allocation');
      return db.transaction().execute(async (trx) => {
        const { row } = await access(trx, viewer, personId);
        const allocation = await store.lockOpenAllocation(trx, personId, allocationId);
        if (allocation === undefined) return 'not-found';
        if (allocation.user_id !== viewer.userId && allocation.line_manager_id !== viewer.userId) {
          throw new PeopleRuleError('allocation', 'You can end allocations of your own team only');
        }
        await store.endAllocation(trx, allocationId, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'person.allocation_ended',
          entity: { type: 'allocation', id: allocationId },
          personId,
          change: { userId: allocation.user_id, userName: allocation.user_name },
        });
        return 'ended';
      });
    },

    /** The viewer's own caseload, and (for a line manager) their direct reports'. */
    async caseload(viewer: Viewer): Promise<{ mine: CaseloadEntry[]; team: CaseloadEntry[] }> {
      const team = await teamOf(db, viewer);
      const [mine, theirs] = await Promise.all([
        store.caseload(db, viewer.organisationId, [viewer.userId], caseloadLimit),
        store.caseload(db, viewer.organisationId, team, caseloadLimit),
      ]);
      const entry = (row: store.CaseloadRow): CaseloadEntry => ({
        person: toSummary(row),
        allocationId: row.allocation_id,
        userName: row.user_name,
        startedAt: row.started_at,
      });
      return { mine: mine.map(entry), team: theirs.map(entry) };
    },

    /**
     * Finds people in the viewer's organisation by name (typos and parts of names allowed), date of
     * birth, NHS number, case reference or UPN. Only people the viewer may open are shown; the rest
     * are counted, with a way to give a reason.
     */
    async search(viewer: Viewer, criteria: SearchCriteria): Promise<SearchResults> {
      // Read-only and scoped to the viewer's organisation throughout: no transaction, and who the
      // viewer may open is read alongside the search, not after it.
      const wholeOrganisation = seesWholeOrganisation(viewer);
      const [rows, caseload] = await Promise.all([
        findPeople(db, viewer.organisationId, criteria),
        wholeOrganisation ? undefined : openableBy(db, viewer),
      ]);
      const shown = rows.people.slice(0, searchResultsShown);
      const openable = new Set(
        shown.filter((row) => caseload === undefined || caseload.has(row.id)).map((row) => row.id),
      );
      const found = { ...rows, shown, openable };
      return {
        matches: found.shown.filter((row) => found.openable.has(row.id)).map(toSummary),
        restricted: found.shown.filter((row) => !found.openable.has(row.id)).map((row) => row.id),
        more: found.more || found.people.length > searchResultsShown,
        invalidNhsNumber: found.invalidNhsNumber && found.people.length === 0,
      };
    },

    /**
     * Break-glass: records why the viewer needs a record they have no allocation to, opens it to them
     * for 24 hours, and tells their line manager and the organisation's Data Protection Officers, with
     * no personal data in the notice (R2.5).
     */
    async recordReason(viewer: Viewer, personId: string, reason: string): Promise<Date> {
      return db.transaction().execute(async (trx) => {
        const person = await store.findPerson(trx, personId);
        if (person === undefined || person.organisation_id !== viewer.organisationId)
          throw new PersonAccessError('not-found');
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + breakGlassHours * 3_600_000);
        const grantId = await store.insertGrant(trx, {
          organisationId: person.organisation_id,
          personId,
          userId: viewer.userId,
          reason,
          grantedAt: now,
          expiresAt,
        });
        const member = await store.staffMember(trx, viewer.userId);
        const recipients = new Set([
          ...(member?.line_manager_id ? [member.line_manager_id] : []),
          ...(await store.dataProtectionOfficers(trx, person.organisation_id)),
        ]);
        recipients.delete(viewer.userId);
        for (const userId of [...recipients].sort()) {
          await notifications.notify(trx, {
            organisationId: person.organisation_id,
            userId,
            kind: 'people.break_glass',
            subject: 'A reason for access was recorded',
            body: 'A member of your team opened a record they are not allocated to, giving a reason. Review it in Safeshare.',
            link: '/people/access-reviews',
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
      const rows = await store.grantsForReview(
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

    /** Marks a reason for access as reviewed; 'not-found' for a grant the viewer may not review. */
    async markReviewed(viewer: Viewer, grantId: string): Promise<'reviewed' | 'not-found'> {
      return db.transaction().execute(async (trx) => {
        const grant = await store.lockGrant(trx, grantId);
        if (grant === undefined || grant.organisation_id !== viewer.organisationId) return 'not-found';
        const mayReview =
          viewer.roles.includes('dpo') || (isManager(viewer) && grant.line_manager_id === viewer.userId);
        if (!mayReview) return 'not-found';
        if (grant.user_id === viewer.userId)
          throw new PeopleRuleError('review', 'You cannot review your own reason for access');
        if (grant.reviewed_at !== null)
          throw new PeopleRuleError('review', 'That reason for access has already been reviewed');
        await store.markGrantReviewed(trx, grantId, viewer.userId, clock.now());
        await audit.record(trx, {
          organisationId: grant.organisation_id,
          actor: actorOf(viewer),
          action: 'person.access_reviewed',
          entity: { type: 'break_glass_access', id: grantId },
          personId: grant.person_id,
          change: { userId: grant.user_id, userName: grant.user_name },
        });
        return 'reviewed';
      });
    },
  };
  return service;
}

export type PeopleService = ReturnType<typeof peopleService>;

// ---- Search ----------------------------------------------------------------------------------

interface Found {
  readonly people: readonly store.PersonRow[];
  readonly more: boolean;
  readonly invalidNhsNumber: boolean;
}

/** Decides what kind of search the words typed ask for, and runs it. */
async function findPeople(trx: Executor, organisationId: string, criteria: SearchCriteria): Promise<Found> {
  const limit = searchResultsShown + 1;
  const query = criteria.query;
  if (query === null) {
    const dateOfBirth = criteria.dateOfBirth ?? '';
    const rows = await store.peopleBornOn(trx, organisationId, dateOfBirth, [], limit);
    return { people: rows, more: false, invalidNhsNumber: false };
  }
  const compact = query.replace(/\s+/g, '');
  if (/\d/.test(query)) {
    const tenDigits = /^\d{10}$/.test(compact);
    const nhsNumber = tenDigits ? (parseNhsNumber(compact) ?? null) : null;
    const upnCandidate = compactUpn(query);
    const upn = isValidUpn(upnCandidate) ? upnCandidate : null;
    const references = [...new Set([query.trim(), query.trim().toUpperCase(), compact])];
    const rows = await store.peopleWithIdentifier(
      trx,
      organisationId,
      { nhsNumber, upn, references },
      criteria.dateOfBirth,
      limit,
    );
    return { people: rows, more: false, invalidNhsNumber: tenDigits && nhsNumber === null };
  }
  return nameSearch(trx, organisationId, query, criteria.dateOfBirth);
}

/**
 * Name search: each typed word is matched to the organisation's known name words by trigram word
 * similarity ("jaden" -> "jayden", "smiht" -> "smith", "kowal" -> "kowalski"); people whose names
 * hold a match for every typed word are then found by exact keys, and ranked by how closely.
 */
async function nameSearch(
  trx: Executor,
  organisationId: string,
  query: string,
  dateOfBirth: string | null,
): Promise<Found> {
  const similar = await store.similarWords(trx, organisationId, query, wordsConsidered);
  const byTyped = new Map<number, { typed: string; words: Map<string, number> }>();
  for (const row of similar) {
    const entry = byTyped.get(row.index) ?? { typed: row.typed, words: new Map<string, number>() };
    if (row.word !== null) entry.words.set(row.word, row.score);
    byTyped.set(row.index, entry);
  }
  const typed = [...byTyped.values()];
  // Every typed word must match something: a word nobody in the organisation has means no one matches.
  if (typed.length === 0 || typed.some((entry) => entry.words.size === 0))
    return { people: [], more: false, invalidNhsNumber: false };
  const keyOf = (word: string) => `${organisationId}:${word}`;
  const sets = typed.map((entry) => [...entry.words.keys()].map(keyOf));

  let candidates: store.CandidateRow[];
  if (dateOfBirth !== null) {
    candidates = await store.peopleBornOn(trx, organisationId, dateOfBirth, sets, candidatesConsidered);
  } else {
    // Driven by the longest typed word (usually the most telling), its closest known words first.
    const drivingIndex = typed.reduce(
      (best, entry, index) => (entry.typed.length > (typed[best]?.typed.length ?? 0) ? index : best),
      0,
    );
    const driving = sets[drivingIndex] ?? [];
    const others = sets.filter((_, index) => index !== drivingIndex);
    // One typed word: the tiers are already in score order, so the first rows are the best. Several:
    // the rest of the score varies within a tier, so more are ranked.
    const limit = typed.length === 1 ? searchResultsShown + 1 : candidatesConsidered;
    candidates = await store.peopleWithWords(trx, organisationId, driving, others, {
      perTier: limit,
      limit,
      dateOfBirth: null,
    });
  }

  const prefix = `${organisationId}:`;
  const scored = candidates.map((candidate) => {
    const words = candidate.search_keys
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
    let score = 0;
    for (const entry of typed) score += Math.max(0, ...words.map((word) => entry.words.get(word) ?? 0));
    return { candidate, score };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.candidate.family_name.localeCompare(b.candidate.family_name) ||
      a.candidate.given_names.localeCompare(b.candidate.given_names) ||
      (a.candidate.date_of_birth ?? '').localeCompare(b.candidate.date_of_birth ?? '') ||
      a.candidate.id.localeCompare(b.candidate.id),
  );
  const people = scored.map(({ candidate }): store.PersonRow => ({
    id: candidate.id,
    organisation_id: candidate.organisation_id,
    given_names: candidate.given_names,
    family_name: candidate.family_name,
    known_as: candidate.known_as,
    date_of_birth: candidate.date_of_birth,
    nhs_number: candidate.nhs_number,
    local_reference: candidate.local_reference,
  }));
  return {
    people,
    more:
      candidates.length >=
      (typed.length === 1 && dateOfBirth === null ? searchResultsShown + 1 : candidatesConsidered),
    invalidNhsNumber: false,
  };
}
