import type { AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { incidentsService } from '../incidents/index.ts';
import { consentPaths } from '../consent/consent.paths.ts';
import { disclosurePaths } from '../disclosures/disclosures.paths.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { addDays, addMonths } from '../lib/calendar.ts';
import type { Clock } from '../lib/clock.ts';
import type { Role } from '../lib/roles.ts';
import { formatDateTime, londonInstant, londonToday } from '../lib/time.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { sharingPaths } from '../sharing/sharing.paths.ts';
import type { FilterChoices, OversightFilter } from './oversight.filters.ts';
import * as store from './oversight.repository.ts';
import {
  accessReasonText,
  methodLabel,
  monthLabel,
  monthsBetween,
  peopleText,
  sorted,
  words,
} from './oversight.words.ts';

type IncidentsService = ReturnType<typeof incidentsService>;

export { listCountLimit } from './oversight.repository.ts';

/** Who sees the dashboard: those who answer for the organisation's sharing (R6.1). */
export const dashboardReaders: readonly Role[] = ['dpo', 'ig_lead', 'caldicott_guardian', 'auditor'];
/** Who reads the organisation-wide lists; a line manager reads them for their own team only. */
export const listReaders: readonly Role[] = [...dashboardReaders, 'manager'];
/** Who sees people's names in the lists: the roles that may open every record of the organisation (R2.5). */
const namingRoles: readonly Role[] = ['dpo', 'caldicott_guardian'];

export function seesWholeOrganisation(viewer: Viewer): boolean {
  return viewer.roles.some((role) => dashboardReaders.includes(role));
}

/** One thing waiting for action, counted, with where to act on it. */
export interface ActionItem {
  readonly label: string;
  readonly count: number;
  readonly href: string;
  /** Past a deadline: shown as a warning. */
  readonly urgent: boolean;
  readonly details: readonly string[];
}

/**
 * Something else the dashboard counts, handed in by the composition (subject access requests and
 * their deadlines, records due for disposal): one line in app.ts adds one.
 */
export type ActionSource = (viewer: Viewer) => Promise<readonly ActionItem[]>;

export interface CountedRow {
  readonly key: string;
  readonly label: string;
  readonly count: number;
}

export interface Dashboard {
  readonly actions: readonly ActionItem[];
  readonly byMonth: readonly CountedRow[];
  readonly byMethod: readonly CountedRow[];
  readonly byRecipient: readonly CountedRow[];
  readonly withoutConsent: readonly CountedRow[];
  readonly refusals: readonly CountedRow[];
  readonly totalDisclosures: number;
}

export interface OversightDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly policy: PolicyPack;
  readonly staff: Pick<StaffService, 'reportsOf'>;
  readonly orgs: Pick<OrgsService, 'list'>;
  readonly incidents: Pick<IncidentsService, 'list'>;
  readonly audit: Pick<AuditService, 'record'>;
}

const approvalReasons: Readonly<Record<string, string>> = {
  'public-interest': 'Approval refused: sharing in the public interest',
  bulk: 'Approval refused: bulk sharing',
};

const pageSize = 50;
/** The most rows one CSV export holds; a wider period is exported in parts. */
const exportLimit = 50_000;

export function oversightService(deps: OversightDependencies, sources: readonly ActionSource[] = []) {
  const { db, clock, policy } = deps;
  const basisLabels = new Map(policy.sharing.lawfulBases.article6.map((basis) => [basis.id, basis.label]));
  const reasonLabels = new Map(policy.sharing.notShareReasons.map((reason) => [reason.id, reason.label]));
  const today = () => londonToday(clock.now());

  /** The staff whose work the viewer may count: a line manager's own team unless they oversee the organisation. */
  async function staffScope(viewer: Viewer, filter: OversightFilter): Promise<readonly string[] | null> {
    const teamOf = async (managerId: string) => [
      managerId,
      ...(await deps.staff.reportsOf(managerId))
        .filter((report) => report.organisationId === viewer.organisationId)
        .map((report) => report.id),
    ];
    if (!seesWholeOrganisation(viewer)) {
      // ADR 0016: a line manager's team is the people they line-manage (and their own work).
      const own = await teamOf(viewer.userId);
      return filter.practitionerId === null || own.includes(filter.practitionerId) ? own : [];
    }
    return filter.teamManagerId === null ? null : teamOf(filter.teamManagerId);
  }

  async function scopeOf(viewer: Viewer, filter: OversightFilter): Promise<store.OversightScope> {
    return {
      organisationId: viewer.organisationId,
      from: filter.from,
      to: filter.to,
      recipientOrganisationId: filter.recipientOrganisationId,
      staffIds: await staffScope(viewer, filter),
    };
  }

  async function namesFor(viewer: Viewer, ids: readonly string[]): Promise<Map<string, string> | null> {
    if (!viewer.roles.some((role) => namingRoles.includes(role))) return null;
    return store.personNames(db, viewer.organisationId, [...new Set(ids)]);
  }

  async function actionsFor(viewer: Viewer): Promise<ActionItem[]> {
    const [counts, incidents, more] = await Promise.all([
      store.actionCounts(db, viewer.organisationId, today()),
      deps.incidents.list(viewer),
      Promise.all(sources.map((source) => source(viewer))),
    ]);
    const open = incidents.filter((incident) => incident.closure === null);
    const clocks = open
      .flatMap((incident) => (incident.clock === null ? [] : [{ incident, clock: incident.clock }]))
      .sort((a, b) => a.clock.deadline.getTime() - b.clock.deadline.getTime());
    const overdueClocks = clocks.filter((entry) => entry.clock.overdue).length;
    return [
      {
        label: words(counts.consentReviewsOverdue, 'consent review overdue', 'consent reviews overdue'),
        count: counts.consentReviewsOverdue,
        href: consentPaths.reviews,
        urgent: counts.consentReviewsOverdue > 0,
        details: [],
      },
      {
        label: words(counts.receiptsOverdue, 'receipt overdue', 'receipts overdue'),
        count: counts.receiptsOverdue,
        href: disclosurePaths.receipts(),
        urgent: counts.receiptsOverdue > 0,
        details: [],
      },
      {
        label: words(counts.approvalsWaiting, 'approval waiting', 'approvals waiting'),
        count: counts.approvalsWaiting,
        href: sharingPaths.approvalQueue(),
        urgent: false,
        details: [],
      },
      {
        label: words(open.length, 'open incident', 'open incidents'),
        count: open.length,
        href: incidentPaths.list(),
        urgent: overdueClocks > 0,
        details: clocks.map(
          ({ incident, clock: reading }) =>
            `Incident ${incident.reference}: report to the ICO by ${formatDateTime(reading.deadline)} (${reading.text})`,
        ),
      },
      ...more.flat(),
    ];
  }

  /** An export takes personal data out of Safeshare: who took what, under which filter, is recorded. */
  async function recordExport(viewer: Viewer, list: string, filter: OversightFilter, rows: number) {
    await db.transaction().execute((trx) =>
      deps.audit.record(trx, {
        organisationId: viewer.organisationId,
        actor: actorOf(viewer),
        action: 'oversight.exported',
        entity: { type: 'oversight_list', id: list },
        personId: filter.personId,
        change: {
          list,
          rows,
          from: filter.from,
          to: filter.to,
          teamManagerId: filter.teamManagerId,
          recipientOrganisationId: filter.recipientOrganisationId,
          practitionerId: filter.practitionerId,
          lawfulBasis: filter.lawfulBasis,
          consent: filter.consent,
        },
      }),
    );
  }

  const service = {
    pageSize,

    /** The organisation's lists to filter by. */
    async choices(viewer: Viewer): Promise<FilterChoices> {
      const [staff, organisations] = await Promise.all([
        store.organisationStaff(db, viewer.organisationId),
        deps.orgs.list(),
      ]);
      const managerIds = new Set(
        staff.flatMap((member) => (member.line_manager_id === null ? [] : [member.line_manager_id])),
      );
      // A line manager filters within their own team only (ADR 0016).
      const team = seesWholeOrganisation(viewer)
        ? null
        : new Set([
            viewer.userId,
            ...staff.filter((member) => member.line_manager_id === viewer.userId).map((member) => member.id),
          ]);
      return {
        managers:
          team === null
            ? staff
                .filter((member) => managerIds.has(member.id))
                .map((member) => ({ id: member.id, name: member.display_name }))
            : [],
        staff: staff
          .filter((member) => team === null || team.has(member.id))
          .map((member) => ({ id: member.id, name: member.display_name })),
        organisations: organisations.map((organisation) => ({
          id: organisation.id,
          name: organisation.name,
        })),
        lawfulBases: policy.sharing.lawfulBases.article6.map((basis) => ({
          id: basis.id,
          label: basis.label,
        })),
      };
    },

    today,

    /** What needs action, and the period's sharing counted for the charts (R6.1). */
    async dashboard(viewer: Viewer, filter: OversightFilter): Promise<Dashboard> {
      const scope = await scopeOf(viewer, filter);
      const months = monthsBetween(filter.from, filter.to);
      const [actions, counts, withoutConsent, refusals] = await Promise.all([
        actionsFor(viewer),
        store.disclosureCounts(db, scope, periodMonths(months, filter, today())),
        store.withoutConsentByBasis(db, scope),
        store.refusalsByReason(db, scope),
      ]);
      const total = (
        key: (row: (typeof counts)[number]) => string,
        label: (row: (typeof counts)[number]) => string,
      ) => {
        const totals = new Map<string, CountedRow>();
        for (const row of counts) {
          const at = key(row);
          const counted = totals.get(at);
          totals.set(at, {
            key: at,
            label: counted?.label ?? label(row),
            count: (counted?.count ?? 0) + row.count,
          });
        }
        return [...totals.values()];
      };
      const monthCounts = new Map(
        total(
          (row) => row.month,
          (row) => row.month,
        ).map((row) => [row.key, row.count]),
      );
      return {
        actions,
        byMonth: months.map((month) => ({
          key: month,
          label: monthLabel(month),
          count: monthCounts.get(month) ?? 0,
        })),
        byMethod: sorted(
          total(
            (row) => row.method,
            (row) => methodLabel(row.method),
          ),
        ),
        byRecipient: sorted(
          total(
            (row) => row.recipient,
            (row) => row.recipient_name ?? 'Unknown organisation',
          ),
        ),
        withoutConsent: withoutConsent.map((row) => ({
          key: row.basis ?? 'none',
          label: row.basis === null ? 'No Article 6 basis given' : (basisLabels.get(row.basis) ?? row.basis),
          count: row.count,
        })),
        refusals: refusals.map((row) => ({
          key: `${row.kind}:${row.reason}`,
          label:
            row.kind === 'approval'
              ? (approvalReasons[row.reason] ?? `Approval refused: ${row.reason}`)
              : (reasonLabels.get(row.reason) ?? row.reason),
          count: row.count,
        })),
        totalDisclosures: counts.reduce((sum, row) => sum + row.count, 0),
      };
    },

    /** A page of the recorded decisions the viewer may oversee, with people named where the viewer may see them. */
    async decisions(viewer: Viewer, filter: OversightFilter, page = pageOf(filter)) {
      const scope = await scopeOf(viewer, filter);
      const rows = await store.decisionsPage(db, scope, filter, page);
      const names = await namesFor(
        viewer,
        rows.flatMap((row) => row.person_ids),
      );
      const organisations = new Map(
        (await deps.orgs.list()).map((organisation) => [organisation.id, organisation.name]),
      );
      return {
        total: rows[0]?.total ?? 0,
        rows: rows.map((row) => ({
          id: row.id,
          reference: row.reference,
          recordedAt: row.recorded_at,
          outcome: row.outcome,
          recordedBy: row.recorded_by_name ?? 'Unknown',
          lawfulBasis:
            row.lawful_basis === null ? 'Not given' : (basisLabels.get(row.lawful_basis) ?? row.lawful_basis),
          withoutConsent: row.without_consent,
          recipients: row.recipient_organisation_ids.map(
            (id) => organisations.get(id) ?? 'Unknown organisation',
          ),
          people: peopleText(row.people, row.person_ids, names),
          disclosures: row.disclosures,
        })),
      };
    },

    /** A page of the disclosures the viewer may oversee. */
    async disclosures(viewer: Viewer, filter: OversightFilter, page = pageOf(filter)) {
      const scope = await scopeOf(viewer, filter);
      const rows = await store.disclosuresPage(db, scope, filter, page);
      const names = await namesFor(
        viewer,
        rows.flatMap((row) => row.person_ids),
      );
      return {
        total: rows[0]?.total ?? 0,
        rows: rows.map((row) => ({
          id: row.id,
          decisionId: row.decision_id,
          reference: row.reference,
          disclosedAt: row.disclosed_at,
          method: methodLabel(row.method),
          recipient: row.recipient_name,
          recipientRole: row.recipient_role,
          recipientOrganisation: row.recipient_organisation_name ?? 'Unknown organisation',
          disclosedBy: row.disclosed_by_name ?? 'Unknown',
          lawfulBasis:
            row.lawful_basis === null ? 'Not given' : (basisLabels.get(row.lawful_basis) ?? row.lawful_basis),
          withoutConsent: row.without_consent,
          receipt:
            row.receipt_confirmed_at !== null
              ? 'Confirmed'
              : row.receipt_due_on === null
                ? 'Not asked for'
                : row.receipt_due_on < today()
                  ? 'Overdue'
                  : 'Waiting',
          people: peopleText(row.people, row.person_ids, names),
        })),
      };
    },

    /** Every decision the filter matches (up to the export limit), with the export in the audit trail. */
    async exportDecisions(viewer: Viewer, filter: OversightFilter) {
      const page = await service.decisions(viewer, filter, { limit: exportLimit, offset: 0 });
      await recordExport(viewer, 'decisions', filter, page.rows.length);
      return page.rows;
    },

    /** Every disclosure the filter matches (up to the export limit), with the export in the audit trail. */
    async exportDisclosures(viewer: Viewer, filter: OversightFilter) {
      const page = await service.disclosures(viewer, filter, { limit: exportLimit, offset: 0 });
      await recordExport(viewer, 'disclosures', filter, page.rows.length);
      return page.rows;
    },

    /** Why a line manager's team opened records: break-glass reasons and the basis of each read (R2.2). */
    async teamAccessReasons(viewer: Viewer, filter: OversightFilter) {
      const staffIds = (await staffScope(viewer, filter)) ?? [];
      const rows = await store.accessReasons(db, viewer.organisationId, staffIds, filter, 200);
      return rows.map((row) => ({
        occurredAt: row.occurred_at,
        by: row.actor_label,
        what: row.action === 'person.break_glass' ? 'Gave a reason to open a record' : 'Opened a record',
        reason: accessReasonText(row.reason),
        personId: row.person_id,
      }));
    },

    /** People's names by id, for a viewer who may open every record of the organisation; null for anyone else. */
    personNames: namesFor,

    /** Whether the viewer oversees the whole organisation, or only a team. */
    seesWholeOrganisation,
    /** Whether the viewer sees people's names in the lists. */
    namesPeople: (viewer: Viewer) => viewer.roles.some((role) => namingRoles.includes(role)),
  };
  return service;
}

/**
 * Each month of the period, whole or a part: a month is whole when the period covers it from its
 * first day to its last, or to today (nothing is logged after today).
 */
function periodMonths(
  months: readonly string[],
  filter: OversightFilter,
  today: string,
): store.PeriodMonth[] {
  const instant = (date: string) => londonInstant(date, '00:00') ?? new Date(`${date}T00:00:00Z`);
  const periodStart = instant(filter.from);
  const periodEnd = instant(addDays(filter.to, 1));
  return months.map((month) => {
    const first = `${month}-01`;
    const next = addMonths(first, 1);
    const whole = first >= filter.from && (addDays(next, -1) <= filter.to || filter.to >= today);
    const start = instant(first);
    const end = instant(next);
    return {
      key: month,
      first,
      whole,
      from: start > periodStart ? start : periodStart,
      to: end < periodEnd ? end : periodEnd,
    };
  });
}

function pageOf(filter: OversightFilter): { limit: number; offset: number } {
  return { limit: pageSize, offset: (filter.page - 1) * pageSize };
}

export type OversightService = ReturnType<typeof oversightService>;
