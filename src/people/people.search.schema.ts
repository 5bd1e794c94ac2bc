import { z } from 'zod';
import { singleLine, textRule } from '../lib/fields.ts';
import { dateOfBirthField, withDateOfBirth } from './people.schema.ts';

export interface SearchCriteria {
  /** A name (or part of one), an NHS number, a case reference or a UPN; null when searching by date of birth only. */
  readonly query: string | null;
  readonly dateOfBirth: string | null;
}

/**
 * Person search: posted, never in the address (names and dates of birth are personal data). A name,
 * NHS number, case reference or UPN, and/or an exact date of birth.
 */
export function searchForm(today: string) {
  return z
    .preprocess(
      withDateOfBirth,
      z.strictObject({
        query: z
          .string({ error: 'Enter a name, NHS number or case reference' })
          .trim()
          .max(100, 'Search must be 100 characters or fewer')
          .superRefine(textRule('search', singleLine))
          .refine(
            (value) => value === '' || /[\p{L}\p{N}]/u.test(value),
            'Search must include letters or numbers',
          )
          .optional()
          .transform((value) => (value === undefined || value === '' ? null : value)),
        dateOfBirth: dateOfBirthField(today),
      }),
    )
    .superRefine((answers, context) => {
      if (answers.query === null && answers.dateOfBirth === null) {
        context.addIssue({
          code: 'custom',
          message: 'Enter a name, NHS number or case reference, or a date of birth',
          path: ['query'],
        });
      }
    })
    .transform((answers): SearchCriteria => answers);
}

export const searchFields = ['query', 'dateOfBirth-day', 'dateOfBirth-month', 'dateOfBirth-year'] as const;
