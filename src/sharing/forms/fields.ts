import { z } from 'zod';
import type { TextShape } from '../../lib/text.ts';
import { textRule } from '../../lib/text.schema.ts';
import { multiline } from '../../lib/fields.ts';

/**
 * The building blocks of the question pages' forms: each form turns a post into the canonical
 * sections (sharing.answers.ts) with GOV.UK error messages, and each section back into the values a
 * page shows. The decision rules (sharing.rules.ts) still judge the whole decision; the forms catch
 * what a page can say at once. Text arrives as a string (an array means a tampered form), lists as
 * one or many values.
 */

/** Values of a form, as they are shown again: text as text, lists as lists. */
export type FormValues = Record<string, string | string[] | undefined>;

/** Checkbox lists: one value arrives as a string, several as an array; shown again, always a list. */
export const checkboxFields = ['shared', 'withheld', 'confirmed', 'notShareReasonIds'] as const;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A typed answer under the one text rule; a textarea (several lines) unless the call says otherwise. */
export function text(label: string, max: number, shape: TextShape = multiline) {
  return z
    .string({ error: `${capitalise(label)} must be text` })
    .max(max, `${capitalise(label)} must be ${String(max)} characters or fewer`)
    .superRefine(textRule(label, shape))
    .optional()
    .transform((value) => {
      const trimmed = value?.trim() ?? '';
      return trimmed === '' ? undefined : trimmed;
    });
}

export function choice<const T extends string>(allowed: readonly T[], message: string) {
  return z
    .string({ error: message })
    .max(100, message)
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .refine(
      (value): value is T | undefined =>
        value === undefined || (allowed as readonly string[]).includes(value),
      message,
    );
}

export function list(allowed: readonly string[], message: string) {
  return z
    .preprocess(
      (value: unknown): unknown =>
        value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value],
      z.array(z.unknown()).max(100, message),
    )
    .refine(
      (values): values is string[] =>
        values.every((value) => typeof value === 'string' && value.length <= 100),
      message,
    )
    .transform((values) => [...new Set((values as string[]).filter((value) => value !== ''))])
    .refine((values) => values.every((value) => allowed.includes(value)), message);
}

export function dateValues(name: string, value: string | undefined): FormValues {
  const [year, month, day] = (value ?? '').split('-');
  return {
    [`${name}-day`]: day === undefined ? '' : String(Number(day)),
    [`${name}-month`]: month === undefined ? '' : String(Number(month)),
    [`${name}-year`]: year ?? '',
  };
}

export const yesNo = ['yes', 'no'] as const;
