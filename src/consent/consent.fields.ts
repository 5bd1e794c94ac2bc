import { z } from 'zod';
import type { TextShape } from '../lib/text.ts';
import { textRule } from '../lib/text.schema.ts';
import { multiline } from '../lib/fields.ts';
import type {
  ChildCapacity,
  ConsentDecision,
  HowGiven,
  PrevailingView,
  WithdrawalMethod,
  WithdrawnBy,
} from './consent.table.ts';

/** The choices the consent forms offer, and the builders of their raw fields. */
export const decisions = ['given', 'refused', 'not_sought'] as const satisfies readonly ConsentDecision[];
export const givers = ['child', 'parent_carer'] as const;
export const childCapacities = [
  'competent',
  'not_competent',
  'not_assessed',
] as const satisfies readonly ChildCapacity[];
export const prevailingViews = ['child', 'parent_carer'] as const satisfies readonly PrevailingView[];
export const howGivenChoices = ['written', 'verbal', 'electronic'] as const satisfies readonly HowGiven[];
export const withdrawalMethods = [
  'in_person',
  'telephone',
  'letter',
  'email',
] as const satisfies readonly WithdrawalMethod[];
export const withdrawers = ['child', 'parent_carer', 'both'] as const satisfies readonly WithdrawnBy[];
export const yesNo = ['yes', 'no'] as const;

// Raw form fields: text arrives as a string (an array means a tampered form), lists as one or many values.
// Every answer typed in a box is a textarea (several lines) unless its call says otherwise.
export function text(label: string, max: number, shape: TextShape = multiline) {
  return z
    .string({ error: `${capitalise(label)} must be text` })
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .superRefine(textRule(label, shape))
    .optional()
    .transform((value) => {
      const trimmed = value?.trim() ?? '';
      return trimmed === '' ? null : trimmed;
    });
}

export function choice<const T extends readonly string[]>(allowed: T, message: string) {
  return z
    .string({ error: message })
    .max(100, message)
    .optional()
    .transform((value) => (value === undefined || value === '' ? null : value))
    .refine((value): value is T[number] | null => value === null || allowed.includes(value), message);
}

export function list(message: string) {
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
    .transform((values) => [...new Set((values as string[]).filter((value) => value !== ''))]);
}

export function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
