import { actorOf, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, NotPermittedError, RuleError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import type { Role } from '../lib/roles.ts';
import { sha256Hex } from '../lib/sealed-bytes.ts';
import { requiredTextFault, singleLine } from '../lib/text.ts';
import { formatDate, londonToday } from '../lib/time.ts';
import { PersonAccessError, type PeopleService } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { reportCsv } from './subject-access.csv.ts';
import { subjectAccessPaths } from './subject-access.paths.ts';
import {
  deadlineOn,
  dueOn,
  extendedDueOn,
  extensionFault,
  maxExtensionMonths,
  type DeadlineState,
} from './subject-access.deadline.ts';
import { renderReportPdf } from './subject-access.pdf.ts';
import {
  buildReport,
  readActions,
  relationshipWords,
  type SubjectAccessReport,
} from './subject-access.report.ts';
import * as store from './subject-access.repository.ts';
import type { RequesterKind, SubjectAccessStatus } from './subject-access.table.ts';

/** Who keeps the register and produces reports: the DPO and the information governance lead. */
export const subjectAccessKeepers: readonly Role[] = ['dpo', 'ig_lead'];

/** Who may ask on a child's behalf: someone with parental responsibility, in these relationships. */
export const requesterRelationships = [
  'mother',
  'father',
  'step_parent',
  'carer_with_parental_responsibility',
  'special_guardian',
  'grandparent',
  'other_relative',
  'other',
] as const;

export interface NewRequest {
  readonly personId: string;
  readonly requesterKind: RequesterKind;
  readonly requesterName: string;
  readonly requesterRelationship: string;
  readonly receivedOn: string;
  readonly verification: string;
  readonly verifiedOn: string;
}

export interface Extension {
  readonly months: number;
  readonly reason: string;
  readonly toldOn: string;
}

export type Closing =
  | { readonly outcome: 'answered'; readonly on: string }
  | { readonly outcome: 'refused'; readonly on: string; readonly reason: string };

/** A request as the register shows it, with where its deadline stands today. */
export interface SubjectAccessRequest {
  readonly id: string;
  readonly reference: string;
  readonly personId: string;
  readonly personName: string;
  readonly personDateOfBirth: string | null;
  readonly requesterKind: RequesterKind;
  readonly requester: string;
  readonly receivedOn: string;
  readonly verification: string;
  readonly verifiedOn: string;
  readonly dueOn: string;
  readonly extendedTo: string | null;
  readonly extensionReason: string | null;
  readonly requesterToldOn: string | null;
  readonly status: SubjectAccessStatus;
  readonly answeredOn: string | null;
  readonly refusedOn: string | null;
  readonly refusalReason: string | null;
  readonly deadline: DeadlineState;
  readonly reportProducedAt: Date | null;
  readonly reportProducedByName: string | null;
  readonly reportsProduced: number;
}

export interface ProducedReport {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly fileName: string;
}

/** A line of the DPO's dashboard (its shape: the oversight capability's action item). */
export interface DeadlineAction {
  readonly label: string;
  readonly count: number;
  readonly href: string;
  readonly urgent: boolean;
  readonly details: readonly string[];
}

/** Where a deadline stands, in words: "due 4 January 2027 (31 days left)", "overdue by 2 days". */
export function deadlineWords(deadline: DeadlineState): string {
  const days = (count: number) => `${String(count)} ${count === 1 ? 'day' : 'days'}`;
  const due = `due ${formatDate(deadline.deadline)}${deadline.extended ? ', extended' : ''}`;
  if (deadline.kind === 'closed') return `closed, was ${due}`;
  if (deadline.kind === 'overdue') return `${due}: overdue by ${days(deadline.daysOverdue)}`;
  return `${due} (${deadline.daysLeft === 0 ? 'today' : `${days(deadline.daysLeft)} left`})`;
}

const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/**
 * The register of subject access requests (UK GDPR Art 15, Art 12(3)) and the report that answers
 * one about sharing. The DPO and the information governance lead record a request about a person
 * whose record they may open, with how the requester's identity was checked; the deadline is one
 * calendar month from receipt, extendable once by up to two months with reasons, the requester told
 * within the first month. One action produces the report (PDF for the family, CSV for the DPO); the
 * request is the recorded reason for reading the person's history for it, and each production is
 * counted on the request and audited against the person in the same transaction (ADR 0027).
 */
export function subjectAccessService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: Pick<PeopleService, 'requireAccess'>;
  readonly policy: PolicyPack;
}) {
  const { db, clock, audit } = deps;
  const today = () => londonToday(clock.now());

  function requireKeeper(viewer: Viewer): void {
    if (!viewer.roles.some((role) => subjectAccessKeepers.includes(role)))
      throw new NotPermittedError(
        'only the DPO or the information governance lead keeps subject access requests',
      );
  }

  function toRequest(row: store.RequestRow, on: string): SubjectAccessRequest {
    return {
      id: row.id,
      reference: row.reference,
      personId: row.person_id,
      personName: `${row.person_given_names} ${row.person_family_name}`,
      personDateOfBirth: row.person_date_of_birth,
      requesterKind: row.requester_kind,
      requester:
        row.requester_kind === 'self'
          ? 'The person themself'
          : `${row.requester_name ?? ''}, ${relationshipWords(row.requester_relationship).toLowerCase()} with parental responsibility`,
      receivedOn: row.received_on,
      verification: row.verification,
      verifiedOn: row.verified_on,
      dueOn: row.due_on,
      extendedTo: row.extended_to,
      extensionReason: row.extension_reason,
      requesterToldOn: row.requester_told_on,
      status: row.status,
      answeredOn: row.answered_on,
      refusedOn: row.refused_on,
      refusalReason: row.refusal_reason,
      deadline: deadlineOn(
        { dueOn: row.due_on, extendedTo: row.extended_to, closed: row.status !== 'open' },
        on,
      ),
      reportProducedAt: row.report_produced_at,
      reportProducedByName: row.report_produced_by_name,
      reportsProduced: row.reports_produced,
    };
  }

  async function open(viewer: Viewer, id: string, executor: Executor = db, forUpdate = false) {
    requireKeeper(viewer);
    const row = isUuid(id)
      ? await store.findRequest(executor, viewer.organisationId, id, { forUpdate })
      : undefined;
    if (row === undefined) throw new NotFoundError('no such subject access request');
    return row;
  }

  async function check(viewer: Viewer, entry: NewRequest): Promise<Problem[]> {
    const problems: Problem[] = [];
    const add = (field: string, message: string) =>
      problems.push({ field, code: 'SUBJECT_ACCESS.ENTRY', message });
    const on = today();
    if (!isUuid(entry.personId)) add('personId', 'Find and choose the person the request is about');
    else {
      try {
        const person = await deps.people.requireAccess(viewer, entry.personId);
        if (person.organisationId !== viewer.organisationId)
          add('personId', 'Choose a person whose record your organisation holds');
      } catch (error) {
        if (!(error instanceof PersonAccessError)) throw error;
        add(
          'personId',
          'You may not open this person’s record: give a reason on their record first, or ask the Data Protection Officer',
        );
      }
    }
    if (entry.requesterKind === 'parental-responsibility') {
      const fault = requiredTextFault(entry.requesterName, {
        label: 'the requester’s name',
        blank: 'Enter the name of the person who asked',
        max: 200,
        shape: singleLine,
      });
      if (fault !== undefined) add('requesterName', fault);
      if (!(requesterRelationships as readonly string[]).includes(entry.requesterRelationship))
        add('requesterRelationship', 'Select who they are to the child');
    }
    if (!isDate(entry.receivedOn))
      add(
        'receivedOn',
        entry.receivedOn === ''
          ? 'Enter the date the request was received'
          : 'The date received must be a real date',
      );
    else if (entry.receivedOn > on) add('receivedOn', 'The date received must be today or in the past');
    const verification = requiredTextFault(entry.verification, {
      label: 'how their identity was checked',
      blank: 'Say how the requester’s identity was checked',
      max: 2000,
    });
    if (verification !== undefined) add('verification', verification);
    if (!isDate(entry.verifiedOn))
      add(
        'verifiedOn',
        entry.verifiedOn === ''
          ? 'Enter the date their identity was checked'
          : 'The date checked must be a real date',
      );
    else if (entry.verifiedOn > on) add('verifiedOn', 'The date checked must be today or in the past');
    else if (isDate(entry.receivedOn) && entry.verifiedOn < entry.receivedOn)
      add('verifiedOn', 'The date checked must be on or after the date the request was received');
    return problems;
  }

  /** Reads everything the report holds about the request's person: one query per kind. */
  async function sources(executor: Executor, row: store.RequestRow) {
    const [organisation, decisions, disclosures, consents, consentEvents, reads] = await Promise.all([
      store.organisationOf(executor, row.organisation_id),
      store.decisionsAbout(executor, row.person_id),
      store.disclosuresAbout(executor, row.person_id),
      store.consentsOf(executor, row.person_id),
      store.consentEventsOf(executor, row.person_id),
      store.readsOf(executor, row.organisation_id, row.person_id, readActions),
    ]);
    const organisationIds = new Set([
      ...decisions.flatMap((decision) =>
        (decision.answers.recipients?.recipients ?? []).map((recipient) => recipient.organisationId),
      ),
      ...consents.flatMap((consent) => consent.recipient_organisation_ids),
    ]);
    const names = await store.organisationNames(executor, [...organisationIds]);
    return { organisation, decisions, disclosures, consents, consentEvents, reads, names };
  }

  return {
    async list(viewer: Viewer): Promise<SubjectAccessRequest[]> {
      requireKeeper(viewer);
      const on = today();
      return (await store.requestsOf(db, viewer.organisationId)).map((row) => toRequest(row, on));
    },

    /**
     * What the DPO's dashboard counts of the register: the open requests, urgent when one is overdue,
     * each named by its reference and deadline (never the person). Nothing for those who do not keep it.
     */
    async actionItems(viewer: Viewer): Promise<readonly DeadlineAction[]> {
      if (!viewer.roles.some((role) => subjectAccessKeepers.includes(role))) return [];
      const on = today();
      const open = (await store.requestsOf(db, viewer.organisationId))
        .filter((row) => row.status === 'open')
        .map((row) => toRequest(row, on));
      return [
        {
          label: open.length === 1 ? 'subject access request open' : 'subject access requests open',
          count: open.length,
          href: subjectAccessPaths.list(),
          urgent: open.some((request) => request.deadline.kind === 'overdue'),
          details: open.map((request) => `${request.reference}: ${deadlineWords(request.deadline)}`),
        },
      ];
    },

    async find(viewer: Viewer, id: string): Promise<SubjectAccessRequest> {
      return toRequest(await open(viewer, id), today());
    },

    async create(viewer: Viewer, entry: NewRequest): Promise<string> {
      requireKeeper(viewer);
      const problems = await check(viewer, entry);
      if (problems.length > 0) throw new RuleError(problems);
      const parental = entry.requesterKind === 'parental-responsibility';
      return db.transaction().execute(async (trx) => {
        const row = await store.insertRequest(trx, {
          organisation_id: viewer.organisationId,
          person_id: entry.personId,
          requester_kind: entry.requesterKind,
          requester_name: parental ? entry.requesterName.trim() : null,
          requester_relationship: parental ? entry.requesterRelationship : null,
          received_on: entry.receivedOn,
          verification: entry.verification.trim(),
          verified_on: entry.verifiedOn,
          due_on: dueOn(entry.receivedOn),
          status: 'open',
          recorded_by: viewer.userId,
          created_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'subject_access.recorded',
          entity: { type: 'subject_access_request', id: row.id },
          personId: entry.personId,
          change: {
            reference: row.reference,
            requesterKind: entry.requesterKind,
            ...(parental ? { requesterRelationship: entry.requesterRelationship } : {}),
            receivedOn: entry.receivedOn,
            verifiedOn: entry.verifiedOn,
            dueOn: dueOn(entry.receivedOn),
          },
        });
        return row.id;
      });
    },

    /** Extends the deadline once, by one or two months from the original deadline, with the reason and when the requester was told. */
    async extend(viewer: Viewer, id: string, extension: Extension): Promise<void> {
      const problems: Problem[] = [];
      const add = (field: string, message: string) =>
        problems.push({ field, code: 'SUBJECT_ACCESS.EXTENSION', message });
      if (
        !Number.isInteger(extension.months) ||
        extension.months < 1 ||
        extension.months > maxExtensionMonths
      )
        add('months', 'Select by how much the deadline is extended: one or two months');
      const reason = requiredTextFault(extension.reason, {
        label: 'the reason',
        blank: 'Say why the request needs longer (it is complex, or one of several from this person)',
        max: 2000,
      });
      if (reason !== undefined) add('reason', reason);
      if (!isDate(extension.toldOn))
        add(
          'toldOn',
          extension.toldOn === ''
            ? 'Enter the date the requester was told'
            : 'The date told must be a real date',
        );
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx, true);
        if (row.status !== 'open') add('months', 'This request is closed: its deadline cannot be extended');
        else if (isDate(extension.toldOn)) {
          const fault = extensionFault(
            { receivedOn: row.received_on, dueOn: row.due_on, extendedTo: row.extended_to },
            extension.toldOn,
            today(),
          );
          if (fault !== undefined) add(row.extended_to === null ? 'toldOn' : 'months', fault);
        }
        if (problems.length > 0) throw new RuleError(problems);
        const extendedTo = extendedDueOn(row.due_on, extension.months);
        await store.updateRequest(trx, row.id, {
          extended_to: extendedTo,
          extension_reason: extension.reason.trim(),
          requester_told_on: extension.toldOn,
          extended_by: viewer.userId,
          extended_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'subject_access.extended',
          entity: { type: 'subject_access_request', id: row.id },
          personId: row.person_id,
          change: {
            months: extension.months,
            from: row.due_on,
            to: extendedTo,
            reason: extension.reason.trim(),
            requesterToldOn: extension.toldOn,
          },
        });
      });
    },

    /** Records that the request was answered, or refused with the reason (Art 12(5)); either closes it. */
    async close(viewer: Viewer, id: string, closing: Closing): Promise<void> {
      const problems: Problem[] = [];
      const add = (field: string, message: string) =>
        problems.push({ field, code: 'SUBJECT_ACCESS.CLOSE', message });
      const field = closing.outcome === 'answered' ? 'answeredOn' : 'refusedOn';
      if (!isDate(closing.on))
        add(field, closing.on === '' ? 'Enter the date' : 'The date must be a real date');
      else if (closing.on > today()) add(field, 'The date must be today or in the past');
      if (closing.outcome === 'refused') {
        const fault = requiredTextFault(closing.reason, {
          label: 'the reason',
          blank: 'Say why the request is refused (manifestly unfounded or excessive, UK GDPR Article 12(5))',
          max: 2000,
        });
        if (fault !== undefined) add('refusalReason', fault);
      }
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx, true);
        if (row.status !== 'open') add('outcome', 'This request is already closed');
        else if (isDate(closing.on) && closing.on < row.received_on)
          add(field, 'The date must be on or after the request was received');
        if (problems.length > 0) throw new RuleError(problems);
        await store.updateRequest(trx, row.id, {
          status: closing.outcome,
          ...(closing.outcome === 'answered'
            ? { answered_on: closing.on }
            : { refused_on: closing.on, refusal_reason: closing.reason.trim() }),
          closed_by: viewer.userId,
          closed_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: closing.outcome === 'answered' ? 'subject_access.answered' : 'subject_access.refused',
          entity: { type: 'subject_access_request', id: row.id },
          personId: row.person_id,
          change:
            closing.outcome === 'answered'
              ? { answeredOn: closing.on }
              : { refusedOn: closing.on, reason: closing.reason.trim() },
        });
      });
    },

    /**
     * Produces the report about the request's person, as a PDF for the family or a CSV for the DPO:
     * reads their history, renders it, and records the production on the request with its audit
     * event, in one transaction.
     */
    async produce(viewer: Viewer, id: string, format: 'pdf' | 'csv'): Promise<ProducedReport> {
      return db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx, true);
        const read = await sources(trx, row);
        const producedAt = clock.now();
        const report: SubjectAccessReport = buildReport(deps.policy, {
          request: {
            reference: row.reference,
            receivedOn: row.received_on,
            requesterKind: row.requester_kind,
            requesterName: row.requester_name,
            requesterRelationship: row.requester_relationship,
          },
          person: {
            name: `${row.person_given_names} ${row.person_family_name}`,
            dateOfBirth: row.person_date_of_birth,
          },
          organisation: read.organisation,
          producedAt,
          decisions: read.decisions,
          disclosures: read.disclosures,
          consents: read.consents,
          consentEvents: read.consentEvents,
          organisationNames: new Map(read.names.map((organisation) => [organisation.id, organisation.name])),
          reads: read.reads,
        });
        const bytes =
          format === 'pdf' ? await renderReportPdf(report) : Buffer.from(reportCsv(report), 'utf8');
        await store.markProduced(trx, row.id, viewer.userId, producedAt);
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'subject_access.report_produced',
          entity: { type: 'subject_access_request', id: row.id },
          personId: row.person_id,
          change: {
            reference: row.reference,
            format,
            decisions: report.decisions.length,
            disclosures: report.disclosures.length,
            consents: report.consents.length,
            reads: report.reads.length,
            sha256: sha256Hex(bytes),
          },
        });
        return {
          bytes,
          contentType: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
          fileName: `${row.reference}-subject-access.${format}`,
        };
      });
    },
  };
}

export type SubjectAccessService = ReturnType<typeof subjectAccessService>;
