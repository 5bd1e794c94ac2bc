import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { csvDocument } from '../lib/csv.ts';
import type { Viewer } from '../lib/viewer.ts';
import { parseForm, typedAnswers, viewerOf } from '../web/forms.ts';
import { formatDate, formatDateTime } from '../lib/time.ts';
import { actionName } from './audit.actions.ts';
import { auditPaths, trailHref } from './audit.paths.ts';
import { eventParams, parseTrailQuery, verifyForm } from './audit.schema.ts';
import type {
  AuditActor,
  AuditService,
  FilterChoices,
  Problem,
  TrailEvent,
  TrailFilter,
  VerificationResult,
} from './audit.service.ts';
import type { AuditTrailService } from './audit.trail.service.ts';

/**
 * People by name on the trail. The audit trail imports no capability, so the composition hands it
 * these (src/app.ts): names only for a viewer who may open every record, and a name search that
 * offers only people the viewer may open.
 */
export interface TrailPeople {
  namesOf(viewer: Viewer, ids: readonly string[]): Promise<ReadonlyMap<string, string> | null>;
  find(
    viewer: Viewer,
    name: string,
  ): Promise<readonly { readonly id: string; readonly name: string; readonly dateOfBirth: string | null }[]>;
}

export interface AuditRouteOptions {
  readonly audit: AuditService;
  readonly trail: AuditTrailService;
  readonly people: TrailPeople;
}

const findPersonForm = z.strictObject({
  _csrf: z.string().optional(),
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, 'Enter a name')
    .max(100, 'Name must be 100 characters or fewer'),
});

/** The trail's filter fields, as the query names them; what was typed is shown again beside its error. */
const trailFields = [
  'person',
  'user',
  'action',
  'from-day',
  'from-month',
  'from-year',
  'to-day',
  'to-month',
  'to-year',
];

/** Auditors and Data Protection Officers read the trail of their own organisation and verify every chain. */
const access = ['auditor', 'dpo'] as const;

export async function auditRoutes(app: FastifyInstance, options: AuditRouteOptions): Promise<void> {
  const { audit, trail, people } = options;

  /** The trail page: its filters, a page of events in words, and people found by name if a search was posted. */
  async function showTrail(
    request: FastifyRequest,
    reply: FastifyReply,
    found?: {
      readonly name: string;
      readonly errors?: unknown;
      readonly matches?: readonly {
        readonly href: string;
        readonly name: string;
        readonly dateOfBirth: string;
      }[];
    },
  ) {
    const viewer = viewerOf(request);
    const choices = await audit.filterChoices(viewer.organisationId);
    const parsed = parseTrailQuery(request.query, choices);
    const common = {
      pageTitle: 'Audit trail',
      choices: choiceItems(choices),
      paths: auditPaths,
      found,
      // Finding a person by name is offered to those who may see every record's name.
      namesPeople: (await people.namesOf(viewer, [])) !== null,
    };
    if (!parsed.ok) {
      return reply.code(400).render('audit/views/trail.njk', {
        ...common,
        values: typedAnswers(request.query, trailFields),
        errors: parsed.errors,
        events: [],
      });
    }
    const page = await audit.trail(viewer.organisationId, parsed.filter, parsed.cursor);
    const names = await people.namesOf(viewer, [
      ...page.events.flatMap((event) => (event.personId === null ? [] : [event.personId])),
      ...(parsed.filter.personId === null ? [] : [parsed.filter.personId]),
    ]);
    return reply.render('audit/views/trail.njk', {
      ...common,
      values: formValues(parsed.filter),
      selected: selectedFilters(parsed.filter, choices, names),
      events: page.events.map((event) => shownEvent(event, names, parsed.filter)),
      exportHref: `${auditPaths.export}${trailHref(parsed.filter).slice(auditPaths.trail.length)}`,
      previous: page.newer === null ? null : trailHref(parsed.filter, { after: page.newer }),
      next: page.older === null ? null : trailHref(parsed.filter, { before: page.older }),
    });
  }

  app.get(auditPaths.trail, { config: { access, audit: 'none' } }, async (request, reply) =>
    showTrail(request, reply),
  );

  // A name is posted, never put in an address: the people found are links that filter by id.
  app.post(auditPaths.trail, { config: { access, audit: 'none' } }, async (request, reply) => {
    const form = parseForm(findPersonForm, request.body);
    const typed = typedAnswers(request.body, ['name'])['name'];
    if (!form.ok)
      return showTrail(request, reply.code(400), {
        name: typeof typed === 'string' ? typed : '',
        errors: form.errors,
      });
    const matches = await people.find(viewerOf(request), form.value.name);
    return showTrail(request, reply, {
      name: form.value.name,
      matches: matches.map((person) => ({
        name: person.name,
        dateOfBirth: person.dateOfBirth === null ? 'Not recorded' : formatDate(person.dateOfBirth),
        href: trailHref({ personId: person.id, actorUserId: null, action: null, from: null, to: null }),
      })),
    });
  });

  // The filtered trail as a spreadsheet (formulas never run: src/lib/csv.ts); the export is recorded.
  app.get(auditPaths.export, { config: { access, audit: ['audit.exported'] } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const choices = await audit.filterChoices(viewer.organisationId);
    const parsed = parseTrailQuery(request.query, choices);
    if (!parsed.ok) return showTrail(request, reply);
    const actor: AuditActor = { userId: viewer.userId, label: viewer.displayName };
    const events = await trail.exportTrail(actor, viewer.organisationId, parsed.filter);
    const names = await people.namesOf(viewer, [
      ...new Set(events.flatMap((event) => (event.personId === null ? [] : [event.personId]))),
    ]);
    const document = csvDocument([
      ['Event', 'Time (UK)', 'By', 'What happened', 'Action code', 'About', 'Person', 'What changed'],
      ...events.map((event) => [
        event.seq,
        formatDateTime(event.occurredAt),
        event.actorLabel,
        actionName(event.action),
        event.action,
        entityName(event.entityType),
        event.personId === null ? '' : (names?.get(event.personId) ?? event.personId),
        event.change.map((line) => `${line.key}: ${line.value}`).join('; '),
      ]),
    ]);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-trail.csv"')
      .header('cache-control', 'no-store')
      .send(document);
  });

  app.get(
    `${auditPaths.trail}/events/:seq`,
    { config: { access, audit: 'none' } },
    async (request, reply) => {
      const params = eventParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const viewer = viewerOf(request);
      // Another organisation's event is "not found", never "forbidden": the page reveals nothing of it.
      const [event, latestSeq] = await Promise.all([
        audit.event(viewer.organisationId, params.data.seq),
        audit.latestSeq(viewer.organisationId),
      ]);
      if (event === undefined) return reply.callNotFound();
      const names = await people.namesOf(viewer, event.personId === null ? [] : [event.personId]);
      return reply.render('audit/views/event.njk', {
        pageTitle: `Audit event ${String(event.seq)}: ${actionName(event.action)}`,
        event,
        shown: shownEvent(event, names, null),
        latestSeq,
        paths: auditPaths,
        backLink: auditPaths.trail,
      });
    },
  );

  app.get(auditPaths.verify, { config: { access, audit: 'none' } }, async (_request, reply) =>
    reply.render('audit/views/verify.njk', {
      pageTitle: 'Check the audit trail has not been altered',
      paths: auditPaths,
      backLink: auditPaths.trail,
    }),
  );

  // Verification reads every chain: a few runs a minute is plenty.
  app.post(
    auditPaths.verify,
    { config: { access, audit: ['audit.verified'], rateLimit: { max: 6, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const form = parseForm(verifyForm, request.body);
      const pageTitle = 'Check the audit trail has not been altered';
      if (!form.ok)
        return reply.code(400).render('audit/views/verify.njk', {
          pageTitle,
          paths: auditPaths,
          errors: form.errors,
          backLink: auditPaths.trail,
        });
      const viewer = viewerOf(request);
      const actor: AuditActor = { userId: viewer.userId, label: viewer.displayName };
      const result = await audit.verifyAndRecord(actor, viewer.organisationId);
      return reply.render('audit/views/verify.njk', {
        pageTitle: result.ok ? 'Audit trail verified' : 'The audit trail has been altered',
        paths: auditPaths,
        backLink: auditPaths.trail,
        result,
        verified: result.ok
          ? `Verified ${counted(result.events, 'event')} in ${counted(result.chains, 'chain')}`
          : null,
        breaks: result.ok ? null : breaksFound(result, viewer.organisationId),
      });
    },
  );
}

const problemNames: Record<Problem, string> = {
  altered: 'Altered',
  missing: 'Missing',
  'out of order': 'Re-ordered or broken link',
  truncated: 'Truncated',
};

/** The breaks as the page lists them: an event in the viewer's own chain that still exists links to it. */
function breaksFound(result: Extract<VerificationResult, { ok: false }>, viewerOrganisationId: string) {
  const total = result.findings.length + result.moreFindings;
  return {
    summary: `${counted(total, 'break')} found in ${counted(result.events, 'event')} of ${counted(result.chains, 'chain')}`,
    more:
      result.moreFindings > 0
        ? `The first ${counted(result.findings.length, 'break')} ${result.findings.length === 1 ? 'is' : 'are'} listed; ${counted(result.moreFindings, 'more break')} ${result.moreFindings === 1 ? 'was' : 'were'} found and not listed.`
        : null,
    findings: result.findings.map((found) => ({
      organisationName: found.organisationName,
      organisationId: found.organisationId,
      events:
        found.lastSeq === found.seq ? String(found.seq) : `${String(found.seq)} to ${String(found.lastSeq)}`,
      eventHref:
        found.organisationId === viewerOrganisationId &&
        (found.problem === 'altered' || found.problem === 'out of order') &&
        found.lastSeq === found.seq
          ? auditPaths.event(found.seq)
          : null,
      problem: problemNames[found.problem],
      detail: found.detail,
    })),
  };
}

function counted(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}

function choiceItems(choices: FilterChoices) {
  return {
    actions: choices.actions
      .map((action) => ({ value: action, text: actionName(action) }))
      .sort((a, b) => a.text.localeCompare(b.text)),
    staff: choices.staff.map((member) => ({
      value: member.id,
      text: member.active ? member.name : `${member.name} (deactivated)`,
    })),
  };
}

function formValues(filter: TrailFilter) {
  const parts = (name: 'from' | 'to', date: string | null) => {
    const [year = '', month = '', day = ''] = date?.split('-') ?? [];
    return {
      [`${name}-day`]: day === '' ? '' : String(Number(day)),
      [`${name}-month`]: month === '' ? '' : String(Number(month)),
      [`${name}-year`]: year,
    };
  };
  return {
    person: filter.personId ?? '',
    user: filter.actorUserId ?? '',
    action: filter.action ?? '',
    ...parts('from', filter.from),
    ...parts('to', filter.to),
  };
}

/** The MoJ filter's "selected filters": each a tag whose link removes it. */
function selectedFilters(
  filter: TrailFilter,
  choices: FilterChoices,
  names: ReadonlyMap<string, string> | null,
) {
  const categories: { heading: { text: string }; items: { href: string; text: string }[] }[] = [];
  const add = (heading: string, text: string, field: 'person' | 'user' | 'action' | 'from' | 'to') =>
    categories.push({
      heading: { text: heading },
      items: [{ text, href: trailHref(filter, { without: [field] }) }],
    });
  if (filter.personId !== null) add('Person', names?.get(filter.personId) ?? filter.personId, 'person');
  if (filter.actorUserId !== null)
    add(
      'User',
      choices.staff.find((member) => member.id === filter.actorUserId)?.name ?? filter.actorUserId,
      'user',
    );
  if (filter.action !== null) add('Action', actionName(filter.action), 'action');
  if (filter.from !== null) add('Date from', formatDate(`${filter.from}T12:00:00Z`), 'from');
  if (filter.to !== null) add('Date to', formatDate(`${filter.to}T12:00:00Z`), 'to');
  return categories.length === 0
    ? null
    : {
        heading: { text: 'Selected filters' },
        clearLink: { text: 'Clear filters', href: auditPaths.trail },
        categories,
      };
}

/** What the trail shows of the kind of thing an event is about, in words. */
const entityNames: Readonly<Record<string, string>> = {
  person: 'A person’s record',
  consent: 'Consent',
  decision: 'Sharing decision',
  sharing_decision: 'Sharing decision',
  disclosure: 'Disclosure',
  user: 'Staff account',
  organisation: 'Organisation',
  audit_trail: 'The audit trail',
  incident: 'Incident',
  package: 'Secure exchange package',
  exchange_package: 'Secure exchange package',
  agreement: 'Sharing agreement',
  dpia: 'Data protection impact assessment',
  api_token: 'API token',
  oversight_list: 'Oversight list',
};

function entityName(type: string): string {
  const named = entityNames[type];
  if (named !== undefined) return named;
  const words = type.replace(/[_.-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * An event as people read it: the action in words, the person by name where the viewer may see
 * names (a link that filters the trail to them), the thing it is about in words, the change as lines.
 */
function shownEvent(
  event: TrailEvent,
  names: ReadonlyMap<string, string> | null,
  filter: TrailFilter | null,
) {
  const personName = event.personId === null ? null : (names?.get(event.personId) ?? null);
  return {
    seq: event.seq,
    occurredAt: event.occurredAt,
    // For the machine-readable <time datetime>: the page shows the UK time in words beside it.
    occurredAtIso: event.occurredAt.toISOString(),
    actor: event.actor.label,
    actionName: actionName(event.action),
    action: event.action,
    about: entityName(event.entity.type),
    person:
      event.personId === null
        ? null
        : {
            text: personName ?? 'A child or family member',
            href:
              filter?.personId === event.personId
                ? null
                : trailHref({
                    personId: event.personId,
                    actorUserId: null,
                    action: null,
                    from: null,
                    to: null,
                  }),
          },
    change: event.change,
  };
}
