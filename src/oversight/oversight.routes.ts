import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { csvDocument } from '../lib/csv.ts';
import { formatDate, formatDateTime } from '../lib/time.ts';
import {
  decisionCsv,
  decisionHead,
  decisionRows,
  disclosureCsv,
  disclosureHead,
  disclosureRows,
  formValues,
  pagination,
} from './pages/lists.ts';
import type { PeopleService } from '../people/index.ts';
import { parseForm, typedAnswers, viewerOf } from '../web/forms.ts';
import { chartSvg, type ChartKind } from './oversight.charts.ts';
import {
  filterQueryString,
  parseFilter,
  type FilterChoices,
  type OversightFilter,
} from './oversight.filters.ts';
import { oversightPaths } from './oversight.paths.ts';
import {
  dashboardReaders,
  listCountLimit,
  listReaders,
  type CountedRow,
  type Dashboard,
  type OversightService,
} from './oversight.service.ts';

export interface OversightRouteOptions {
  readonly oversight: OversightService;
  /** Finding a person by name for the lists' person filter: only people the viewer may open are offered. */
  readonly people: Pick<PeopleService, 'search'>;
}

const filterFields = [
  'team',
  'recipient',
  'practitioner',
  'basis',
  'consent',
  'person',
  'from-day',
  'from-month',
  'from-year',
  'to-day',
  'to-month',
  'to-year',
];

/** The dashboard's tables, each a chart's numbers; each can be downloaded as CSV. */
const tables = {
  months: {
    title: 'Disclosures by month',
    column: 'Month',
    kind: 'columns',
    value: 'Disclosures',
    one: 'disclosure',
  },
  methods: {
    title: 'Disclosures by method',
    column: 'Method',
    kind: 'bars',
    value: 'Disclosures',
    one: 'disclosure',
  },
  recipients: {
    title: 'Disclosures by recipient organisation',
    column: 'Recipient organisation',
    kind: 'bars',
    value: 'Disclosures',
    one: 'disclosure',
  },
  'without-consent': {
    title: 'Shares without consent by lawful basis',
    column: 'Lawful basis (UK GDPR Article 6)',
    kind: 'bars',
    value: 'Decisions to share',
    one: 'decision to share',
  },
  refusals: {
    title: 'Refused sends by reason',
    column: 'Reason',
    kind: 'bars',
    value: 'Refusals',
    one: 'refusal',
  },
} as const satisfies Record<
  string,
  { title: string; column: string; kind: ChartKind; value: string; one: string }
>;
type TableName = keyof typeof tables;
const tableNames = Object.keys(tables) as TableName[];

function rowsOf(dashboard: Dashboard, table: TableName): readonly CountedRow[] {
  switch (table) {
    case 'months':
      return dashboard.byMonth;
    case 'methods':
      return dashboard.byMethod;
    case 'recipients':
      return dashboard.byRecipient;
    case 'without-consent':
      return dashboard.withoutConsent;
    case 'refusals':
      return dashboard.refusals;
  }
}

const findPersonForm = z.strictObject({
  _csrf: z.string().optional(),
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, 'Enter a name')
    .max(100, 'Name must be 100 characters or fewer'),
  // The page's filters, carried through the post so that a person found is added to them.
  filters: z.string().max(2000).default(''),
});

const tableParams = z.strictObject({ table: z.enum(tableNames as [TableName, ...TableName[]]) });

export async function oversightRoutes(app: FastifyInstance, options: OversightRouteOptions): Promise<void> {
  const { oversight, people } = options;

  async function filtered(request: FastifyRequest, viewer: Viewer) {
    const choices = await oversight.choices(viewer);
    return { choices, parsed: parseFilter(request.query, choices, oversight.today()) };
  }

  app.get(
    oversightPaths.dashboard(),
    { config: { access: dashboardReaders, audit: 'none' } },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const { choices, parsed } = await filtered(request, viewer);
      const common = {
        pageTitle: 'Oversight dashboard',
        choices,
        paths: oversightPaths,
        filterFields: 'dashboard',
      };
      if (!parsed.ok)
        return reply.code(400).render('oversight/views/dashboard.njk', {
          ...common,
          values: typedAnswers(request.query, filterFields),
          errors: parsed.errors,
        });
      const dashboard = await oversight.dashboard(viewer, parsed.filter);
      const query = filterQueryString(parsed.filter);
      const charts = await Promise.all(
        tableNames.map(async (name) => {
          const table = tables[name];
          const rows = rowsOf(dashboard, name);
          return {
            name,
            title: table.title,
            column: table.column,
            value: table.value,
            rows,
            total: rows.reduce((sum, row) => sum + row.count, 0),
            summary: chartSummary(rows, table.value.toLowerCase(), table.one),
            svg:
              rows.length === 0
                ? null
                : await chartSvg(table.kind, table.value, rows, {
                    labelledBy: `chart-${name}-title`,
                    describedBy: `chart-${name}-summary`,
                  }),
            csvHref: `${oversightPaths.table(name)}?${query}`,
          };
        }),
      );
      return reply.render('oversight/views/dashboard.njk', {
        ...common,
        values: formValues(parsed.filter),
        filter: parsed.filter,
        period: `${formatDate(parsed.filter.from)} to ${formatDate(parsed.filter.to)}`,
        dashboard,
        charts,
        links: {
          decisions: `${oversightPaths.decisions()}?${query}`,
          disclosures: `${oversightPaths.disclosures()}?${query}`,
          actionsCsv: `${oversightPaths.table('actions')}?${query}`,
        },
      });
    },
  );

  // Counts only, no personal data: a download of what the page shows.
  app.get(
    `${oversightPaths.dashboard()}/tables/:table`,
    { config: { access: dashboardReaders, audit: 'none' } },
    async (request, reply) => {
      const params = z
        .strictObject({ table: z.union([tableParams.shape.table, z.literal('actions')]) })
        .safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const viewer = viewerOf(request);
      const { parsed } = await filtered(request, viewer);
      if (!parsed.ok)
        return reply.code(400).render('oversight/views/dashboard.njk', {
          pageTitle: 'Oversight dashboard',
          choices: await oversight.choices(viewer),
          paths: oversightPaths,
          values: typedAnswers(request.query, filterFields),
          errors: parsed.errors,
        });
      const dashboard = await oversight.dashboard(viewer, parsed.filter);
      const name = params.data.table;
      const document =
        name === 'actions'
          ? csvDocument([
              ['What needs action', 'Count', 'Details'],
              ...dashboard.actions.map((item) => [item.label, item.count, item.details.join('; ')]),
            ])
          : csvDocument([
              [tables[name].column, tables[name].value],
              ...rowsOf(dashboard, name).map((row) => [row.label, row.count]),
            ]);
      return csv(reply, `oversight-${name}-${parsed.filter.from}-to-${parsed.filter.to}.csv`, document);
    },
  );

  for (const list of ['decisions', 'disclosures'] as const) {
    const path = oversightPaths[list]();
    const title = list === 'decisions' ? 'Sharing decisions' : 'Disclosures';

    async function show(
      request: FastifyRequest,
      reply: FastifyReply,
      found?: {
        readonly name: string;
        readonly errors?: unknown;
        readonly matches?: unknown;
        readonly restricted?: number;
      },
    ) {
      const viewer = viewerOf(request);
      const { choices, parsed } = await filtered(request, viewer);
      const common = {
        pageTitle: `${title}: ${oversight.seesWholeOrganisation(viewer) ? viewer.organisationName : 'your team'}`,
        list,
        choices: listChoices(choices, oversight.seesWholeOrganisation(viewer)),
        paths: oversightPaths,
        wholeOrganisation: oversight.seesWholeOrganisation(viewer),
        namesPeople: oversight.namesPeople(viewer),
        found,
      };
      if (!parsed.ok)
        return reply.code(400).render('oversight/views/list.njk', {
          ...common,
          values: typedAnswers(request.query, filterFields),
          errors: parsed.errors,
        });
      if (parsed.csv) return exportList(viewer, parsed.filter, reply);
      const page =
        list === 'decisions'
          ? await oversight.decisions(viewer, parsed.filter).then((found) => ({
              total: found.total,
              rows: decisionRows(found.rows),
            }))
          : await oversight.disclosures(viewer, parsed.filter).then((found) => ({
              total: found.total,
              rows: disclosureRows(found.rows),
            }));
      // Past the last page there are no rows, so no total either: a page that does not exist.
      if (page.rows.length === 0 && parsed.filter.page > 1) return reply.callNotFound();
      const capped = page.total > listCountLimit;
      const lastPage = Math.max(1, Math.ceil(Math.min(page.total, listCountLimit) / oversight.pageSize));
      const query = filterQueryString(parsed.filter);
      return reply.render('oversight/views/list.njk', {
        ...common,
        values: formValues(parsed.filter),
        filterQuery: query,
        total: page.total,
        totalText: capped
          ? `More than ${listCountLimit.toLocaleString('en-GB')} ${list} match: narrow the filters to page through the rest.`
          : `${page.total.toLocaleString('en-GB')} ${page.total === 1 ? list.slice(0, -1) : list} match.`,
        rows: page.rows,
        head: list === 'decisions' ? decisionHead : disclosureHead,
        pagination: pagination(path, parsed.filter, lastPage),
        csvHref: `${path}?${filterQueryString(parsed.filter, { csv: true })}`,
        clearPersonHref:
          parsed.filter.personId === null
            ? null
            : `${path}?${filterQueryString(parsed.filter, { without: 'personId' })}`,
      });
    }

    async function exportList(viewer: Viewer, filter: OversightFilter, reply: FastifyReply) {
      const rows =
        list === 'decisions'
          ? decisionCsv(await oversight.exportDecisions(viewer, filter))
          : disclosureCsv(await oversight.exportDisclosures(viewer, filter));
      return csv(reply, `${list}-${filter.from}-to-${filter.to}.csv`, csvDocument(rows));
    }

    app.get(
      path,
      { config: { access: listReaders, audit: { sometimes: ['oversight.exported'] } } },
      async (request, reply) => show(request, reply),
    );

    // Finding a person by name is posted, so that the name is never in an address; the person chosen is filtered by id.
    app.post(path, { config: { access: listReaders, audit: 'none' } }, async (request, reply) => {
      const form = parseForm(findPersonForm, request.body);
      const name =
        typeof (request.body as Record<string, unknown> | undefined)?.['name'] === 'string'
          ? String((request.body as Record<string, unknown>)['name'])
          : '';
      if (!form.ok) return show(request, reply.code(400), { name, errors: form.errors });
      const results = await people.search(viewerOf(request), { query: form.value.name, dateOfBirth: null });
      const base = new URLSearchParams(form.value.filters);
      return show(request, reply, {
        name: form.value.name,
        matches: results.matches.map((person) => {
          const query = new URLSearchParams(base);
          query.set('person', person.id);
          query.delete('page');
          return {
            name: `${person.givenNames} ${person.familyName}`,
            dateOfBirth: person.dateOfBirth === null ? 'Not recorded' : formatDate(person.dateOfBirth),
            href: `${path}?${query.toString()}`,
          };
        }),
        restricted: results.restricted.length,
      });
    });
  }

  app.get(
    oversightPaths.accessReasons(),
    { config: { access: ['manager'], audit: 'none' } },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const { choices, parsed } = await filtered(request, viewer);
      const common = {
        pageTitle: 'Why your team opened records',
        paths: oversightPaths,
        choices: listChoices(choices, false),
      };
      if (!parsed.ok)
        return reply.code(400).render('oversight/views/access-reasons.njk', {
          ...common,
          values: typedAnswers(request.query, filterFields),
          errors: parsed.errors,
        });
      const reasons = await oversight.teamAccessReasons(viewer, parsed.filter);
      return reply.render('oversight/views/access-reasons.njk', {
        ...common,
        values: formValues(parsed.filter),
        rows: reasons.map((reason) => [
          { text: formatDateTime(reason.occurredAt) },
          { text: reason.by },
          { text: reason.what },
          { text: reason.reason },
        ]),
      });
    },
  );
}

function csv(reply: FastifyReply, filename: string, document: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(document);
}

/** A line manager sees only their own team: the team filter is not theirs to change. */
function listChoices(choices: FilterChoices, wholeOrganisation: boolean): FilterChoices {
  return wholeOrganisation ? choices : { ...choices, managers: [] };
}

/** The chart in a sentence, beside it (its description for assistive technology): the total and the largest bar. */
function chartSummary(rows: readonly CountedRow[], many: string, one: string): string {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  if (total === 0) return `No ${many} in this period.`;
  const top = [...rows].sort((a, b) => b.count - a.count)[0];
  const counted = (count: number) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
  return `${counted(total)} in all${top === undefined ? '' : `; most: ${top.label}, ${counted(top.count)}`}. The table gives every figure.`;
}
