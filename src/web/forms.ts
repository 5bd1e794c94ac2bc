import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Viewer } from '../lib/viewer.ts';
import type { RuleError } from '../lib/errors.ts';

/** A form's errors in the shapes GOV.UK macros take: the summary list and a message per field. */
export interface FormErrors {
  readonly summary: { readonly text: string; readonly href: string }[];
  readonly fields: Record<string, { readonly text: string }>;
}

export type FormResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FormErrors };

/** Fields every form carries that are not the form's own answers. */
const transportFields = new Set(['_csrf']);

/**
 * Validates a submitted form with its Zod schema. Unknown fields are refused (the schema is strict),
 * and each problem becomes an error-summary entry linking to its field.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const answers = withoutTransportFields(body);
  const parsed = schema.safeParse(answers);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, errors: formErrors(parsed.error.issues) };
}

export function formErrors(issues: readonly z.core.$ZodIssue[]): FormErrors {
  const summary: { text: string; href: string }[] = [];
  const fields: Record<string, { text: string }> = {};
  for (const issue of issues) {
    const keys =
      issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.map(String).join('.') || 'form'];
    for (const key of keys) {
      const text =
        issue.code === 'unrecognized_keys'
          ? `The form has a field it does not expect (${key.slice(0, 40)})`
          : // A field's own message stands; only zod's default ("Too big: ...") is put in plain words.
            issue.code === 'too_big' && issue.origin === 'string' && issue.message.startsWith('Too big')
            ? `This answer is too long: it must be ${String(issue.maximum)} characters or fewer`
            : issue.message;
      if (fields[key] !== undefined) continue;
      fields[key] = { text };
      summary.push({ text, href: `#${key}` });
    }
  }
  return { summary, fields };
}

/** An error for one field, for rules that are checked after validation (e.g. "e-mail already in use"). */
export function fieldError(field: string, text: string): FormErrors {
  return { summary: [{ text, href: `#${field}` }], fields: { [field]: { text } } };
}

function withoutTransportFields(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body ?? {};
  return Object.fromEntries(Object.entries(body).filter(([key]) => !transportFields.has(key)));
}

/**
 * The signed-in member of staff a page serves. Every route that calls this declares an access rule
 * that refuses anyone not signed in, so a missing viewer is a wiring fault, not a user's mistake.
 */
export function viewerOf(request: FastifyRequest): Viewer {
  if (request.viewer === undefined)
    throw new Error(`${request.routeOptions.url ?? 'a page'} was reached without a signed-in viewer`);
  return request.viewer;
}

/** A date's error links to its first field (the day), as the GOV.UK date input pattern asks. */
export function anchorDates(errors: FormErrors, dateFields: Iterable<string>): FormErrors {
  const dates = new Set(dateFields);
  return {
    summary: errors.summary.map((entry) =>
      dates.has(entry.href.slice(1)) ? { ...entry, href: `${entry.href}-day` } : entry,
    ),
    fields: errors.fields,
  };
}

/** Every summary entry linked to one place (a form with no single field to blame), with no field messages. */
export function linkedTo(errors: FormErrors, target: string): FormErrors {
  return { summary: errors.summary.map((entry) => ({ ...entry, href: `#${target}` })), fields: {} };
}

/**
 * A rule error's problems as form errors: each linked to its field when the form has it (a date to
 * its day), otherwise to the form's first field; one message per field, every message in the summary.
 */
export function ruleErrors(
  error: RuleError,
  fields: readonly string[],
  dateFields: Iterable<string> = [],
): FormErrors {
  const dates = new Set(dateFields);
  const summary: { text: string; href: string }[] = [];
  const byField: Record<string, { text: string }> = {};
  for (const problem of error.problems) {
    const field = fields.includes(problem.field) || dates.has(problem.field) ? problem.field : undefined;
    const anchor =
      field === undefined ? (fields[0] ?? 'main-content') : dates.has(field) ? `${field}-day` : field;
    if (!summary.some((entry) => entry.text === problem.message))
      summary.push({ text: problem.message, href: `#${anchor}` });
    if (field !== undefined) byField[field] ??= { text: problem.message };
  }
  return { summary, fields: byField };
}

/** The answers of a form as typed, to show again beside its errors: one answer per field, a list for checkboxes. */
export type TypedAnswers = Record<string, string | string[]>;

/**
 * What was typed, to show again beside the errors: text as text (at most 10,000 characters), the
 * fields in `lists` (checkboxes) as lists of short values even when one box was ticked; fields the
 * form does not have, and values of any other shape, are dropped.
 */
export function typedAnswers(
  body: unknown,
  fields: readonly string[],
  lists: Iterable<string> = [],
): TypedAnswers {
  const listFields = new Set(lists);
  const answers: TypedAnswers = {};
  if (body === null || typeof body !== 'object') return answers;
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key)) continue;
    if (listFields.has(key))
      answers[key] = [value]
        .flat()
        .filter((item): item is string => typeof item === 'string' && item.length <= 100)
        .slice(0, 100);
    else if (typeof value === 'string') answers[key] = value.slice(0, 10_000);
  }
  return answers;
}
