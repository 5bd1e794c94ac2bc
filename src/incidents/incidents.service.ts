import { systemActor, type AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import type { CustodyService, MediaService } from '../custody/index.ts';
import type { ExchangeService } from '../exchange/index.ts';
import { NotFoundError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import { toJson } from '../lib/canonical-json.ts';
import { requiredTextFault } from '../lib/text.ts';
import { formatDateTime, londonToday } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { registerReaders } from './incidents.access.ts';
import { containment } from './incidents.containment.ts';
import { officers } from './incidents.officers.ts';
import { deadlineOf, readClock, remindersDue, reminderHours, type ClockReading } from './incidents.clock.ts';
import { IncidentNotFoundError, IncidentRuleError } from './incidents.errors.ts';
import { outcomeOf } from './incidents.grading.ts';
import { incidentPaths } from './incidents.paths.ts';
import * as store from './incidents.repository.ts';
import type { IncidentOutcome } from './incidents.table.ts';

export const incidentKinds = [
  'lost-or-stolen',
  'wrong-recipient',
  'unauthorised-access',
  'disclosed-in-error',
  'technical',
  'other',
] as const;
export type IncidentKind = (typeof incidentKinds)[number];

export interface IncidentReport {
  readonly kind: IncidentKind;
  readonly whatHappened: string;
  readonly happenedOn: string;
  readonly awareAt: Date;
  readonly information: string;
  readonly peopleAffected: number;
  readonly peopleEstimated: boolean;
  readonly actionsTaken: string;
  /** The disclosure it is about, when reported from one (R5.1). */
  readonly disclosureId?: string | undefined;
  /** The off-site log entry it reports lost (R4.3, R4.7.3): marked lost in the incident's transaction. */
  readonly custodyItemId?: string | undefined;
  /** The registered medium or device it reports lost (R4.7.3): marked lost in the incident's transaction. */
  readonly mediaItemId?: string | undefined;
  /** The misdirected information received it is about (R5.1). */
  readonly misdirectedId?: string | undefined;
}

export interface IncidentGrade {
  readonly likelihood: number;
  readonly severity: number;
  readonly notReportableReasons?: string | undefined;
}

export interface IcoReport {
  readonly reportedAt: Date;
  readonly reference: string;
  readonly lateReason?: string | undefined;
}

export interface IncidentClosure {
  readonly lessons: string;
  readonly hrReferral: boolean;
}

export interface Incident {
  readonly id: string;
  readonly reference: string;
  readonly kind: IncidentKind;
  readonly whatHappened: string;
  readonly happenedOn: string;
  readonly awareAt: Date;
  readonly information: string;
  readonly peopleAffected: number;
  readonly peopleEstimated: boolean;
  readonly actionsTaken: string;
  readonly reportedByName: string;
  readonly reportedAt: Date;
  readonly grade: {
    readonly likelihood: number;
    readonly severity: number;
    readonly outcome: IncidentOutcome;
    readonly notReportableReasons: string | null;
    readonly gradedByName: string | null;
    readonly gradedAt: Date;
  } | null;
  readonly ico: {
    readonly reportedAt: Date;
    readonly reference: string;
    readonly lateReason: string | null;
  } | null;
  readonly closure: {
    readonly lessons: string;
    readonly hrReferral: boolean;
    readonly closedByName: string | null;
    readonly closedAt: Date;
  } | null;
  /** The 72-hour clock while it runs: open, and not graded or graded reportable and not yet reported. */
  readonly clock: ClockReading | null;
  readonly deadline: Date;
  /** The disclosure it was reported from, if any. */
  readonly disclosureId: string | null;
  readonly custodyItemId: string | null;
  readonly mediaItemId: string | null;
  readonly misdirectedId: string | null;
  /** Telling the people affected (Art 34): the safety check first, then whether and how they were told. */
  readonly telling: {
    readonly risk: boolean;
    readonly reasons: string;
    readonly checkedAt: Date;
    readonly toldHow: string | null;
    readonly toldAt: Date | null;
  } | null;
}

export interface IncidentsDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly staff: Pick<StaffService, 'colleague' | 'activeHolders' | 'activeAmong' | 'list' | 'setActive'>;
  /** The disclosure an incident is reported from, as the reporter may see it. */
  readonly disclosures: Pick<DisclosuresService, 'find' | 'findMisdirected'>;
  /** The off-site log, whose lost items are reported here. */
  readonly custody: Pick<CustodyService, 'mayReportLost' | 'markLostIn'>;
  /** The media register, whose lost devices are reported here. */
  readonly media: Pick<MediaService, 'list' | 'mayReportLost' | 'markLostIn'>;
  /** The secure exchange, whose packages containment withdraws. */
  readonly exchange: Pick<ExchangeService, 'packageForDisclosure' | 'revoke'>;
}

function isKind(value: string): value is IncidentKind {
  return (incidentKinds as readonly string[]).includes(value);
}

/** The incident register (R5.1 to R5.4): report, grade, report to the ICO within 72 hours, close. */
export function incidentsService(deps: IncidentsDependencies) {
  const { db, clock, audit, notifications, staff } = deps;

  function toIncident(row: store.IncidentRow): Incident {
    const running =
      row.closed_at === null && row.ico_reported_at === null && row.outcome !== 'not-reportable';
    return {
      id: row.id,
      reference: row.reference,
      kind: isKind(row.kind) ? row.kind : 'other',
      whatHappened: row.what_happened,
      happenedOn: row.happened_on,
      awareAt: row.aware_at,
      information: row.information,
      peopleAffected: row.people_affected,
      peopleEstimated: row.people_estimated,
      actionsTaken: row.actions_taken,
      reportedByName: row.reported_by_name,
      reportedAt: row.reported_at,
      grade:
        row.outcome === null || row.likelihood === null || row.severity === null || row.graded_at === null
          ? null
          : {
              likelihood: row.likelihood,
              severity: row.severity,
              outcome: row.outcome,
              notReportableReasons: row.not_reportable_reasons,
              gradedByName: row.graded_by_name,
              gradedAt: row.graded_at,
            },
      ico:
        row.ico_reported_at === null || row.ico_reference === null
          ? null
          : { reportedAt: row.ico_reported_at, reference: row.ico_reference, lateReason: row.late_reason },
      closure:
        row.closed_at === null || row.lessons === null
          ? null
          : {
              lessons: row.lessons,
              hrReferral: row.hr_referral === true,
              closedByName: row.closed_by_name,
              closedAt: row.closed_at,
            },
      clock: running ? readClock(row.aware_at, clock.now()) : null,
      deadline: deadlineOf(row.aware_at),
      disclosureId: row.disclosure_id,
      custodyItemId: row.custody_item_id,
      mediaItemId: row.media_item_id,
      misdirectedId: row.misdirected_id,
      telling:
        row.safety_risk === null || row.safety_reasons === null || row.safety_checked_at === null
          ? null
          : {
              risk: row.safety_risk,
              reasons: row.safety_reasons,
              checkedAt: row.safety_checked_at,
              toldHow: row.told_how,
              toldAt: row.told_at,
            },
    };
  }

  /** Whether the viewer may see an incident: the whole register's readers, the reporter, and the reporter's line manager. */
  function maySee(viewer: Viewer, row: store.IncidentRow): boolean {
    return (
      viewer.roles.some((role) => registerReaders.includes(role)) ||
      row.reported_by === viewer.userId ||
      row.reporter_manager_id === viewer.userId ||
      row.officers_told.includes(viewer.userId)
    );
  }

  async function open(
    viewer: Viewer,
    id: string,
    forUpdate?: { trx: Parameters<typeof store.findIncident>[0] },
  ) {
    const row = await store.findIncident(forUpdate?.trx ?? db, viewer.organisationId, id, {
      forUpdate: forUpdate !== undefined,
    });
    if (row === undefined || !maySee(viewer, row)) throw new IncidentNotFoundError();
    return row;
  }

  /** Those told at once of a new incident (R5.2): the reporter's line manager, the IT service desk and the DPO. */
  async function toldOfReport(viewer: Viewer): Promise<string[]> {
    const [reporter, desk, dpos] = await Promise.all([
      staff.colleague(viewer.userId),
      staff.activeHolders(viewer.organisationId, 'it_service_desk'),
      staff.activeHolders(viewer.organisationId, 'dpo'),
    ]);
    const manager = reporter?.lineManagerId ?? null;
    const active = manager === null ? new Set<string>() : await staff.activeAmong([manager]);
    return [
      ...new Set([...(manager !== null && active.has(manager) ? [manager] : []), ...desk, ...dpos]),
    ].filter((userId) => userId !== viewer.userId);
  }

  /** Whether the viewer may see the disclosure (and so report an incident about it). */
  async function mayReportAbout(viewer: Viewer, disclosureId: string): Promise<boolean> {
    return deps.disclosures.find(viewer, disclosureId).then(
      () => true,
      (error: unknown) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
  }

  return {
    mayReportAbout,
    ...containment({
      db,
      clock,
      audit,
      exchange: deps.exchange,
      staff,
      notifications,
      media: deps.media,
      openForChange: (viewer, id, trx) => open(viewer, id, { trx }),
    }),
    ...officers({
      db,
      clock,
      audit,
      staff,
      notifications,
      openForChange: (viewer, id, trx) => open(viewer, id, { trx }),
    }),

    /** The accounts containment may disable: the organisation's other active staff, by name. */
    async accountsToDisable(
      viewer: Viewer,
    ): Promise<{ id: string; displayName: string; jobTitle: string | null }[]> {
      const members = await staff.list({ organisationId: viewer.organisationId });
      return members
        .filter((member) => member.active && member.id !== viewer.userId)
        .map((member) => ({ id: member.id, displayName: member.displayName, jobTitle: member.jobTitle }))
        .sort((a, b) => a.displayName.localeCompare(b.displayName, 'en-GB'));
    },

    /** Records an incident and tells the line manager, the IT service desk and the DPO at once (R5.1, R5.2). */
    async report(viewer: Viewer, report: IncidentReport): Promise<string> {
      const now = clock.now();
      if (report.awareAt.getTime() > now.getTime())
        throw IncidentRuleError.of(
          'awareAt',
          'INCIDENT.AWARE_IN_FUTURE',
          'When it was discovered must be now or in the past',
        );
      if (report.happenedOn > londonToday(report.awareAt))
        throw IncidentRuleError.of(
          'happenedOn',
          'INCIDENT.HAPPENED_AFTER_DISCOVERY',
          'When it happened must be on or before when it was discovered',
        );
      if (report.disclosureId !== undefined) {
        // Only a disclosure the reporter may see: anything else is refused as if it did not exist.
        if (!(await mayReportAbout(viewer, report.disclosureId)))
          throw IncidentRuleError.of(
            'disclosureId',
            'INCIDENT.DISCLOSURE_NOT_FOUND',
            'Report the incident from the page of a disclosure you can see',
          );
      }
      if (
        report.custodyItemId !== undefined &&
        (await deps.custody.mayReportLost(viewer, report.custodyItemId)) === undefined
      )
        throw IncidentRuleError.of(
          'custodyItemId',
          'INCIDENT.CUSTODY_NOT_FOUND',
          'Report the loss from the off-site log entry of something you or your team have off site',
        );
      if (
        report.mediaItemId !== undefined &&
        (await deps.media.mayReportLost(viewer, report.mediaItemId)) === undefined
      )
        throw IncidentRuleError.of(
          'mediaItemId',
          'INCIDENT.MEDIA_NOT_FOUND',
          'Report the loss from the register entry of a medium or device you or your team hold',
        );
      if (
        report.misdirectedId !== undefined &&
        (await deps.disclosures.findMisdirected(viewer, report.misdirectedId)) === undefined
      )
        throw IncidentRuleError.of(
          'misdirectedId',
          'INCIDENT.MISDIRECTED_NOT_FOUND',
          'Report the incident from an entry of your organisation’s misdirected-information register',
        );
      const told = await toldOfReport(viewer);
      return db.transaction().execute(async (trx) => {
        const { id, reference } = await store.insertIncident(trx, {
          organisation_id: viewer.organisationId,
          kind: report.kind,
          what_happened: report.whatHappened,
          happened_on: report.happenedOn,
          aware_at: report.awareAt,
          information: report.information,
          people_affected: report.peopleAffected,
          people_estimated: report.peopleEstimated,
          actions_taken: report.actionsTaken,
          disclosure_id: report.disclosureId ?? null,
          custody_item_id: report.custodyItemId ?? null,
          media_item_id: report.mediaItemId ?? null,
          misdirected_id: report.misdirectedId ?? null,
          reported_by: viewer.userId,
          reported_at: now,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.reported',
          entity: { type: 'incident', id },
          change: toJson({ ...report, awareAt: report.awareAt.toISOString(), reference }),
        });
        if (report.custodyItemId !== undefined)
          await deps.custody.markLostIn(trx, viewer, report.custodyItemId, reference);
        if (report.mediaItemId !== undefined)
          await deps.media.markLostIn(trx, viewer, report.mediaItemId, reference);
        for (const userId of told)
          await notifications.notify(trx, {
            organisationId: viewer.organisationId,
            userId,
            kind: 'incident.reported',
            subject: `Incident ${reference} reported`,
            body: `An information security incident, ${reference}, was reported. If it must be reported to the Information Commissioner's Office, that is due by ${formatDateTime(deadlineOf(report.awareAt))}, 72 hours after it was discovered.`,
            link: incidentPaths.incident(id),
          });
        return id;
      });
    },

    /** The incidents this viewer may see, open ones first. */
    async list(viewer: Viewer): Promise<Incident[]> {
      const rows = await store.incidentsOf(db, viewer.organisationId, 500);
      return rows.filter((row) => maySee(viewer, row)).map(toIncident);
    },

    /** The whole register for the DPO's spreadsheet, with the export in the audit trail. */
    async exportRegister(viewer: Viewer): Promise<Incident[]> {
      const rows = await store.incidentsOf(db, viewer.organisationId, 10_000);
      const list = rows.filter((row) => maySee(viewer, row)).map(toIncident);
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.register_exported',
          entity: { type: 'incident_register', id: null },
          change: { incidents: list.length },
        }),
      );
      return list;
    },

    async find(viewer: Viewer, id: string): Promise<Incident> {
      return toIncident(await open(viewer, id));
    },

    /**
     * The DPO's grading (R5.3): likelihood and severity of harm give the outcome. "Not reportable"
     * needs the DPO's reasons. Regrading is allowed until the incident is reported or closed.
     */
    async grade(viewer: Viewer, id: string, grade: IncidentGrade): Promise<IncidentOutcome> {
      const outcome = outcomeOf(grade.likelihood, grade.severity);
      const reasons = grade.notReportableReasons?.trim() ?? '';
      if (outcome === 'not-reportable' && reasons === '')
        throw IncidentRuleError.of(
          'notReportableReasons',
          'INCIDENT.REASONS_NEEDED',
          'Give your reasons for judging that this incident does not need to be reported to the ICO',
        );
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, { trx });
        if (row.closed_at !== null || row.ico_reported_at !== null)
          throw IncidentRuleError.of(
            'likelihood',
            'INCIDENT.SETTLED',
            'This incident has been reported to the ICO or closed: its grading can no longer change',
          );
        const now = clock.now();
        await store.updateIncident(trx, id, {
          likelihood: grade.likelihood,
          severity: grade.severity,
          outcome,
          not_reportable_reasons: outcome === 'not-reportable' ? reasons : null,
          graded_by: viewer.userId,
          graded_at: now,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.graded',
          entity: { type: 'incident', id },
          change: toJson({
            likelihood: grade.likelihood,
            severity: grade.severity,
            outcome,
            notReportableReasons: outcome === 'not-reportable' ? reasons : null,
          }),
        });
      });
      return outcome;
    },

    /**
     * That the incident was reported to the ICO (Art 33): when, and the ICO's reference. After the
     * 72 hours, the reasons for the delay are required (Art 33(1)).
     */
    async recordIcoReport(viewer: Viewer, id: string, report: IcoReport): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, { trx });
        const problem = (field: string, code: string, message: string) => {
          throw IncidentRuleError.of(field, code, message);
        };
        if (row.outcome === null || row.outcome === 'not-reportable')
          problem(
            'reportedAt',
            'INCIDENT.NOT_REPORTABLE',
            'Grade the incident as reportable before recording a report to the ICO',
          );
        if (row.ico_reported_at !== null || row.closed_at !== null)
          problem(
            'reportedAt',
            'INCIDENT.ALREADY_REPORTED',
            'The report to the ICO has already been recorded',
          );
        if (report.reportedAt.getTime() > clock.now().getTime())
          problem(
            'reportedAt',
            'INCIDENT.REPORTED_IN_FUTURE',
            'When it was reported must be now or in the past',
          );
        if (report.reportedAt.getTime() < row.aware_at.getTime())
          problem(
            'reportedAt',
            'INCIDENT.REPORTED_BEFORE_AWARE',
            'When it was reported must be after it was discovered',
          );
        const late = report.reportedAt.getTime() > deadlineOf(row.aware_at).getTime();
        const lateReason = report.lateReason?.trim() ?? '';
        if (late && lateReason === '')
          problem(
            'lateReason',
            'INCIDENT.LATE_REASON_NEEDED',
            'It was reported more than 72 hours after it was discovered: give the reasons for the delay',
          );
        await store.updateIncident(trx, id, {
          ico_reported_at: report.reportedAt,
          ico_reference: report.reference,
          late_reason: late ? lateReason : null,
          ico_recorded_by: viewer.userId,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.ico_reported',
          entity: { type: 'incident', id },
          change: toJson({
            reportedAt: report.reportedAt.toISOString(),
            reference: report.reference,
            late,
            lateReason: late ? lateReason : null,
          }),
        });
      });
    },

    /**
     * The safety check before telling the people affected (Art 34, and the source policy's caution
     * about harm): could telling them put a child at risk? Recorded with reasons either way, by the
     * DPO, once the grading says they must be told. Where it could, they are not told, and the
     * reasons stand as the record of why.
     */
    async recordSafetyCheck(
      viewer: Viewer,
      id: string,
      check: { risk: boolean; reasons: string },
    ): Promise<void> {
      const reasons = check.reasons.trim();
      const fault = requiredTextFault(reasons, {
        label: 'your reasons',
        blank: 'Give your reasons',
        max: 4000,
      });
      if (fault !== undefined) throw IncidentRuleError.of('safetyReasons', 'INCIDENT.SAFETY_REASONS', fault);
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, { trx });
        if (row.closed_at !== null || row.outcome !== 'report-and-tell' || row.told_at !== null)
          throw IncidentRuleError.of(
            'safetyRisk',
            'INCIDENT.NO_TELLING',
            'A safety check is recorded only while the people affected are still to be told',
          );
        await store.updateIncident(trx, id, {
          safety_risk: check.risk,
          safety_reasons: reasons,
          safety_checked_by: viewer.userId,
          safety_checked_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.safety_checked',
          entity: { type: 'incident', id },
          change: { risk: check.risk, reasons },
        });
      });
    },

    /** That the people affected were told, and how: only after a safety check that found no risk to a child. */
    async recordTold(viewer: Viewer, id: string, how: string): Promise<void> {
      const text = how.trim();
      const fault = requiredTextFault(text, {
        label: 'how they were told',
        blank: 'Say how the people affected were told',
        max: 2000,
      });
      if (fault !== undefined) throw IncidentRuleError.of('toldHow', 'INCIDENT.TOLD_HOW', fault);
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, { trx });
        if (row.safety_risk !== false || row.told_at !== null || row.closed_at !== null)
          throw IncidentRuleError.of(
            'toldHow',
            'INCIDENT.SAFETY_FIRST',
            row.safety_risk === true
              ? 'The safety check found that telling them could put a child at risk: they are not told'
              : 'Record the safety check before telling the people affected',
          );
        await store.updateIncident(trx, id, { told_how: text, told_by: viewer.userId, told_at: clock.now() });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.people_told',
          entity: { type: 'incident', id },
          change: { how: text },
        });
      });
    },

    /** Closing needs the DPO, a grading, the ICO report where one is due, and the lessons learned (R5.4). */
    async close(viewer: Viewer, id: string, closure: IncidentClosure): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, { trx });
        if (row.closed_at !== null)
          throw IncidentRuleError.of('lessons', 'INCIDENT.CLOSED', 'This incident is already closed');
        if (row.outcome === null)
          throw IncidentRuleError.of(
            'lessons',
            'INCIDENT.NOT_GRADED',
            'Grade the incident before closing it',
          );
        if (row.outcome !== 'not-reportable' && row.ico_reported_at === null)
          throw IncidentRuleError.of(
            'lessons',
            'INCIDENT.NOT_REPORTED',
            'Record the report to the ICO before closing the incident',
          );
        // Art 34: the people affected are told, unless the safety check found it would put a child at risk.
        if (
          row.outcome === 'report-and-tell' &&
          (row.safety_risk === null || (!row.safety_risk && row.told_at === null))
        )
          throw IncidentRuleError.of(
            'lessons',
            'INCIDENT.NOT_TOLD',
            row.safety_risk === null
              ? 'Record the safety check on telling the people affected before closing the incident'
              : 'Record that the people affected were told before closing the incident',
          );
        await store.updateIncident(trx, id, {
          lessons: closure.lessons,
          hr_referral: closure.hrReferral,
          closed_by: viewer.userId,
          closed_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'incident.closed',
          entity: { type: 'incident', id },
          change: toJson(closure),
        });
      });
    },

    /**
     * The clock's reminders (24, 48 and 66 hours after awareness) to the DPO, for each incident still
     * waiting on it; each reminder once, whichever app server runs it. Run by the job queue every five minutes (src/jobs/safeshare.jobs.ts).
     */
    async remindClock(): Promise<number> {
      const now = clock.now();
      let sent = 0;
      for (const row of await store.clockRunning(db, 1000)) {
        const due = remindersDue(row.aware_at, now);
        if (due <= row.reminders_sent) continue;
        const dpos = await staff.activeHolders(row.organisation_id, 'dpo');
        const hours = reminderHours[due - 1] ?? 0;
        const advanced = await db.transaction().execute(async (trx) => {
          // Every app server runs the clock: the one that moves the count on sends the reminder.
          if (!(await store.advanceReminders(trx, row.id, due))) return false;
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: systemActor,
            action: 'incident.clock_reminder',
            entity: { type: 'incident', id: row.id },
            change: { hoursSinceAware: hours },
          });
          for (const userId of dpos)
            await notifications.notify(trx, {
              organisationId: row.organisation_id,
              userId,
              kind: 'incident.clock',
              subject: `Incident ${row.reference}: ${String(72 - hours)} hours left to report to the ICO`,
              body: `Incident ${row.reference} was discovered ${String(hours)} hours ago. If it must be reported to the Information Commissioner's Office, that is due by ${formatDateTime(deadlineOf(row.aware_at))}. ${row.outcome === null ? 'It has not been graded yet.' : 'It has been graded as reportable and the report has not been recorded.'}`,
              link: incidentPaths.incident(row.id),
            });
          return true;
        });
        if (advanced) sent += 1;
      }
      return sent;
    },
  };
}

export type IncidentsService = ReturnType<typeof incidentsService>;
