import { z } from 'zod';
import { formErrors, type FormErrors } from '../web/forms.ts';
import type { FilterChoices, TrailCursor, TrailFilter } from './audit.service.ts';

/** A query-string field: absent and empty are the same (a GET form sends every field, filled or not). */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value: unknown) =>
      value === undefined || (typeof value === 'string' && value.trim() === '') ? undefined : value,
    schema.optional(),
  );
}

const text = (message: string, max: number) => z.string({ error: message }).trim().max(max, message);

const datePart = (label: string) => optional(text(`${label} must be a real date`, 4));

const sequenceNumber = optional(
  text('The page link is not valid: go back to the first page', 16)
    .regex(/^[1-9]\d{0,14}$/, 'The page link is not valid: go back to the first page')
    .transform(Number),
);

/** The audit trail's filter form (a GET form) and its paging cursor. Unknown fields are refused. */
export const trailQuery = z.strictObject({
  person: optional(
    text('Person ID must be 36 characters, like 6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21', 36)
      .toLowerCase()
      .pipe(
        z.uuid({
          error: 'Enter a person ID in the correct format, like 6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21',
        }),
      ),
  ),
  user: optional(
    text('Select a user from the list', 36)
      .toLowerCase()
      .pipe(z.uuid({ error: 'Select a user from the list' })),
  ),
  action: optional(
    text('Select an action from the list', 100).regex(
      /^[a-z0-9_]+(\.[a-z0-9_]+)*$/,
      'Select an action from the list',
    ),
  ),
  'from-day': datePart('Date from'),
  'from-month': datePart('Date from'),
  'from-year': datePart('Date from'),
  'to-day': datePart('Date to'),
  'to-month': datePart('Date to'),
  'to-year': datePart('Date to'),
  before: sequenceNumber,
  after: sequenceNumber,
});

export type TrailRequest =
  | { readonly ok: true; readonly filter: TrailFilter; readonly cursor: TrailCursor }
  | { readonly ok: false; readonly errors: FormErrors };

/** Date input ids: the error summary links to the day field, as GOV.UK date inputs do. */
const fieldAnchors: Readonly<Record<string, string>> = {
  from: '#from-day',
  to: '#to-day',
  before: '#results',
  after: '#results',
};

/**
 * Validates the filter: the shape with Zod, then the rules that need the organisation's own lists
 * (a user of this organisation, an action this trail holds) and the date range.
 */
export function parseTrailQuery(query: unknown, choices: FilterChoices): TrailRequest {
  const parsed = trailQuery.safeParse(query ?? {});
  const issues: z.core.$ZodIssue[] = parsed.success ? [] : [...parsed.error.issues];
  const value = parsed.success ? parsed.data : undefined;
  const errorAt = (path: string, message: string) =>
    issues.push({ code: 'custom', path: [path], message, input: undefined });

  let from: string | null = null;
  let to: string | null = null;
  if (value !== undefined) {
    if (value.user !== undefined && !choices.staff.some((member) => member.id === value.user))
      errorAt('user', 'Select a user from the list');
    if (value.action !== undefined && !choices.actions.includes(value.action))
      errorAt('action', 'Select an action from the list');
    if (value.before !== undefined && value.after !== undefined)
      errorAt('before', 'The page link is not valid: go back to the first page');
    const fromDate = londonDate('Date from', value['from-day'], value['from-month'], value['from-year']);
    const toDate = londonDate('Date to', value['to-day'], value['to-month'], value['to-year']);
    if (fromDate.error !== undefined) errorAt('from', fromDate.error);
    if (toDate.error !== undefined) errorAt('to', toDate.error);
    from = fromDate.date;
    to = toDate.date;
    if (from !== null && to !== null && to < from)
      errorAt('to', 'Date to must be the same as or after date from');
  } else {
    // Report the date fields once each, under the date input's own name.
    issues.forEach((issue, index) => {
      const date = /^(from|to)-(day|month|year)$/.exec(String(issue.path[0] ?? ''));
      if (date?.[1] !== undefined) issues[index] = { ...issue, path: [date[1]] };
    });
  }

  if (issues.length > 0) {
    const errors = formErrors(issues);
    return {
      ok: false,
      errors: {
        ...errors,
        summary: errors.summary.map((entry) => ({
          ...entry,
          href: fieldAnchors[entry.href.slice(1)] ?? entry.href,
        })),
      },
    };
  }
  if (value === undefined) return { ok: false, errors: formErrors([]) };
  const cursor: TrailCursor =
    value.before !== undefined
      ? { before: value.before }
      : value.after !== undefined
        ? { after: value.after }
        : null;
  return {
    ok: true,
    filter: {
      personId: value.person ?? null,
      actorUserId: value.user ?? null,
      action: value.action ?? null,
      from,
      to,
    },
    cursor,
  };
}

/** A date from the three GOV.UK date-input fields, as `yyyy-mm-dd`, with GOV.UK error messages. */
function londonDate(
  label: string,
  day: string | undefined,
  month: string | undefined,
  year: string | undefined,
): { date: string | null; error?: string } {
  if (day === undefined && month === undefined && year === undefined) return { date: null };
  const missing = [
    day === undefined ? 'day' : null,
    month === undefined ? 'month' : null,
    year === undefined ? 'year' : null,
  ].filter((part) => part !== null);
  if (missing.length > 0) return { date: null, error: `${label} must include a ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(day ?? '') || !/^\d{1,2}$/.test(month ?? ''))
    return { date: null, error: `${label} must be a real date` };
  if (!/^\d{4}$/.test(year ?? '')) return { date: null, error: 'Year must include 4 numbers' };
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const candidate = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1900 ||
    candidate.getUTCFullYear() !== y ||
    candidate.getUTCMonth() !== m - 1 ||
    candidate.getUTCDate() !== d
  ) {
    return { date: null, error: `${label} must be a real date` };
  }
  return { date: `${String(y)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** The event page's address: a sequence number, or nothing there. */
export const eventParams = z.strictObject({
  seq: z
    .string()
    .regex(/^[1-9]\d{0,14}$/)
    .transform(Number),
});

/** The verification form carries nothing but its CSRF token. */
export const verifyForm = z.strictObject({});
