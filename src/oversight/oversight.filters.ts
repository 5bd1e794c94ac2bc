import { z } from 'zod';
import { addMonths } from '../lib/calendar.ts';
import { readDate } from '../lib/fields.ts';
import { formErrors, type FormErrors } from '../web/forms.ts';

/**
 * The oversight pages' filters, read from a GET form: period (London dates), team (a line manager),
 * recipient organisation; the lists add practitioner, lawful basis, consent and a person's name.
 * An empty field is no filter; a bad one is shown again with a GOV.UK error summary.
 */
export interface OversightFilter {
  readonly from: string;
  readonly to: string;
  readonly teamManagerId: string | null;
  readonly recipientOrganisationId: string | null;
  readonly practitionerId: string | null;
  readonly lawfulBasis: string | null;
  readonly consent: 'with' | 'without' | null;
  readonly personId: string | null;
  readonly page: number;
}

/** What the organisation's lists offer: a chosen value outside them is refused. */
export interface FilterChoices {
  readonly managers: readonly { readonly id: string; readonly name: string }[];
  readonly staff: readonly { readonly id: string; readonly name: string }[];
  readonly organisations: readonly { readonly id: string; readonly name: string }[];
  readonly lawfulBases: readonly { readonly id: string; readonly label: string }[];
}

const blankIsAbsent = (value: unknown) =>
  value === undefined || (typeof value === 'string' && value.trim() === '') ? undefined : value;
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsAbsent, schema.optional());
const datePart = z.string().max(10).optional();

const filterQuery = z.strictObject({
  team: optional(z.string().max(100)),
  recipient: optional(z.string().max(100)),
  practitioner: optional(z.string().max(100)),
  basis: optional(z.string().max(100)),
  consent: optional(z.enum(['with', 'without'], { error: 'Select with or without consent' })),
  // A person by id: their name is found with the posted "find a person" form, never put in the address.
  person: optional(z.uuid({ error: 'Find the person by name again' })),
  page: optional(
    z
      .string()
      .regex(/^[1-9]\d{0,4}$/, 'The page number is not valid')
      .transform(Number),
  ),
  format: optional(z.enum(['csv'])),
  'from-day': datePart,
  'from-month': datePart,
  'from-year': datePart,
  'to-day': datePart,
  'to-month': datePart,
  'to-year': datePart,
});

export type FilterResult =
  | { readonly ok: true; readonly filter: OversightFilter; readonly csv: boolean }
  | { readonly ok: false; readonly errors: FormErrors };

/** The default period: this month and the eleven before it, to today. */
export function defaultPeriod(today: string): { from: string; to: string } {
  return { from: `${addMonths(today, -11).slice(0, 7)}-01`, to: today };
}

export function parseFilter(query: unknown, choices: FilterChoices, today: string): FilterResult {
  const raw = (query ?? {}) as Record<string, unknown>;
  const parsed = filterQuery.safeParse(raw);
  const issues: z.core.$ZodIssue[] = parsed.success ? [] : [...parsed.error.issues];
  const problem = (path: string, message: string) =>
    issues.push({ code: 'custom', path: [path], message, input: undefined });
  const period = defaultPeriod(today);
  const from = readDate(raw, 'from');
  const to = readDate(raw, 'to');
  if (from.kind === 'invalid') problem('from', 'Date from must be a real date');
  if (to.kind === 'invalid') problem('to', 'Date to must be a real date');
  const fromDate = from.kind === 'date' ? from.value : period.from;
  const toDate = to.kind === 'date' ? to.value : period.to;
  if (from.kind !== 'invalid' && to.kind !== 'invalid' && toDate < fromDate)
    problem('to', 'Date to must be the same as or after date from');
  const value = parsed.success ? parsed.data : undefined;
  if (value !== undefined) {
    const known = (list: readonly { readonly id: string }[], id: string | undefined) =>
      id === undefined || list.some((item) => item.id === id);
    if (!known(choices.managers, value.team)) problem('team', 'Select a team from the list');
    if (!known(choices.organisations, value.recipient))
      problem('recipient', 'Select a recipient organisation from the list');
    if (!known(choices.staff, value.practitioner))
      problem('practitioner', 'Select a practitioner from the list');
    if (!known(choices.lawfulBases, value.basis)) problem('basis', 'Select a lawful basis from the list');
  }
  if (issues.length > 0 || value === undefined) {
    const errors = formErrors(issues);
    return {
      ok: false,
      errors: {
        ...errors,
        summary: errors.summary.map((entry) =>
          entry.href === '#from' || entry.href === '#to' ? { ...entry, href: `${entry.href}-day` } : entry,
        ),
      },
    };
  }
  return {
    ok: true,
    csv: value.format === 'csv',
    filter: {
      from: fromDate,
      to: toDate,
      teamManagerId: value.team ?? null,
      recipientOrganisationId: value.recipient ?? null,
      practitionerId: value.practitioner ?? null,
      lawfulBasis: value.basis ?? null,
      consent: value.consent ?? null,
      personId: value.person ?? null,
      page: value.page ?? 1,
    },
  };
}

/** The filter as a query string (for links: paging, CSV): ids and dates only. */
export function filterQueryString(
  filter: OversightFilter,
  options: { readonly page?: number; readonly csv?: boolean; readonly without?: keyof OversightFilter } = {},
): string {
  const query = new URLSearchParams();
  for (const [name, date] of [
    ['from', filter.from],
    ['to', filter.to],
  ] as const) {
    const [year = '', month = '', day = ''] = date.split('-');
    query.set(`${name}-day`, String(Number(day)));
    query.set(`${name}-month`, String(Number(month)));
    query.set(`${name}-year`, year);
  }
  if (filter.teamManagerId !== null) query.set('team', filter.teamManagerId);
  if (filter.recipientOrganisationId !== null) query.set('recipient', filter.recipientOrganisationId);
  if (filter.practitionerId !== null) query.set('practitioner', filter.practitionerId);
  if (filter.lawfulBasis !== null) query.set('basis', filter.lawfulBasis);
  if (filter.consent !== null) query.set('consent', filter.consent);
  if (filter.personId !== null && options.without !== 'personId') query.set('person', filter.personId);
  if (options.page !== undefined && options.page > 1) query.set('page', String(options.page));
  if (options.csv === true) query.set('format', 'csv');
  return query.toString();
}
