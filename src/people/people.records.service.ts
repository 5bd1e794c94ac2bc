import type { AuditActor, AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { parseNhsNumber } from '../lib/nhs-number.ts';
import { isManager, type NeedToKnow } from './people.access.ts';
import { latestGrantExpiry } from './people.access.repository.ts';
import { allocateIn } from './people.allocations.service.ts';
import { allocationsOf } from './people.allocations.repository.ts';
import { peopleErrorCodes, PeopleRuleError, PersonNotFoundError, withUniqueRules } from './people.errors.ts';
import {
  toRecord,
  toRelative,
  toSummary,
  type AccessBasis,
  type PersonPage,
  type PersonSummary,
  type PersonView,
  type Relative,
} from './people.model.ts';
import * as store from './people.repository.ts';
import type { NewRelative, PersonDetails } from './people.schema.ts';

/** People's records: opening one (audited), adding, changing, and linking family members. */
export function recordsService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly access: NeedToKnow;
  readonly staff: Pick<StaffService, 'colleague'>;
}) {
  const { db, clock, audit, access, staff } = deps;

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
    trx: store.PeopleTransaction,
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

  /** The one of the organisation's records the viewer named as a family member, if they may open it. */
  async function existingRelative(
    trx: Executor,
    viewer: Viewer,
    person: store.PersonRow,
    identifier: string,
  ): Promise<string> {
    const matches = await store.peopleByIdentifier(trx, person.organisation_id, {
      nhsNumber: parseNhsNumber(identifier) ?? null,
      reference: identifier.trim(),
    });
    const openable = await access.bases(
      trx,
      viewer,
      matches.map((match) => match.id),
    );
    const [only, another] = matches.filter((match) => openable.has(match.id));
    if (only === undefined) {
      throw new PeopleRuleError(
        peopleErrorCodes.relativeNotFound,
        'identifier',
        'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
      );
    }
    if (another !== undefined)
      throw new PeopleRuleError(
        peopleErrorCodes.relativeAmbiguous,
        'identifier',
        'More than one record has that case reference: use their NHS number',
      );
    if (only.id === person.id)
      throw new PeopleRuleError(
        peopleErrorCodes.ownRelative,
        'identifier',
        'A person cannot be their own family member',
      );
    return only.id;
  }

  const service = {
    /**
     * The person, when the viewer has a legitimate relationship to their record; otherwise throws
     * PersonNotFoundError or PersonReasonRequiredError. Writes no audit event: the caller records what it shows.
     */
    async requireAccess(viewer: Viewer, personId: string): Promise<PersonSummary> {
      const { row } = await access.access(db, viewer, personId);
      return toSummary(row);
    },

    /** The viewer's basis for opening the record, or the refusal requireAccess throws. */
    async basis(viewer: Viewer, personId: string): Promise<AccessBasis> {
      return (await access.access(db, viewer, personId)).basis;
    },

    /**
     * The names (and known-as names) of everyone one step from these people, for the subject-line
     * checker only (R4.5.5): never shown, so no viewer's need to know is asked for.
     */
    async relativesNames(personIds: readonly string[]): Promise<string[]> {
      return (await store.relativeNames(db, personIds)).flatMap((row) => [
        `${row.given_names} ${row.family_name}`,
        ...(row.known_as === null ? [] : [row.known_as]),
      ]);
    },

    /** People related to this person (one step, either direction), after requireAccess. */
    async relatives(viewer: Viewer, personId: string): Promise<Relative[]> {
      await access.access(db, viewer, personId);
      return relativesOf(db, personId);
    },

    /**
     * Opens a person's record for a page: checks the viewer's basis, reads the record, and writes
     * `person.viewed` with the basis, all in one transaction (invariant 4).
     */
    async open(viewer: Viewer, personId: string, page: PersonPage): Promise<PersonView> {
      return db.transaction().execute(async (trx) => {
        const { basis } = await access.access(trx, viewer, personId);
        const row = await store.findPersonRecord(trx, personId);
        if (row === undefined) throw new PersonNotFoundError();
        const [relatives, allocationRows, reasonExpiresAt, team] = await Promise.all([
          relativesOf(trx, personId),
          allocationsOf(trx, personId),
          basis === 'break-glass'
            ? latestGrantExpiry(trx, viewer.userId, personId, clock.now())
            : Promise.resolve(undefined),
          access.teamOf(viewer),
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
      return withUniqueRules(
        db.transaction().execute(async (trx) => {
          const id = await store.insertPerson(trx, organisationId, details, clock.now());
          await recordCreated(trx, actor, organisationId, id, details);
          if (options.allocateTo !== undefined) {
            const member = await staff.colleague(options.allocateTo);
            if (member === undefined || member.organisationId !== organisationId)
              throw new PeopleRuleError(
                peopleErrorCodes.notAllocatable,
                'userId',
                'Select a member of staff of the same organisation',
              );
            await allocateIn(deps, trx, actor, organisationId, id, member);
          }
          return id;
        }),
      );
    },

    async update(viewer: Viewer, personId: string, details: PersonDetails): Promise<void> {
      await withUniqueRules(
        db.transaction().execute(async (trx) => {
          await access.access(trx, viewer, personId);
          const before = await store.findPersonRecord(trx, personId, true);
          if (before === undefined) throw new PersonNotFoundError();
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
      return withUniqueRules(
        db.transaction().execute(async (trx) => {
          const { row: person } = await access.access(trx, viewer, personId);
          const actor = actorOf(viewer);
          const now = clock.now();
          const relativeId =
            relative.kind === 'existing'
              ? await existingRelative(trx, viewer, person, relative.identifier)
              : await store.insertPerson(trx, person.organisation_id, relative.details, now);
          if (await store.linked(trx, personId, relativeId))
            throw new PeopleRuleError(
              peopleErrorCodes.alreadyLinked,
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
  };
  return service;
}
