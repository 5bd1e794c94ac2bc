import { londonInstant } from './time.ts';
import { z } from 'zod';
import { realDate } from '../lib/calendar.ts';
import type { TextShape } from '../lib/text.ts';
import { multiline, singleLine, textRule } from '../lib/text.schema.ts';

export { multiline, singleLine, textRule };

/** Zod building blocks for form fields, with messages in GOV.UK style. */
/** Text that must be given, under the one text rule (src/lib/text.ts); one line unless `shape` says otherwise. */
export function requiredText(label: string, max = 200, shape: TextShape = singleLine) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .superRefine(textRule(label, shape));
}

/** Text that may be left blank (null), under the one text rule; one line unless `shape` says otherwise. */
export function optionalText(label: string, max = 200, shape: TextShape = singleLine) {
  return z
    .string({ error: `${capitalise(label)} must be text` })
    .trim()
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .superRefine(textRule(label, shape))
    .optional()
    .transform((value) => (value === undefined || value === '' ? null : value));
}

export const emailAddress = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.gov.uk' }));

export const ukPhoneNumber = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .transform((value) => value.replace(/[\s()-]/g, ''))
    .pipe(z.string().regex(/^(\+44|0)\d{9,10}$/, `Enter ${label} in the correct format, like 01793 463000`));

export const ukPostcode = z
  .string({ error: 'Enter a postcode' })
  .trim()
  .toUpperCase()
  .transform((value) => value.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/, 'Enter a full UK postcode, like SN1 2JH'))
  .transform((value) => `${value.slice(0, -3)} ${value.slice(-3)}`);

/** A form field that may arrive once (a string) or many times (an array): checkboxes. */
export function checkboxes<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value: unknown): unknown[] =>
      value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value],
    z.array(item),
  );
}

/** A list page number in the address: 1 to 100,000, digits only; anything else is a page that does not exist (404). */
export const pageNumber = z
  .string()
  .regex(/^[1-9]\d{0,4}$/)
  .transform(Number)
  .optional()
  .transform((page) => page ?? 1);

const datePart = z
  .string({ error: 'Enter the date as numbers' })
  .max(10, 'Enter the date as numbers')
  .optional();

/** The three fields of a GOV.UK date input named `<name>-day`, `<name>-month` and `<name>-year`, as raw text. */
export function dateParts<const N extends string>(name: N) {
  // Computed keys lose their literal types; the record type restores them.
  return { [`${name}-day`]: datePart, [`${name}-month`]: datePart, [`${name}-year`]: datePart } as Record<
    `${N}-day` | `${N}-month` | `${N}-year`,
    typeof datePart
  >;
}

export type DateAnswer =
  | { readonly kind: 'blank' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'date'; readonly value: string };

/** Reads a GOV.UK date input's three fields: blank, not a real date, or the date as yyyy-mm-dd. */
export function readDate(answers: Record<string, unknown>, name: string): DateAnswer {
  const parts = ['day', 'month', 'year'].map((part) => {
    const value = answers[`${name}-${part}`];
    return typeof value === 'string' ? value.trim() : '';
  });
  if (parts.every((part) => part === '')) return { kind: 'blank' };
  if (!parts.every((part) => /^\d{1,4}$/.test(part))) return { kind: 'invalid' };
  const [day, month, year] = parts.map(Number) as [number, number, number];
  const value = realDate(year, month, day);
  return value === undefined ? { kind: 'invalid' } : { kind: 'date', value };
}

/** The fields a date input contributes, so that a form can ignore them when echoing answers. */
export function dateFieldNames(name: string): string[] {
  return [`${name}-day`, `${name}-month`, `${name}-year`];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A London date and a time of day, HH:MM or H:MM, 24-hour; or a reason it is not one. */
export function readInstant(
  raw: Record<string, unknown>,
  dateName: string,
  timeName: string,
  problem: (path: string, message: string) => void,
  messages: { blank: string; invalid: string; time: string },
): Date | undefined {
  const date = readDate(raw, dateName);
  const time = typeof raw[timeName] === 'string' ? raw[timeName].trim().replace('.', ':') : '';
  if (date.kind === 'blank') {
    problem(dateName, messages.blank);
    return undefined;
  }
  if (date.kind === 'invalid') {
    problem(dateName, messages.invalid);
    return undefined;
  }
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (match === null) {
    problem(timeName, messages.time);
    return undefined;
  }
  const instant = londonInstant(date.value, `${match[1] ?? ''}:${match[2] ?? ''}`);
  if (instant === undefined)
    problem(timeName, 'That time did not happen: the clocks went forward an hour then');
  return instant;
}
