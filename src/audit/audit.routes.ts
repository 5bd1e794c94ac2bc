import type { FastifyInstance } from 'fastify';
import { parseForm, typedAnswers, viewerOf } from '../web/forms.ts';
import { formatDate } from '../lib/time.ts';
import { auditPaths, trailHref } from './audit.paths.ts';
import { eventParams, parseTrailQuery, verifyForm } from './audit.schema.ts';
import type {
  AuditActor,
  AuditService,
  FilterChoices,
  Problem,
  TrailFilter,
  VerificationResult,
} from './audit.service.ts';

export interface AuditRouteOptions {
  readonly audit: AuditService;
}

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
  const { audit } = options;

  app.get(auditPaths.trail, { config: { access, audit: 'none' } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const choices = await audit.filterChoices(viewer.organisationId);
    const parsed = parseTrailQuery(request.query, choices);
    const common = { pageTitle: 'Audit trail', choices: choiceItems(choices), paths: auditPaths };
    if (!parsed.ok) {
      return reply.code(400).render('audit/views/trail.njk', {
        ...common,
        values: typedAnswers(request.query, trailFields),
        errors: parsed.errors,
        events: [],
      });
    }
    const page = await audit.trail(viewer.organisationId, parsed.filter, parsed.cursor);
    return reply.render('audit/views/trail.njk', {
      ...common,
      values: formValues(parsed.filter),
      selected: selectedFilters(parsed.filter, choices),
      events: page.events,
      previous: page.newer === null ? null : trailHref(parsed.filter, { after: page.newer }),
      next: page.older === null ? null : trailHref(parsed.filter, { before: page.older }),
    });
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
      return reply.render('audit/views/event.njk', {
        pageTitle: `Audit event ${String(event.seq)}`,
        event,
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
    actions: choices.actions,
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
function selectedFilters(filter: TrailFilter, choices: FilterChoices) {
  const categories: { heading: { text: string }; items: { href: string; text: string }[] }[] = [];
  const add = (heading: string, text: string, field: 'person' | 'user' | 'action' | 'from' | 'to') =>
    categories.push({
      heading: { text: heading },
      items: [{ text, href: trailHref(filter, { without: [field] }) }],
    });
  if (filter.personId !== null) add('Person', filter.personId, 'person');
  if (filter.actorUserId !== null)
    add(
      'User',
      choices.staff.find((member) => member.id === filter.actorUserId)?.name ?? filter.actorUserId,
      'user',
    );
  if (filter.action !== null) add('Action', filter.action, 'action');
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
