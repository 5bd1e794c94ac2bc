import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { systemActor, type AuditActor, type AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import { addDays, realDate } from '../lib/calendar.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, NotPermittedError, RuleError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import type { Role } from '../lib/roles.ts';
import { requiredTextFault } from '../lib/text.ts';
import { londonInstant, londonToday } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { latestStartFor } from './retention.dates.ts';
import { retentionPaths } from './retention.paths.ts';
import * as store from './retention.repository.ts';
import type { PersonRecordKind, RecordKind, RetentionSubject } from './retention.table.ts';

/** Who reviews what is due, places and lifts legal holds, and proposes disposals: the IG lead and the DPO. */
export const retentionKeepers: readonly Role[] = ['ig_lead', 'dpo'];
/** Who approves a disposal someone else proposed: the DPO. */
export const disposalApprovers: readonly Role[] = ['dpo'];

type ScheduleEntry = PolicyPack['retention']['schedule'][number];
type Kind = ScheduleEntry['kind'];

const personKinds: readonly PersonRecordKind[] = [
  'people',
  'consent-records',
  'sharing-decisions',
  'disclosures',
  'exchange-packages',
];
const isPersonKind = (kind: string): kind is PersonRecordKind =>
  (personKinds as readonly string[]).includes(kind);

/** How many rows of each kind a page shows; the count is of all of them. */
const listLimit = 100;

export interface DuePerson {
  readonly personId: string;
  /** The person's name, for viewers who may open every record; otherwise null. */
  readonly name: string | null;
  readonly records: number;
  /** The earliest trigger date among their records of this kind. */
  readonly firstTrigger: string;
}

export interface DueEntry {
  readonly kind: Kind;
  readonly label: string;
  readonly years: number;
  readonly trigger: ScheduleEntry['trigger'];
  readonly action: ScheduleEntry['action'];
  readonly citation: string;
  /** False when Safeshare cannot work out this trigger for this kind: the entry is shown, never counted. */
  readonly supported: boolean;
  /** Whether the people due under it may be proposed for disposal under it (ADR 0033). */
  readonly proposable: boolean;
  /** People (or, for incidents, incidents) whose period has ended. */
  readonly total: number;
  readonly people: readonly DuePerson[];
  readonly incidents: readonly {
    readonly id: string;
    readonly reference: string;
    readonly trigger: string;
  }[];
}

export interface DueList {
  readonly asOf: string;
  readonly source: string;
  readonly entries: readonly DueEntry[];
}

export interface Hold {
  readonly id: string;
  readonly subject: RetentionSubject;
  /** The person's name (for viewers who may open every record) or the incident's reference; otherwise null. */
  readonly name: string | null;
  readonly reason: string;
  readonly endsOn: string | null;
  readonly placedAt: Date;
  readonly placedByName: string;
}

export interface Proposal {
  readonly id: string;
  readonly subject: RetentionSubject;
  /** The person's name (for viewers who may open every record) or the incident's reference; otherwise null. */
  readonly name: string | null;
  readonly kind: RecordKind;
  readonly kindLabel: string;
  readonly status: 'proposed' | 'approved';
  readonly reason: string;
  readonly proposedByName: string;
  readonly proposedAt: Date;
  readonly approvedAt: Date | null;
  /** When carrying it out last found the person under a legal hold. */
  readonly heldAt: Date | null;
  /** Whether the viewer may approve it: a DPO who did not propose it. */
  readonly mayApprove: boolean;
}

/** A line of the DPO's dashboard (its shape: the oversight capability's action item). */
export interface RetentionAction {
  readonly label: string;
  readonly count: number;
  readonly href: string;
  readonly urgent: boolean;
  readonly details: readonly string[];
}

export interface CarriedOut {
  readonly disposed: number;
  readonly held: number;
}

const problem = (field: string, code: string, message: string): Problem => ({ field, code, message });

/**
 * Retention review and disposal (storage limitation, UK GDPR Art 5(1)(e); ADR 0033). What is due is
 * worked out from the policy pack's schedule as of a day; the IG lead reviews it, proposes people
 * for disposal or keeps their records longer; a DPO who did not propose it approves; carrying it out
 * erases the person's personal data in place in one transaction, unless a legal hold stands then.
 */
export function retentionService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'record' | 'eraseEvents'>;
  readonly policy: PolicyPack;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly staff: Pick<StaffService, 'activeHolders'>;
  readonly orgs: Pick<OrgsService, 'list'>;
  /**
   * People's names by id for a viewer who may open every record of the organisation (the DPO and the
   * Caldicott Guardian), or null for anyone else: the oversight lists' rule, given by the composition.
   */
  readonly namesFor: (viewer: Viewer, ids: readonly string[]) => Promise<ReadonlyMap<string, string> | null>;
}) {
  const { db, clock, audit, policy, namesFor } = deps;
  const schedule = policy.retention.schedule;
  const today = () => londonToday(clock.now());

  function requireRole(viewer: Viewer, allowed: readonly Role[]): void {
    if (!viewer.roles.some((role) => allowed.includes(role))) throw new NotPermittedError();
  }

  function entryFor(kind: string): ScheduleEntry | undefined {
    return schedule.find((entry) => entry.kind === kind);
  }

  function boundFor(asOf: string, years: number): store.DueBound {
    const lastStart = latestStartFor(asOf, years);
    const before = londonInstant(addDays(lastStart, 1), '00:00');
    if (before === undefined) throw new Error(`no London midnight on ${lastStart}`);
    return { asOf, lastStart, before };
  }

  /** Every entry of the schedule, with what is due under it on `asOf`. */
  async function dueIn(organisationId: string, asOf: string, limit: number) {
    return Promise.all(
      schedule.map(async (entry) => {
        const bound = boundFor(asOf, entry.years);
        const supported = store.supportsTrigger(entry.kind, entry.trigger);
        if (entry.kind === 'incidents') {
          const rows = await store.dueIncidents(db, { organisationId, trigger: entry.trigger, bound, limit });
          return { entry, supported, total: rows[0]?.total ?? 0, people: [], incidents: rows };
        }
        const rows = await store.duePeople(db, {
          organisationId,
          kind: entry.kind,
          trigger: entry.trigger,
          bound,
          limit,
        });
        return { entry, supported, total: rows[0]?.total ?? 0, people: rows, incidents: [] };
      }),
    );
  }

  /** Whether the person's records of this kind are due under its entry on `asOf` (held people never are). */
  async function isDue(organisationId: string, personId: string, kind: PersonRecordKind, asOf: string) {
    const entry = entryFor(kind);
    if (entry === undefined) return false;
    const rows = await store.duePeople(db, {
      organisationId,
      kind,
      trigger: entry.trigger,
      bound: boundFor(asOf, entry.years),
      limit: 1,
      personId,
    });
    return rows.length > 0;
  }

  /** Whether the incident is due under the incidents entry on `asOf` (held or disposed incidents never are). */
  async function isIncidentDue(organisationId: string, incidentId: string, asOf: string) {
    const entry = entryFor('incidents');
    if (entry === undefined) return false;
    const rows = await store.dueIncidents(db, {
      organisationId,
      trigger: entry.trigger,
      bound: boundFor(asOf, entry.years),
      limit: 1,
      incidentId,
    });
    return rows.length > 0;
  }

  /** The person or incident, one of the viewer's organisation's and not disposed of already. */
  async function requireSubject(viewer: Viewer, subject: RetentionSubject): Promise<void> {
    if (!isUuid(subject.id)) throw new NotFoundError();
    const state =
      subject.type === 'person'
        ? await store.personState(db, viewer.organisationId, subject.id)
        : await store.incidentState(db, viewer.organisationId, subject.id);
    if (!state.exists) throw new NotFoundError();
    if (state.disposed)
      throw RuleError.of(
        'subject',
        'RETENTION.DISPOSED',
        subject.type === 'person'
          ? 'This person’s records have already been disposed of'
          : 'This incident has already been disposed of',
      );
  }

  /** "this person" or "this incident", for messages. */
  const thisOne = (subject: RetentionSubject) =>
    subject.type === 'person' ? 'this person' : 'this incident';
  const heldMessage = (subject: RetentionSubject) =>
    subject.type === 'person'
      ? 'A legal hold stands on this person: their records cannot be disposed of'
      : 'A legal hold stands on this incident: it cannot be disposed of';
  /** The person an event is about, for the audit trail's person filter; an incident's events name none. */
  const personOn = (subject: RetentionSubject) => (subject.type === 'person' ? { personId: subject.id } : {});

  /**
   * How the retention pages name people: by name for viewers who may open every record (the DPO);
   * otherwise by the council's case reference, which is what a records manager checks a case by in
   * the case management system, or not at all where a person has none.
   */
  async function peopleLabels(viewer: Viewer, ids: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const names = await namesFor(viewer, ids);
    if (names !== null) return names;
    const references = await store.caseReferences(db, viewer.organisationId, [...new Set(ids)]);
    return new Map([...references].map(([id, reference]) => [id, `Case reference ${reference}`]));
  }

  /** Names for the lists: people's names where the viewer may see them, incidents' references always. */
  async function labelsFor(
    viewer: Viewer,
    rows: readonly { person_id: string | null; incident_reference: string | null }[],
  ) {
    const names = await peopleLabels(
      viewer,
      rows.flatMap((row) => (row.person_id === null ? [] : [row.person_id])),
    );
    return (row: { person_id: string | null; incident_reference: string | null }) =>
      row.person_id === null ? row.incident_reference : (names.get(row.person_id) ?? null);
  }

  function reasonProblem(field: string, label: string, value: string): Problem[] {
    const fault = requiredTextFault(value, {
      label,
      blank: `Enter ${label}`,
      max: 2000,
    });
    return fault === undefined ? [] : [problem(field, 'RETENTION.REASON', fault)];
  }

  /** Carries out one approved disposal in its own transaction; 'held' when a legal hold stands at that moment. */
  async function carryOut(
    organisationId: string,
    proposalId: string,
    by: AuditActor,
  ): Promise<'disposed' | 'held' | 'skipped'> {
    return db.transaction().execute(async (trx) => {
      const found = await store.findProposal(trx, organisationId, proposalId);
      if (found?.status !== 'approved' || found.approved_by === null) return 'skipped';
      const subject = store.subjectOf(found);
      await store.lockSubject(trx, subject);
      const at = clock.now();
      const asOf = londonToday(at);
      // Checked again now: a hold placed after the approval stops the disposal (ADR 0033).
      if ((await store.standingHolds(trx, organisationId, asOf, subject)).length > 0) {
        await store.markProposal(trx, found.id, { held_at: at });
        await audit.record(trx, {
          organisationId,
          actor: by,
          action: 'retention.disposal_held',
          entity: { type: 'disposal_proposal', id: found.id },
          change: { personId: found.person_id, incidentId: found.incident_id },
        });
        return 'held';
      }
      const entry = entryFor(found.kind);
      const disposalId = randomUUID();
      await store.insertDisposal(trx, {
        id: disposalId,
        organisation_id: organisationId,
        ...store.subjectColumns(subject),
        proposal_id: found.id,
        kind: found.kind,
        schedule_entry: JSON.stringify(entry ?? { kind: found.kind }),
        proposed_by: found.proposed_by,
        approved_by: found.approved_by,
        disposed_by_label: by.label.slice(0, 200),
        disposed_at: at,
      });
      const counts =
        subject.type === 'person'
          ? await store.erasePersonRecords(trx, { organisationId, personId: subject.id, disposalId, at })
          : await store.eraseIncidentRecords(trx, { organisationId, incidentId: subject.id, disposalId, at });
      const events = await audit.eraseEvents(trx, {
        organisationId,
        personId: found.person_id,
        entities:
          subject.type === 'person'
            ? await store.erasedEntities(trx, disposalId)
            : [{ type: 'incident', id: subject.id }],
        disposalId,
        by,
      });
      const all = {
        ...counts,
        auditEventsErased: events.erased,
        auditEventsErasedBefore: events.alreadyErased,
        auditEventsKeptVersion1: events.keptVersion1,
      };
      await store.recordDisposalCounts(trx, disposalId, all);
      await store.markProposal(trx, found.id, { status: 'disposed' });
      // The disposal's own event names ids and counts only, and no person: nothing in it to erase.
      await audit.record(trx, {
        organisationId,
        actor: by,
        action: 'retention.disposed',
        entity: { type: 'disposal', id: disposalId },
        change: {
          personId: found.person_id,
          incidentId: found.incident_id,
          proposalId: found.id,
          kind: found.kind,
          years: entry?.years,
          trigger: entry?.trigger,
          citation: entry?.citation,
          counts: all,
        },
      });
      return 'disposed';
    });
  }

  /** Whether a disposal may be proposed under this entry of the schedule: problems for `field` if not. */
  function entryProblems(field: string, kind: string): Problem[] {
    const entry = isPersonKind(kind) || kind === 'incidents' ? entryFor(kind) : undefined;
    if (entry === undefined)
      return [problem(field, 'RETENTION.KIND', 'Select the schedule entry the disposal is under')];
    if (entry.kind === 'incidents')
      return entry.action === 'dispose'
        ? []
        : [
            problem(
              field,
              'RETENTION.REVIEW_ONLY',
              `${entry.label} are reviewed, not disposed of: keep them for longer instead`,
            ),
          ];
    if (entry.kind === 'exchange-packages')
      return [
        problem(
          field,
          'RETENTION.PACKAGES',
          'A package is withdrawn from its decision’s page, which destroys its keys: propose a person’s disposal under another entry',
        ),
      ];
    if (entry.kind !== 'people' && entry.action !== 'dispose')
      return [
        problem(
          field,
          'RETENTION.REVIEW_ONLY',
          `${entry.label} are reviewed, not disposed of: propose the disposal under the people entry, or keep them`,
        ),
      ];
    return [];
  }

  /** Proposes one disposal in `trx`, checking now that no hold stands, the subject is due and not proposed already. */
  async function proposeIn(
    trx: Transaction<Database>,
    viewer: Viewer,
    subject: RetentionSubject,
    kind: RecordKind,
    reason: string,
  ): Promise<string> {
    await store.lockSubject(trx, subject);
    const asOf = today();
    if ((await store.standingHolds(trx, viewer.organisationId, asOf, subject)).length > 0)
      throw RuleError.of('proposeKind', 'RETENTION.HELD', heldMessage(subject));
    const due =
      subject.type === 'person'
        ? kind !== 'incidents' && (await isDue(viewer.organisationId, subject.id, kind, asOf))
        : kind === 'incidents' && (await isIncidentDue(viewer.organisationId, subject.id, asOf));
    if (!due)
      throw RuleError.of(
        'proposeKind',
        'RETENTION.NOT_DUE',
        subject.type === 'person'
          ? 'This person’s records are not due under that entry'
          : 'This incident is not due for disposal',
      );
    if ((await store.openProposals(trx, viewer.organisationId, subject)).length > 0)
      throw RuleError.of(
        'proposeKind',
        'RETENTION.PROPOSED',
        `A disposal of ${thisOne(subject)} is already proposed`,
      );
    const id = await store.insertProposal(trx, {
      organisation_id: viewer.organisationId,
      ...store.subjectColumns(subject),
      kind,
      reason,
      proposed_by: viewer.userId,
      proposed_at: clock.now(),
    });
    await audit.record(trx, {
      organisationId: viewer.organisationId,
      actor: actorOf(viewer),
      action: 'retention.disposal_proposed',
      entity: { type: 'disposal_proposal', id },
      ...personOn(subject),
      change: { kind, reason, incidentId: subject.type === 'incident' ? subject.id : undefined },
    });
    return id;
  }

  const service = {
    /** What is due on `asOf` (today by default), by entry of the schedule: counts, and the first records of each. */
    async due(viewer: Viewer, asOf: string = today()): Promise<DueList> {
      requireRole(viewer, retentionKeepers);
      const found = await dueIn(viewer.organisationId, asOf, listLimit);
      const names = await peopleLabels(
        viewer,
        found.flatMap((item) => item.people.map((row) => row.person_id)),
      );
      return {
        asOf,
        source: policy.retention.source,
        entries: found.map(({ entry, supported, total, people, incidents }) => ({
          kind: entry.kind,
          label: entry.label,
          years: entry.years,
          trigger: entry.trigger,
          action: entry.action,
          citation: entry.citation,
          supported,
          proposable: entryProblems('kind', entry.kind).length === 0,
          total,
          people: people.map((row) => ({
            personId: row.person_id,
            name: names.get(row.person_id) ?? null,
            records: row.records,
            firstTrigger: row.first_trigger,
          })),
          incidents: incidents.map((row) => ({
            id: row.id,
            reference: row.reference,
            trigger: row.trigger_on,
          })),
        })),
      };
    },

    /** One person as the retention pages show them: what is due, their holds and open proposals. */
    async person(viewer: Viewer, personId: string) {
      requireRole(viewer, retentionKeepers);
      if (!isUuid(personId)) throw new NotFoundError();
      const state = await store.personState(db, viewer.organisationId, personId);
      if (!state.exists) throw new NotFoundError();
      const asOf = today();
      const dueKinds: PersonRecordKind[] = [];
      if (!state.disposed)
        for (const kind of personKinds)
          if (await isDue(viewer.organisationId, personId, kind, asOf)) dueKinds.push(kind);
      const names = await peopleLabels(viewer, [personId]);
      return {
        personId,
        name: names.get(personId) ?? null,
        disposed: state.disposed,
        due: dueKinds.map((kind) => {
          const entry = entryFor(kind);
          return { kind, label: entry?.label ?? kind, action: entry?.action ?? 'review' };
        }),
        /** The schedule's entries about one person, for the forms' choices. */
        kinds: schedule.flatMap((entry) =>
          isPersonKind(entry.kind) ? [{ value: entry.kind, text: entry.label }] : [],
        ),
        holds: await service.holds(viewer, { type: 'person', id: personId }),
        proposals: await service.proposals(viewer, { type: 'person', id: personId }),
      };
    },

    /** One incident as the retention pages show it: whether it is due, its holds and open proposals. */
    async incident(viewer: Viewer, incidentId: string) {
      requireRole(viewer, retentionKeepers);
      if (!isUuid(incidentId)) throw new NotFoundError();
      const state = await store.incidentState(db, viewer.organisationId, incidentId);
      if (!state.exists) throw new NotFoundError();
      const subject: RetentionSubject = { type: 'incident', id: incidentId };
      const entry = entryFor('incidents');
      const due = !state.disposed && (await isIncidentDue(viewer.organisationId, incidentId, today()));
      return {
        incidentId,
        reference: state.reference,
        closedAt: state.closedAt,
        disposed: state.disposed,
        due:
          due && entry !== undefined ? [{ kind: entry.kind, label: entry.label, action: entry.action }] : [],
        kinds: entry === undefined ? [] : [{ value: entry.kind, text: entry.label }],
        holds: await service.holds(viewer, subject),
        proposals: await service.proposals(viewer, subject),
      };
    },

    async holds(viewer: Viewer, subject?: RetentionSubject): Promise<Hold[]> {
      requireRole(viewer, retentionKeepers);
      const rows = await store.standingHolds(db, viewer.organisationId, today(), subject);
      const labelOf = await labelsFor(viewer, rows);
      return rows.map((row) => ({
        id: row.id,
        subject: store.subjectOf(row),
        name: labelOf(row),
        reason: row.reason,
        endsOn: row.ends_on,
        placedAt: row.placed_at,
        placedByName: row.placed_by_name,
      }));
    },

    /**
     * The person with this NHS number or case reference, or the incident with this reference, to
     * place a hold before anything is due.
     */
    async find(viewer: Viewer, identifier: string): Promise<RetentionSubject> {
      requireRole(viewer, retentionKeepers);
      const trimmed = identifier.replace(/\s+/g, '');
      if (trimmed === '')
        throw RuleError.of(
          'identifier',
          'RETENTION.NO_PERSON',
          'Enter the person’s NHS number or case reference, or the incident’s reference',
        );
      const person =
        trimmed.length > 50
          ? undefined
          : await store.findPersonByIdentifier(db, viewer.organisationId, trimmed);
      if (person !== undefined) return { type: 'person', id: person };
      const incident =
        trimmed.length > 50
          ? undefined
          : await store.findIncidentByReference(db, viewer.organisationId, trimmed);
      if (incident !== undefined) return { type: 'incident', id: incident };
      throw RuleError.of(
        'identifier',
        'RETENTION.NO_PERSON',
        'No person or incident in your organisation has that NHS number, case reference or incident reference',
      );
    },

    /** A legal hold: the person's records, or the incident, are never proposed or disposed of while it stands. Audited. */
    async placeHold(
      viewer: Viewer,
      subject: RetentionSubject,
      hold: { reason: string; endsOn: string },
    ): Promise<string> {
      requireRole(viewer, retentionKeepers);
      await requireSubject(viewer, subject);
      const problems = reasonProblem('reason', 'why the records must be kept', hold.reason);
      const endsOn = hold.endsOn.trim();
      if (endsOn === 'invalid')
        problems.push(
          problem('endsOn', 'RETENTION.DATE', 'The end date must be a real date, such as 31 3 2027'),
        );
      else if (endsOn !== '' && endsOn <= today())
        problems.push(problem('endsOn', 'RETENTION.DATE', 'The end date must be in the future'));
      if (problems.length > 0) throw new RuleError(problems);
      return db.transaction().execute(async (trx) => {
        await store.lockSubject(trx, subject);
        const id = await store.insertHold(trx, {
          organisation_id: viewer.organisationId,
          ...store.subjectColumns(subject),
          reason: hold.reason.trim(),
          ends_on: endsOn === '' ? null : endsOn,
          placed_by: viewer.userId,
          placed_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'retention.hold_placed',
          entity: { type: 'legal_hold', id },
          ...personOn(subject),
          change: { reason: hold.reason.trim(), endsOn: endsOn === '' ? null : endsOn },
        });
        return id;
      });
    },

    async liftHold(viewer: Viewer, holdId: string, reason: string): Promise<RetentionSubject> {
      requireRole(viewer, retentionKeepers);
      if (!isUuid(holdId)) throw new NotFoundError();
      const problems = reasonProblem('liftReason', 'why the hold is lifted', reason);
      if (problems.length > 0) throw new RuleError(problems);
      return db.transaction().execute(async (trx) => {
        const hold = await store.findHold(trx, viewer.organisationId, holdId);
        if (hold === undefined) throw new NotFoundError();
        if (hold.lifted_at !== null)
          throw RuleError.of('liftReason', 'RETENTION.LIFTED', 'This hold has already been lifted');
        await store.liftHold(trx, hold.id, {
          lifted_by: viewer.userId,
          lifted_at: clock.now(),
          lift_reason: reason.trim(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'retention.hold_lifted',
          entity: { type: 'legal_hold', id: hold.id },
          ...personOn(store.subjectOf(hold)),
          change: { reason: reason.trim() },
        });
        return store.subjectOf(hold);
      });
    },

    /** Keeps a person's records of one kind, or an incident, for another `years` years from today (a review's outcome). */
    async keepLonger(
      viewer: Viewer,
      subject: RetentionSubject,
      keep: { kind: string; years: string; reason: string },
    ): Promise<void> {
      requireRole(viewer, retentionKeepers);
      await requireSubject(viewer, subject);
      const problems = reasonProblem('keepReason', 'why the records are kept', keep.reason);
      const years = /^\d{1,2}$/.test(keep.years.trim()) ? Number(keep.years.trim()) : Number.NaN;
      if (!Number.isInteger(years) || years < 1 || years > 25)
        problems.push(
          problem('years', 'RETENTION.YEARS', 'Enter how many more years, a whole number from 1 to 25'),
        );
      const kindFits = subject.type === 'person' ? isPersonKind(keep.kind) : keep.kind === 'incidents';
      if (!kindFits || entryFor(keep.kind) === undefined)
        problems.push(problem('keepKind', 'RETENTION.KIND', 'Select which records are kept'));
      if (problems.length > 0) throw new RuleError(problems);
      const kind = keep.kind as RecordKind;
      const [year, month, day] = today().split('-').map(Number) as [number, number, number];
      const keepUntil = realDate(year + years, month, day) ?? realDate(year + years, 3, 1) ?? today();
      await db.transaction().execute(async (trx) => {
        // Kept for longer and disposed of at once cannot both stand: the proposal is withdrawn first.
        await store.lockSubject(trx, subject);
        if ((await store.openProposals(trx, viewer.organisationId, subject)).length > 0)
          throw RuleError.of(
            'keepKind',
            'RETENTION.PROPOSED',
            subject.type === 'person'
              ? 'A disposal of this person is proposed: withdraw it before keeping their records for longer'
              : 'A disposal of this incident is proposed: withdraw it before keeping it for longer',
          );
        await store.insertExtension(trx, {
          organisation_id: viewer.organisationId,
          ...store.subjectColumns(subject),
          kind,
          keep_until: keepUntil,
          reason: keep.reason.trim(),
          recorded_by: viewer.userId,
          recorded_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'retention.kept_longer',
          entity: { type: subject.type, id: subject.id },
          ...personOn(subject),
          change: { kind, keepUntil, reason: keep.reason.trim() },
        });
      });
    },

    /**
     * Proposes a person for disposal under a schedule entry: the people entry, or a "dispose" entry
     * of decisions or disclosures about them, under which they are due today and not held. A
     * disposal is of the person (all their personal data, ADR 0033); a package past its period is
     * withdrawn on its own instead, which destroys its keys.
     */
    async propose(
      viewer: Viewer,
      subject: RetentionSubject,
      proposal: { kind: string; reason: string },
    ): Promise<string> {
      requireRole(viewer, retentionKeepers);
      await requireSubject(viewer, subject);
      const problems = [
        ...reasonProblem('proposeReason', 'why the records can be disposed of', proposal.reason),
        ...entryProblems('proposeKind', proposal.kind),
      ];
      if (problems.length > 0) throw new RuleError(problems);
      const kind = proposal.kind as RecordKind;
      return db
        .transaction()
        .execute(async (trx) => proposeIn(trx, viewer, subject, kind, proposal.reason.trim()));
    },

    /**
     * Proposes, with one reason, every person listed as due under a schedule entry today (up to the
     * page's hundred), each as its own proposal, audited one by one. A person proposed already, or
     * held since the list was drawn, is passed over and counted.
     */
    async proposeAll(
      viewer: Viewer,
      batch: { kind: string; reason: string },
    ): Promise<{ proposed: number; passedOver: number }> {
      requireRole(viewer, retentionKeepers);
      const problems = [
        ...entryProblems('batchKind', batch.kind),
        ...reasonProblem('batchReason', 'why the records can be disposed of', batch.reason),
      ];
      if (problems.length > 0) throw new RuleError(problems);
      const kind = batch.kind as RecordKind;
      const entry = entryFor(kind);
      if (entry === undefined) throw new NotFoundError();
      const query = {
        organisationId: viewer.organisationId,
        trigger: entry.trigger,
        bound: boundFor(today(), entry.years),
        limit: listLimit,
      };
      const due: RetentionSubject[] =
        kind === 'incidents'
          ? (await store.dueIncidents(db, query)).map((row) => ({ type: 'incident', id: row.id }))
          : (await store.duePeople(db, { ...query, kind })).map((row) => ({
              type: 'person',
              id: row.person_id,
            }));
      if (due.length === 0)
        throw RuleError.of('batchKind', 'RETENTION.NONE_DUE', 'Nothing is due under that entry');
      let proposed = 0;
      let passedOver = 0;
      for (const subject of due) {
        try {
          await db
            .transaction()
            .execute(async (trx) => proposeIn(trx, viewer, subject, kind, batch.reason.trim()));
          proposed += 1;
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          passedOver += 1;
        }
      }
      return { proposed, passedOver };
    },

    /**
     * Withdraws the person's disposal not yet carried out (proposed or approved), with why: an IG
     * lead or a DPO. Audited. Carrying out locks the proposal first, so one of the two sees the other.
     */
    async withdraw(viewer: Viewer, subject: RetentionSubject, reason: string): Promise<void> {
      requireRole(viewer, retentionKeepers);
      await requireSubject(viewer, subject);
      const problems = reasonProblem('withdrawReason', 'why the disposal is withdrawn', reason);
      if (problems.length > 0) throw new RuleError(problems);
      await db.transaction().execute(async (trx) => {
        const open = (await store.openProposals(trx, viewer.organisationId, subject))[0];
        const found =
          open === undefined ? undefined : await store.findProposal(trx, viewer.organisationId, open.id);
        if (found === undefined || (found.status !== 'proposed' && found.status !== 'approved'))
          throw RuleError.of(
            'withdrawReason',
            'RETENTION.NOT_OPEN',
            `No disposal of ${thisOne(subject)} is waiting to be carried out`,
          );
        await store.withdrawProposal(trx, found.id, {
          withdrawn_by: viewer.userId,
          withdrawn_at: clock.now(),
          withdraw_reason: reason.trim(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'retention.disposal_withdrawn',
          entity: { type: 'disposal_proposal', id: found.id },
          ...personOn(subject),
          change: { kind: found.kind, status: found.status, reason: reason.trim() },
        });
      });
    },

    /** A DPO approves a disposal someone else proposed (two people, ADR 0033). */
    async approve(viewer: Viewer, proposalId: string): Promise<void> {
      requireRole(viewer, disposalApprovers);
      if (!isUuid(proposalId)) throw new NotFoundError();
      await db.transaction().execute(async (trx) => {
        const found = await store.findProposal(trx, viewer.organisationId, proposalId);
        if (found === undefined) throw new NotFoundError();
        if (found.status !== 'proposed')
          throw RuleError.of(
            'approve',
            'RETENTION.NOT_PROPOSED',
            'This disposal is not waiting for approval',
          );
        if (found.proposed_by === viewer.userId)
          throw RuleError.of(
            'approve',
            'RETENTION.SAME_PERSON',
            'You proposed this disposal: another Data Protection Officer must approve it',
          );
        const subject = store.subjectOf(found);
        await store.lockSubject(trx, subject);
        if ((await store.standingHolds(trx, viewer.organisationId, today(), subject)).length > 0)
          throw RuleError.of('approve', 'RETENTION.HELD', heldMessage(subject));
        await store.approveProposal(trx, found.id, { approved_by: viewer.userId, approved_at: clock.now() });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'retention.disposal_approved',
          entity: { type: 'disposal_proposal', id: found.id },
          ...personOn(subject),
          change: { kind: found.kind },
        });
      });
    },

    /**
     * A DPO approves, as a batch, every disposal waiting for approval that someone else proposed,
     * each in its own transaction and audited; one they proposed, or one on a person held since, is
     * left waiting and counted.
     */
    async approveAll(viewer: Viewer): Promise<{ approved: number; left: number }> {
      requireRole(viewer, disposalApprovers);
      const waiting = (await store.openProposals(db, viewer.organisationId)).filter(
        (row) => row.status === 'proposed',
      );
      if (waiting.length === 0)
        throw RuleError.of('approve', 'RETENTION.NONE_WAITING', 'No disposal is waiting for approval');
      let approved = 0;
      for (const row of waiting) {
        try {
          await service.approve(viewer, row.id);
          approved += 1;
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
        }
      }
      return { approved, left: waiting.length - approved };
    },

    async proposals(viewer: Viewer, subject?: RetentionSubject): Promise<Proposal[]> {
      requireRole(viewer, retentionKeepers);
      const rows = await store.openProposals(db, viewer.organisationId, subject);
      const labelOf = await labelsFor(viewer, rows);
      const approver = viewer.roles.some((role) => disposalApprovers.includes(role));
      return rows.map((row) => ({
        id: row.id,
        subject: store.subjectOf(row),
        name: labelOf(row),
        kind: row.kind,
        kindLabel: entryFor(row.kind)?.label ?? row.kind,
        status: row.status === 'approved' ? 'approved' : 'proposed',
        reason: row.reason,
        proposedByName: row.proposed_by_name,
        proposedAt: row.proposed_at,
        approvedAt: row.approved_at,
        heldAt: row.held_at,
        mayApprove: approver && row.status === 'proposed' && row.proposed_by !== viewer.userId,
      }));
    },

    /** The disposals carried out lately, newest first: ids, kinds and counts (no names: they are erased). */
    async disposals(viewer: Viewer) {
      requireRole(viewer, retentionKeepers);
      return (await store.recentDisposals(db, viewer.organisationId, 50)).map((row) => ({
        id: row.id,
        kind: row.kind,
        kindLabel: entryFor(row.kind)?.label ?? row.kind,
        disposedAt: row.disposed_at,
        counts: row.counts,
        proposedByName: row.proposed_by_name,
        approvedByName: row.approved_by_name,
      }));
    },

    /**
     * Carries out every approved disposal of the viewer's organisation, one transaction per person.
     * A person under a legal hold at that moment is left, the proposal kept approved and marked held.
     */
    async carryOutApproved(viewer: Viewer): Promise<CarriedOut> {
      requireRole(viewer, retentionKeepers);
      let disposed = 0;
      let held = 0;
      for (const id of await store.approvedProposalIds(db, viewer.organisationId)) {
        const outcome = await carryOut(viewer.organisationId, id, actorOf(viewer));
        if (outcome === 'disposed') disposed += 1;
        if (outcome === 'held') held += 1;
      }
      return { disposed, held };
    },

    /** The dashboard's lines: people due for disposal, and disposals waiting for approval (R6.1). */
    async actionItems(viewer: Viewer): Promise<readonly RetentionAction[]> {
      if (!viewer.roles.some((role) => retentionKeepers.includes(role))) return [];
      const found = await dueIn(viewer.organisationId, today(), 1);
      const dueForDisposal = found
        .filter((item) => item.entry.action === 'dispose')
        .reduce((sum, item) => sum + item.total, 0);
      const waiting = await store.countProposals(db, viewer.organisationId, 'proposed');
      return [
        {
          label: 'records due for disposal',
          count: dueForDisposal,
          href: retentionPaths.due(),
          urgent: false,
          details: found
            .filter((item) => item.entry.action === 'dispose' && item.total > 0)
            .map((item) => `${item.entry.label}: ${String(item.total)}`),
        },
        {
          label: waiting === 1 ? 'disposal waiting for approval' : 'disposals waiting for approval',
          count: waiting,
          href: retentionPaths.due(),
          urgent: false,
          details: [],
        },
      ];
    },

    /**
     * The monthly review (the `retention-review` job): for each hosted organisation not yet reviewed
     * this month, works out what is due, tells its IG leads in the app with counts only (no names,
     * in the notice or its e-mail), and records the outcome. Returns how many organisations it reviewed.
     */
    async runMonthlyReview(): Promise<{ organisations: number; notified: number }> {
      const asOf = today();
      const month = asOf.slice(0, 7);
      let organisations = 0;
      let notified = 0;
      for (const organisation of await deps.orgs.list()) {
        if (!organisation.hosted) continue;
        if (await store.reviewRecorded(db, organisation.id, month)) continue;
        const found = await dueIn(organisation.id, asOf, 1);
        const counts = Object.fromEntries(found.map((item) => [item.entry.kind, item.total]));
        const review = found
          .filter((item) => item.entry.action === 'review')
          .reduce((n, item) => n + item.total, 0);
        const dispose = found
          .filter((item) => item.entry.action === 'dispose')
          .reduce((n, item) => n + item.total, 0);
        const leads = await deps.staff.activeHolders(organisation.id, 'ig_lead');
        const recorded = await db.transaction().execute(async (trx) => {
          const first = await store.recordReview(trx, {
            organisation_id: organisation.id,
            month,
            as_of: asOf,
            counts: JSON.stringify(counts),
            notified: review + dispose > 0 ? leads.length : 0,
            ran_at: clock.now(),
          });
          if (!first) return false;
          if (review + dispose > 0)
            for (const userId of leads)
              await deps.notifications.notify(trx, {
                organisationId: organisation.id,
                userId,
                kind: 'retention.review_due',
                subject: 'Records are due for retention review or disposal',
                body: `This month's retention review: ${String(review)} due for review and ${String(dispose)} due for disposal under the retention schedule.`,
                link: retentionPaths.due(),
              });
          await audit.record(trx, {
            organisationId: organisation.id,
            actor: systemActor,
            action: 'retention.reviewed',
            entity: { type: 'retention_review', id: month },
            change: { asOf, counts, notified: review + dispose > 0 ? leads.length : 0 },
          });
          return true;
        });
        if (recorded) {
          organisations += 1;
          if (review + dispose > 0) notified += leads.length;
        }
      }
      return { organisations, notified };
    },
  };
  return service;
}

export type RetentionService = ReturnType<typeof retentionService>;
