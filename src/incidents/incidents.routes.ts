import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z, type ZodType } from 'zod';
import { csvDocument } from '../lib/csv.ts';
import { isUuid } from '../lib/ids.ts';
import { custodyPaths } from '../custody/custody.paths.ts';
import { disclosurePaths } from '../disclosures/disclosures.paths.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { formatDate, formatDateTime } from '../lib/time.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import type { AuditDeclaration } from '../web/access.ts';
import type { Viewer } from '../auth/index.ts';
import type { CustodyService, MediaService } from '../custody/index.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import { incidentGraders } from './incidents.access.ts';
import { accountDisablers } from './incidents.containment.ts';
import {
  actionFields,
  actionForm,
  closeFields,
  closeForm,
  deviceLostForm,
  disableAccountForm,
  officerFields,
  officerForm,
  safetyForm,
  toldForm,
  gradeFields,
  gradeForm,
  icoReportFields,
  icoReportForm,
  incidentKindNames,
  incidentPageQuery,
  incidentParams,
  reportFields,
  reportForm,
} from './incidents.forms.ts';
import { likelihoods, outcomeNames, severities } from './incidents.grading.ts';
import { incidentPaths } from './incidents.paths.ts';
import type { Incident, IncidentsService } from './incidents.service.ts';

export interface IncidentRouteOptions {
  readonly incidents: IncidentsService;
  /** The misdirected-information register, whose entries start a report pre-filled. */
  readonly disclosures: Pick<DisclosuresService, 'findMisdirected'>;
  /** The off-site log, whose lost items are reported from here, the report starting filled in. */
  readonly custody: Pick<CustodyService, 'mayReportLost'>;
  /** The media register, whose lost devices are reported from here the same way. */
  readonly media: Pick<MediaService, 'mayReportLost'>;
}

const anyone = (audit: AuditDeclaration) => ({ access: 'staff' as const, audit });
const graders = (audit: AuditDeclaration) => ({ access: incidentGraders, audit });

const notices: Record<string, string> = {
  reported:
    'Incident reported. Your line manager, the IT service desk and the Data Protection Officer have been told.',
  graded: 'Grading recorded.',
  'ico-reported': 'Report to the ICO recorded.',
  closed: 'Incident closed.',
  contained: 'Containment recorded.',
  'safety-checked': 'Safety check recorded.',
  told: 'Recorded that the people affected were told.',
  'officer-told': 'Recorded who was told.',
};

/** The incident register's pages (R5): report from any page, the register, and the DPO's work on each. */
export async function incidentsRoutes(app: FastifyInstance, options: IncidentRouteOptions): Promise<void> {
  const { incidents } = options;

  function incidentView(incident: Incident) {
    return {
      ...incident,
      kindName: incidentKindNames[incident.kind],
      deadlineText: formatDateTime(incident.deadline),
      outcomeName: incident.grade === null ? null : outcomeNames[incident.grade.outcome],
      likelihoodName: likelihoods.find((item) => item.value === incident.grade?.likelihood)?.label,
      severityName: severities.find((item) => item.value === incident.grade?.severity)?.label,
      path: incidentPaths.incident(incident.id),
      disclosurePath:
        incident.disclosureId === null ? null : disclosurePaths.disclosure(incident.disclosureId),
      custodyPath: incident.custodyItemId === null ? null : custodyPaths.item(incident.custodyItemId),
      mediaPath: incident.mediaItemId === null ? null : custodyPaths.media(incident.mediaItemId),
      misdirectedPath: incident.misdirectedId === null ? null : disclosurePaths.misdirected(),
    };
  }

  async function openIncident(request: FastifyRequest): Promise<{ incident: Incident; viewer: Viewer }> {
    // The incident's id; a containment action's address also names the action.
    const params = incidentParams.safeParse({ id: (request.params as { id?: unknown }).id });
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { incident: await incidents.find(viewer, params.data.id), viewer };
  }

  async function renderIncident(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    incident: Incident,
    form?: {
      readonly name:
        'grade' | 'ico' | 'close' | 'action' | 'disable' | 'device' | 'safety' | 'told' | 'officer';
      readonly values: Record<string, unknown>;
      readonly errors: FormErrors;
    },
    notice?: string,
  ) {
    const dpo = viewer.roles.some((role) => incidentGraders.includes(role));
    const open = incident.closure === null;
    const [actions, recall, told, accounts, devices] = await Promise.all([
      incidents.actionsOf(incident.id),
      open ? incidents.packageToRecall(incident.disclosureId) : undefined,
      incidents.officersTold(incident.id),
      open || dpo ? incidents.accountsToDisable(viewer) : [],
      open && incident.mediaItemId === null ? incidents.devicesToMarkLost(viewer) : [],
    ]);
    const disabler = viewer.roles.some((role) => accountDisablers.includes(role));
    const reportable = incident.grade !== null && incident.grade.outcome !== 'not-reportable';
    return reply.code(status).render('incidents/views/show.njk', {
      pageTitle: `Incident ${incident.reference}`,
      backLink: incidentPaths.list(),
      notice,
      incident: incidentView(incident),
      actions: actions.map((action) => ({
        ...action,
        recorded: `${action.recordedByName ?? 'A former member of staff'}, ${formatDateTime(action.recordedAt)}`,
        status:
          action.doneAt !== null
            ? action.dueOn === null
              ? 'Done'
              : `Done ${formatDateTime(action.doneAt)}`
            : action.overdue
              ? 'Overdue'
              : 'Waiting',
        donePath: action.disableRequested
          ? incidentPaths.disableRequested(incident.id, action.id)
          : incidentPaths.actionDone(incident.id, action.id),
        doneText: action.disableRequested ? 'Disable the account now' : 'Mark done',
        mayFinish: action.disableRequested ? disabler : true,
      })),
      recall,
      disabler,
      accountItems: [
        { value: '', text: 'Select an account' },
        ...accounts.map((account) => ({
          value: account.id,
          text:
            account.jobTitle === null ? account.displayName : `${account.displayName}, ${account.jobTitle}`,
        })),
      ],
      deviceItems:
        devices.length === 0
          ? []
          : [
              { value: '', text: 'Select a device' },
              ...devices.map((device) => ({
                value: device.id,
                text: `${device.reference}: asset tag ${device.assetTag}`,
              })),
            ],
      officersTold: told.map((officer) => ({
        ...officer,
        told: `${officer.toldByName ?? 'A former member of staff'}, ${formatDateTime(officer.toldAt)}`,
      })),
      can: {
        contain: open,
        safetyCheck:
          dpo && open && incident.grade?.outcome === 'report-and-tell' && incident.telling === null,
        recordTold:
          dpo &&
          open &&
          incident.telling !== null &&
          !incident.telling.risk &&
          incident.telling.toldAt === null,
        tellOfficers: dpo,
        grade: dpo && open && incident.ico === null,
        reportToIco: dpo && open && reportable && incident.ico === null,
        close: dpo && open && incident.grade !== null && (!reportable || incident.ico !== null),
      },
      paths: {
        actions: incidentPaths.actions(incident.id),
        recall: incidentPaths.recall(incident.id),
        grade: incidentPaths.grade(incident.id),
        icoReport: incidentPaths.icoReport(incident.id),
        close: incidentPaths.close(incident.id),
        safetyCheck: incidentPaths.safetyCheck(incident.id),
        told: incidentPaths.told(incident.id),
        disable: incidentPaths.disableAccount(incident.id),
        deviceLost: incidentPaths.deviceLost(incident.id),
        officers: incidentPaths.officers(incident.id),
      },
      likelihoods,
      severities,
      form: form?.name,
      // The grading form starts from the grading recorded, if any.
      values:
        form?.values ??
        (incident.grade === null
          ? {}
          : { likelihood: String(incident.grade.likelihood), severity: String(incident.grade.severity) }),
      errors: form === undefined ? undefined : anchorDates(form.errors, ['reportedOn', 'dueOn']),
    });
  }

  app.get('/incidents', { config: anyone('none') }, async (request, reply) => {
    const list = await incidents.list(viewerOf(request));
    const open = list.filter((incident) => incident.closure === null);
    const overdue = await incidents.overdueActions(open.map((incident) => incident.id));
    const byId = new Map(open.map((incident) => [incident.id, incident]));
    return reply.render('incidents/views/list.njk', {
      pageTitle: 'Incidents',
      columnWidth: 'full',
      overdue: overdue.map((action) => ({
        reference: byId.get(action.incident_id)?.reference ?? '',
        path: `${incidentPaths.incident(action.incident_id)}#containment`,
        description: action.description,
        dueOn: action.due_on,
      })),
      reportPath: incidentPaths.report(),
      open: list.filter((incident) => incident.closure === null).map(incidentView),
      closed: list.filter((incident) => incident.closure !== null).map(incidentView),
    });
  });

  function renderReport(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('incidents/views/new.njk', {
      pageTitle: 'Report an incident',
      backLink: incidentPaths.list(),
      action: incidentPaths.report(),
      kindItems: Object.entries(incidentKindNames).map(([value, text]) => ({ value, text })),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['happenedOn', 'awareOn']),
    });
  }

  // R5.x: the register as a spreadsheet for the DPO; formulas never run (src/lib/csv.ts).
  app.get('/incidents.csv', { config: graders(['incident.register_exported']) }, async (request, reply) => {
    const viewer = viewerOf(request);
    const list = await incidents.exportRegister(viewer);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="incident-register.csv"')
      .header('cache-control', 'no-store')
      .send(
        csvDocument([
          [
            'Reference',
            'Kind',
            'Happened on',
            'Became aware',
            'Reported',
            'Reported by',
            'People affected',
            'Estimated',
            'What happened',
            'Information',
            'Actions taken',
            'Outcome',
            'Likelihood',
            'Severity',
            'ICO reported',
            'ICO reference',
            'Closed',
            'Lessons',
          ],
          ...list.map((incident) => [
            incident.reference,
            incidentKindNames[incident.kind],
            incident.happenedOn,
            incident.awareAt.toISOString(),
            incident.reportedAt.toISOString(),
            incident.reportedByName,
            incident.peopleAffected,
            incident.peopleEstimated ? 'yes' : 'no',
            incident.whatHappened,
            incident.information,
            incident.actionsTaken,
            incident.grade?.outcome ?? 'not graded',
            incident.grade?.likelihood,
            incident.grade?.severity,
            incident.ico?.reportedAt.toISOString(),
            incident.ico?.reference,
            incident.closure?.closedAt.toISOString(),
            incident.closure?.lessons,
          ]),
        ]),
      );
  });

  /** An off-site log entry the viewer may report lost, as the report's first answers. */
  async function lostFrom(viewer: Viewer, custodyId: string): Promise<Record<string, string> | undefined> {
    const item = await options.custody.mayReportLost(viewer, custodyId);
    if (item === undefined) return undefined;
    return {
      custodyItemId: item.id,
      custodyReference: item.reference,
      kind: 'lost-or-stolen',
      information: item.what,
      whatHappened: `Lost while off site (${item.reference}): taken to ${item.destination}, due back ${formatDateTime(item.dueBackAt)}.`,
    };
  }

  /** A registered medium or device the viewer may report lost, as the report's first answers. */
  async function mediaLostFrom(viewer: Viewer, mediaId: string): Promise<Record<string, string> | undefined> {
    const item = await options.media.mayReportLost(viewer, mediaId);
    if (item === undefined) return undefined;
    return {
      mediaItemId: item.id,
      mediaReference: item.reference,
      kind: 'lost-or-stolen',
      information: item.contents,
      whatHappened: `Lost: ${item.reference}, asset tag ${item.assetTag}, encrypted (${item.encryption}).`,
    };
  }

  /** An entry of the misdirected-information register, as the report's first answers. */
  async function misdirectedFrom(viewer: Viewer, id: string): Promise<Record<string, string> | undefined> {
    const entry = await options.disclosures.findMisdirected(viewer, id);
    if (entry === undefined) return undefined;
    return {
      misdirectedId: entry.id,
      kind: 'wrong-recipient',
      whatHappened: `Information meant for ${entry.intendedFor} arrived here from ${entry.sender} by ${entry.method} on ${formatDate(entry.receivedOn)}.`,
      information: entry.whatArrived,
      actionsTaken: entry.actionDetails,
    };
  }

  // R5.1: reported straight from a disclosure's page, the report is linked to it; from an off-site
  // log entry (R4.3, R4.7.3), the report starts filled in and the entry is marked lost with it.
  app.get('/incidents/new', { config: anyone('none') }, async (request, reply) => {
    const query = z
      .object({
        disclosure: z.uuid().optional().catch(undefined),
        custody: z.uuid().optional().catch(undefined),
        media: z.uuid().optional().catch(undefined),
        misdirected: z.uuid().optional().catch(undefined),
      })
      .parse(request.query);
    const viewer = viewerOf(request);
    if (query.custody !== undefined) {
      const lost = await lostFrom(viewer, query.custody);
      if (lost !== undefined) return renderReport(reply, 200, lost);
    }
    if (query.misdirected !== undefined) {
      const received = await misdirectedFrom(viewer, query.misdirected);
      if (received !== undefined) return renderReport(reply, 200, received);
    }
    if (query.media !== undefined) {
      const lost = await mediaLostFrom(viewer, query.media);
      if (lost !== undefined) return renderReport(reply, 200, lost);
    }
    const from = query.disclosure;
    const disclosureId =
      from !== undefined && (await incidents.mayReportAbout(viewer, from)) ? from : undefined;
    return renderReport(reply, 200, disclosureId === undefined ? {} : { disclosureId });
  });

  app.post(
    '/incidents/new',
    { config: anyone(['incident.reported', 'custody.lost', 'media.lost']) },
    async (request, reply) => {
      const form = parseForm(reportForm(), request.body);
      // Shown again only when refused: a disclosure the reporter may not see is never shown back as linked.
      const typedAgain = async () => {
        const typed = typedAnswers(request.body, reportFields, ['peopleEstimated']);
        const linked = typed['disclosureId'];
        const linkable =
          typeof linked === 'string' &&
          isUuid(linked) &&
          (await incidents.mayReportAbout(viewerOf(request), linked));
        const custody = typed['custodyItemId'];
        const lost =
          typeof custody === 'string' && isUuid(custody)
            ? await lostFrom(viewerOf(request), custody)
            : undefined;
        const device = typed['mediaItemId'];
        const lostDevice =
          typeof device === 'string' && isUuid(device)
            ? await mediaLostFrom(viewerOf(request), device)
            : undefined;
        const misdirected = typed['misdirectedId'];
        const received =
          typeof misdirected === 'string' && isUuid(misdirected)
            ? await misdirectedFrom(viewerOf(request), misdirected)
            : undefined;
        return {
          ...typed,
          misdirectedId: received?.['misdirectedId'],
          disclosureId: linkable ? linked : undefined,
          custodyItemId: lost?.['custodyItemId'],
          custodyReference: lost?.['custodyReference'],
          mediaItemId: lostDevice?.['mediaItemId'],
          mediaReference: lostDevice?.['mediaReference'],
        };
      };
      if (!form.ok) return renderReport(reply, 400, await typedAgain(), form.errors);
      try {
        const id = await incidents.report(viewerOf(request), form.value);
        return await reply.redirect(`${incidentPaths.incident(id)}?done=reported`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        const field = (name: string) => (name === 'awareAt' ? 'awareOn' : name);
        return renderReport(
          reply,
          400,
          await typedAgain(),
          ruleErrors(
            new RuleError(error.problems.map((problem) => ({ ...problem, field: field(problem.field) }))),
            reportFields,
            ['happenedOn', 'awareOn'],
          ),
        );
      }
    },
  );

  app.get('/incidents/:id', { config: anyone('none') }, async (request, reply) => {
    const { incident, viewer } = await openIncident(request);
    const { done } = incidentPageQuery.parse(request.query);
    return renderIncident(
      reply,
      200,
      viewer,
      incident,
      undefined,
      done === undefined ? undefined : notices[done],
    );
  });

  // R5.2: containment, recorded by anyone who may see the incident while it is open.
  app.post(
    '/incidents/:id/actions',
    { config: anyone(['incident.action_recorded']) },
    async (request, reply) => {
      const { incident, viewer } = await openIncident(request);
      const values = typedAnswers(request.body, actionFields);
      const form = parseForm(actionForm(), request.body);
      if (!form.ok)
        return renderIncident(reply, 400, viewer, incident, { name: 'action', values, errors: form.errors });
      try {
        await incidents.recordAction(viewer, incident.id, form.value);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderIncident(reply, 400, viewer, incident, {
          name: 'action',
          values,
          errors: ruleErrors(error, actionFields, ['dueOn']),
        });
      }
      return reply.redirect(`${incidentPaths.incident(incident.id)}?done=contained#containment`, 303);
    },
  );

  /**
   * A containment button (no answers of its own but the account to disable): refused, the incident
   * again with the reason.
   */
  function containmentButton(
    url: string,
    events: AuditDeclaration,
    act: (viewer: Viewer, incidentId: string, request: FastifyRequest) => Promise<void>,
    form: { readonly name: 'action' | 'disable' | 'device'; readonly fields: readonly string[] } = {
      name: 'action',
      fields: ['actions'],
    },
  ) {
    app.post(url, { config: anyone(events) }, async (request, reply) => {
      const { incident, viewer } = await openIncident(request);
      try {
        await act(viewer, incident.id, request);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderIncident(reply, 400, viewer, incident, {
          name: form.name,
          values: typedAnswers(request.body, form.fields),
          errors: ruleErrors(error, form.fields),
        });
      }
      return reply.redirect(`${incidentPaths.incident(incident.id)}?done=contained#containment`, 303);
    });
  }

  containmentButton(
    '/incidents/:id/actions/:actionId/done',
    ['incident.action_done'],
    (viewer, id, request) =>
      incidents.completeAction(viewer, id, z.object({ actionId: z.string() }).parse(request.params).actionId),
  );
  containmentButton(
    '/incidents/:id/recall-package',
    ['incident.action_recorded', 'exchange.package_revoked'],
    (viewer, id) => incidents.recallPackage(viewer, id),
  );
  // Disabled at once by an administrator or the IT service desk; asked of the desk by anyone else.
  containmentButton(
    '/incidents/:id/disable-account',
    ['incident.action_recorded', 'user.deactivated'],
    (viewer, id, request) => {
      const form = parseForm(disableAccountForm(), request.body);
      return incidents.disableAccount(viewer, id, form.ok ? form.value.accountId : '');
    },
    { name: 'disable', fields: ['accountId'] },
  );
  containmentButton(
    '/incidents/:id/device-lost',
    ['incident.action_recorded', 'media.lost'],
    (viewer, id, request) => {
      const form = parseForm(deviceLostForm(), request.body);
      return incidents.markDeviceLost(viewer, id, form.ok ? form.value.mediaItemId : '');
    },
    { name: 'device', fields: ['mediaItemId'] },
  );
  containmentButton(
    '/incidents/:id/actions/:actionId/disable',
    ['incident.action_done', 'user.deactivated'],
    (viewer, id, request) =>
      incidents.disableRequested(
        viewer,
        id,
        z.object({ actionId: z.string() }).parse(request.params).actionId,
      ),
  );

  /** A DPO's form on the incident page: parsed, handed to the service, and shown again with its errors. */
  function dpoForm<T>(
    url: string,
    event: string,
    name: 'grade' | 'ico' | 'close' | 'safety' | 'told' | 'officer',
    fields: readonly string[],
    dateFields: readonly string[],
    parse: () => ZodType<T>,
    act: (viewer: Viewer, id: string, answers: T) => Promise<unknown>,
    done: string,
  ) {
    app.post(url, { config: graders([event]) }, async (request, reply) => {
      const { incident, viewer } = await openIncident(request);
      const values = typedAnswers(request.body, fields);
      const form = parseForm(parse(), request.body);
      if (!form.ok)
        return renderIncident(reply, 400, viewer, incident, { name, values, errors: form.errors });
      try {
        await act(viewer, incident.id, form.value);
        return await reply.redirect(`${incidentPaths.incident(incident.id)}?done=${done}`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        const errors = ruleErrors(
          new RuleError(
            error.problems.map((problem) => ({
              ...problem,
              field: problem.field === 'reportedAt' ? 'reportedOn' : problem.field,
            })),
          ),
          fields,
          dateFields,
        );
        return renderIncident(reply, 400, viewer, incident, { name, values, errors });
      }
    });
  }

  dpoForm(
    '/incidents/:id/grade',
    'incident.graded',
    'grade',
    gradeFields,
    [],
    gradeForm,
    (viewer, id, answers) => incidents.grade(viewer, id, answers),
    'graded',
  );
  dpoForm(
    '/incidents/:id/ico-report',
    'incident.ico_reported',
    'ico',
    icoReportFields,
    ['reportedOn'],
    icoReportForm,
    (viewer, id, answers) => incidents.recordIcoReport(viewer, id, answers),
    'ico-reported',
  );
  dpoForm(
    '/incidents/:id/close',
    'incident.closed',
    'close',
    closeFields,
    [],
    closeForm,
    (viewer, id, answers) => incidents.close(viewer, id, answers),
    'closed',
  );
  dpoForm(
    '/incidents/:id/safety-check',
    'incident.safety_checked',
    'safety',
    ['safetyRisk', 'safetyReasons'],
    [],
    safetyForm,
    (viewer, id, answers) => incidents.recordSafetyCheck(viewer, id, answers),
    'safety-checked',
  );
  dpoForm(
    '/incidents/:id/told',
    'incident.people_told',
    'told',
    ['toldHow'],
    [],
    toldForm,
    (viewer, id, answers) => incidents.recordTold(viewer, id, answers.toldHow),
    'told',
  );
  dpoForm(
    '/incidents/:id/officers',
    'incident.officer_told',
    'officer',
    officerFields,
    [],
    officerForm,
    (viewer, id, answers) => incidents.tellOfficer(viewer, id, answers),
    'officer-told',
  );
}
