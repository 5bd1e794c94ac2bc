import { z } from 'zod';

/** Zod building blocks for form fields, with messages in GOV.UK style. */
export function requiredText(label: string, max = 200) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .refine((value) => !/[<>]/.test(value), `${capitalise(label)} must not contain < or >`);
}

export function optionalText(label: string, max = 200) {
  return z
    .string({ error: `${capitalise(label)} must be text` })
    .trim()
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .refine((value) => !/[<>]/.test(value), `${capitalise(label)} must not contain < or >`)
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
  return z.preprocess((value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]), z.array(item));
}

export const uuid = z.uuid({ error: 'Select a valid option' });

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
