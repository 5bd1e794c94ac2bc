import type { z } from 'zod';

/** A form's errors in the shapes GOV.UK macros take: the summary list and a message per field. */
export interface FormErrors {
  readonly summary: { readonly text: string; readonly href: string }[];
  readonly fields: Record<string, { readonly text: string }>;
}

export type FormResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FormErrors };

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
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.map(String).join('.') || 'form'];
    for (const key of keys) {
      const text = issue.code === 'unrecognized_keys' ? `The form has a field it does not expect (${key.slice(0, 40)})` : issue.message;
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
