import type { AuditService } from '../audit/index.ts';
import { roleNames, roles, type Role, type StaffService, type Viewer } from '../auth/index.ts';
import { auditPaths } from '../audit/audit.paths.ts';
import type { ConsentService } from '../consent/index.ts';
import { consentPaths } from '../consent/consent.paths.ts';
import type { CustodyService, MediaService } from '../custody/index.ts';
import { custodyPaths } from '../custody/custody.paths.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import { disclosurePaths } from '../disclosures/disclosures.paths.ts';
import type { incidentsService } from '../incidents/index.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { formatDateTime } from '../lib/time.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { RetentionService } from '../retention/index.ts';
import { sharingPaths } from '../sharing/sharing.paths.ts';
import type { SharingService } from '../sharing/index.ts';
import type { SubjectAccessService } from '../subject-access/index.ts';

type IncidentsService = ReturnType<typeof incidentsService>;

/** What the home page reads, each through its capability's service. */
export interface HomeWorkDependencies {
  readonly sharing: Pick<SharingService, 'approvalQueue' | 'adviceInbox'>;
  readonly incidents: Pick<IncidentsService, 'list' | 'actionsOf'>;
  readonly consent: Pick<ConsentService, 'reviewCounts'>;
  readonly custody: Pick<CustodyService, 'list'>;
  readonly media: Pick<MediaService, 'list'>;
  readonly disclosures: Pick<DisclosuresService, 'awaitedReceipts'>;
  readonly staff: Pick<StaffService, 'counts' | 'team'>;
  readonly orgs: Pick<OrgsService, 'count'>;
  readonly audit: Pick<AuditService, 'latestSeq' | 'trail'>;
  readonly subjectAccess: Pick<SubjectAccessService, 'actionItems'>;
  readonly retention: Pick<RetentionService, 'actionItems'>;
}

/** One count on the home page: how many things wait, where they are, and what else to know. */
export interface WorkCount {
  readonly count: number;
  /** "open incident" / "open incidents": the words after the number. */
  readonly label: string;
  readonly href: string;
  /** Something needs doing now (an overdue clock or task): the count is shown as a warning. */
  readonly urgent: boolean;
  readonly details: readonly string[];
  /** Things to open straight away (an incident whose containment waits), by their reference. */
  readonly links: readonly { readonly text: string; readonly href: string }[];
}

/** A role's section of the home page: its work, counted. */
export interface RoleWork {
  readonly role: Role;
  readonly heading: string;
  readonly counts: readonly WorkCount[];
}

type Measure =
  | 'incidents'
  | 'containment'
  | 'approvals'
  | 'advice'
  | 'consentReviews'
  | 'offSiteAgreement'
  | 'offSiteOverdue'
  | 'receipts'
  | 'teamTraining'
  | 'mediaPastNeed'
  | 'staff'
  | 'directory'
  | 'auditTrail'
  | 'subjectAccess'
  | 'retention';

/**
 * Each role's own work, in the order its home page shows it. The practitioner's home page is the
 * list of what they can do (they have none here); every other role leads with what waits for it.
 */
const workOf: Readonly<Record<Role, readonly Measure[]>> = {
  practitioner: [],
  manager: ['approvals', 'offSiteAgreement', 'receipts', 'advice', 'teamTraining'],
  caldicott_guardian: ['approvals', 'advice', 'incidents'],
  dpo: ['incidents', 'subjectAccess', 'approvals', 'consentReviews', 'retention', 'advice'],
  ig_lead: ['retention', 'subjectAccess', 'approvals', 'advice', 'incidents', 'receipts', 'offSiteOverdue'],
  child_protection_adviser: ['advice'],
  it_service_desk: ['incidents', 'containment', 'mediaPastNeed'],
  auditor: ['auditTrail'],
  admin: ['staff', 'directory'],
  platform_operator: ['directory'],
};

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

function workCount(
  count: number,
  label: readonly [string, string],
  href: string,
  extra: Partial<Pick<WorkCount, 'urgent' | 'details' | 'links'>> = {},
): WorkCount {
  return {
    count,
    label: plural(count, ...label),
    href,
    urgent: extra.urgent ?? false,
    details: extra.details ?? [],
    links: extra.links ?? [],
  };
}

/** A count the oversight dashboard also shows, as the home page shows it. */
function fromAction(item: {
  readonly label: string;
  readonly count: number;
  readonly href: string;
  readonly urgent: boolean;
  readonly details: readonly string[];
}): WorkCount {
  return { ...item, links: [] };
}

/**
 * The home page's counts for the viewer's roles: real queries through each capability's service,
 * each made once even when two roles show it (it then shows under the first).
 */
export function homeWork(deps: HomeWorkDependencies) {
  /** Lists two measures both count from, read once for the page. */
  function readsFor(viewer: Viewer) {
    let openIncidents: ReturnType<IncidentsService['list']> | undefined;
    let offSite: ReturnType<CustodyService['list']> | undefined;
    return {
      viewer,
      openIncidents: () =>
        (openIncidents ??= deps.incidents
          .list(viewer)
          .then((list) => list.filter((incident) => incident.closure === null))),
      offSite: () => (offSite ??= deps.custody.list(viewer)),
    };
  }
  type Reads = ReturnType<typeof readsFor>;

  const measures: Readonly<Record<Measure, (reads: Reads) => Promise<WorkCount | readonly WorkCount[]>>> = {
    // The incidents the viewer may see, and the 72-hour clock of those still to be reported (R5.3).
    async incidents(reads) {
      const open = await reads.openIncidents();
      const running = open.flatMap((incident) => (incident.clock === null ? [] : [incident.clock]));
      const overdue = running.filter((clock) => clock.overdue).length;
      const next = running
        .filter((clock) => !clock.overdue)
        .sort((a, b) => a.deadline.getTime() - b.deadline.getTime())[0];
      return workCount(open.length, ['open incident', 'open incidents'], incidentPaths.list(), {
        urgent: overdue > 0,
        details: [
          ...(running.length === 0
            ? []
            : [`The 72-hour clock for reporting to the ICO is running on ${String(running.length)}.`]),
          ...(overdue === 0 ? [] : [`${String(overdue)} ${plural(overdue, 'is', 'are')} past the 72 hours.`]),
          ...(next === undefined
            ? []
            : [`The next report is due by ${formatDateTime(next.deadline)} (${next.text}).`]),
        ],
      });
    },
    // Accounts the IT service desk is asked to disable to contain an incident (R5.2): due today.
    async containment(reads) {
      const open = await reads.openIncidents();
      const waiting = await Promise.all(
        open.map(async (incident) => ({
          incident,
          requests: (await deps.incidents.actionsOf(incident.id)).filter((action) => action.disableRequested),
        })),
      );
      const asked = waiting.filter((entry) => entry.requests.length > 0);
      const count = asked.reduce((sum, entry) => sum + entry.requests.length, 0);
      return workCount(count, ['account to disable', 'accounts to disable'], incidentPaths.list(), {
        urgent: count > 0,
        links: asked.map(({ incident }) => ({
          text: `Incident ${incident.reference}`,
          href: `${incidentPaths.incident(incident.id)}#containment`,
        })),
      });
    },
    async approvals({ viewer }) {
      const { pending } = await deps.sharing.approvalQueue(viewer);
      return workCount(
        pending.length,
        ['sharing decision waiting for your approval', 'sharing decisions waiting for your approval'],
        sharingPaths.approvalQueue(),
      );
    },
    async advice({ viewer }) {
      const { open } = await deps.sharing.adviceInbox(viewer);
      return workCount(
        open.length,
        ['advice request waiting for your answer', 'advice requests waiting for your answer'],
        sharingPaths.adviceInbox(),
      );
    },
    // R3.4: the organisation's for the DPO and the Caldicott Guardian. Counted, no one named: the
    // list itself, whose reading is audited, is a click away.
    async consentReviews({ viewer }) {
      const reviews = await deps.consent.reviewCounts(viewer);
      return workCount(
        reviews.overdue,
        ['consent review overdue', 'consent reviews overdue'],
        consentPaths.reviews,
        {
          urgent: reviews.overdue > 0,
          details: [`${String(reviews.dueSoon)} more due in the next 30 days.`],
        },
      );
    },
    // Subject access requests open and their one-month deadlines, as the dashboard counts them.
    async subjectAccess({ viewer }) {
      return (await deps.subjectAccess.actionItems(viewer)).map(fromAction);
    },
    // Records due for disposal under the retention schedule, and disposals waiting for approval.
    async retention({ viewer }) {
      return (await deps.retention.actionItems(viewer)).map(fromAction);
    },
    // R4.3.2: what the viewer's reports want to take off site for a reason local policy does not cover.
    async offSiteAgreement(reads) {
      const waiting = (await reads.offSite()).filter((item) => item.mayDecide);
      return workCount(
        waiting.length,
        [
          'item to take off site waiting for your agreement',
          'items to take off site waiting for your agreement',
        ],
        custodyPaths.list(),
      );
    },
    // R4.3.7: the organisation's off-site log, for those who oversee it.
    async offSiteOverdue(reads) {
      const overdue = (await reads.offSite()).filter((item) => item.overdue);
      return workCount(
        overdue.length,
        ['item taken off site not back when due', 'items taken off site not back when due'],
        custodyPaths.list(),
        { urgent: overdue.length > 0 },
      );
    },
    // R4.2.8: the viewer's own, or the organisation's for those who oversee sharing.
    async receipts({ viewer }) {
      const awaited = await deps.disclosures.awaitedReceipts(viewer);
      const overdue = awaited.filter((disclosure) => disclosure.receipt.overdue).length;
      return workCount(overdue, ['receipt overdue', 'receipts overdue'], disclosurePaths.receipts(), {
        urgent: overdue > 0,
        details: [`${String(awaited.length)} awaited in all.`],
      });
    },
    // R2.2: a line manager makes sure their team's data protection training is current.
    async teamTraining({ viewer }) {
      const team = await deps.staff.team(viewer.userId);
      const due = team.filter(
        (member) => member.training.state === 'lapsed' || member.training.state === 'not-recorded',
      ).length;
      return workCount(
        due,
        [
          'person in your team whose data protection training has lapsed or is not recorded',
          'people in your team whose data protection training has lapsed or is not recorded',
        ],
        '/team',
        {
          details: [
            `${String(team.length)} ${plural(team.length, 'person reports', 'people report')} to you.`,
          ],
        },
      );
    },
    // R4.7: devices still in use after the date they were needed until.
    async mediaPastNeed({ viewer }) {
      const media = await deps.media.list(viewer);
      const past = media.filter((item) => item.pastNeed).length;
      const inUse = media.filter((item) => item.status === 'in-use').length;
      return workCount(
        past,
        [
          'device kept past the date it was needed until',
          'devices kept past the date they were needed until',
        ],
        custodyPaths.mediaList(),
        { details: [`${String(inUse)} registered ${plural(inUse, 'device is', 'devices are')} in use.`] },
      );
    },
    async staff({ viewer }) {
      const { active, notEnrolled, inactive } = await deps.staff.counts(viewer.organisationId);
      return workCount(active, ['active account', 'active accounts'], '/admin/staff', {
        details: [
          `${String(notEnrolled)} ${plural(notEnrolled, 'has', 'have')} not set up an authenticator yet.`,
          `${String(inactive)} ${plural(inactive, 'account is', 'accounts are')} deactivated.`,
        ],
      });
    },
    async directory() {
      return workCount(
        await deps.orgs.count(),
        ['organisation in the partner directory', 'organisations in the partner directory'],
        '/admin/organisations',
      );
    },
    // The trail's events, and when it was last checked for alteration (invariant 2).
    async auditTrail({ viewer }) {
      const [events, verifications] = await Promise.all([
        deps.audit.latestSeq(viewer.organisationId),
        deps.audit.trail(
          viewer.organisationId,
          { personId: null, actorUserId: null, action: 'audit.verified', from: null, to: null },
          null,
        ),
      ]);
      const last = verifications.events[0];
      return workCount(events, ['event in the audit trail', 'events in the audit trail'], auditPaths.trail, {
        details: [
          last === undefined
            ? 'It has not been verified yet.'
            : `Last verified ${formatDateTime(last.occurredAt)} by ${last.actor.label}.`,
        ],
        links: [{ text: 'Verify the audit trail', href: auditPaths.verify }],
      });
    },
  };

  return {
    /** The viewer's roles' sections, in the order of the roles, each measure once. */
    async workFor(viewer: Viewer): Promise<RoleWork[]> {
      const shown = new Set<Measure>();
      const sections = roles
        .filter((role) => viewer.roles.includes(role))
        .map((role) => {
          const own = workOf[role].filter((measure) => !shown.has(measure));
          for (const measure of own) shown.add(measure);
          return { role, own };
        })
        .filter((section) => section.own.length > 0);
      const reads = readsFor(viewer);
      return Promise.all(
        sections.map(async ({ role, own }) => ({
          role,
          heading: roleNames[role],
          counts: (await Promise.all(own.map((measure) => measures[measure](reads)))).flat(),
        })),
      );
    },
  };
}

export type HomeWork = ReturnType<typeof homeWork>;
