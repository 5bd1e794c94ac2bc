import { z } from 'zod';
import { singleLine } from '../../lib/fields.ts';
import type { PeopleSection } from '../sharing.answers.ts';
import { choice, text, yesNo, type FormValues } from './fields.ts';

/** 2. The people: "transfer between IT systems", and the search, add and remove forms beside it. */

export const peopleForm = z
  .strictObject({
    systemTransfer: choice(yesNo, 'Select yes if the information will be transferred between IT systems'),
  })
  .transform((raw, ctx) => {
    if (raw.systemTransfer === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['systemTransfer'],
        message: 'Select yes if the information will be transferred between IT systems',
      });
    return { systemTransfer: raw.systemTransfer === 'yes' };
  });

export const personForm = z.strictObject({ personId: z.uuid({ error: 'Select a person from the list' }) });

export const peopleSearchForm = z
  .strictObject({ query: text('the search', 100, singleLine) })
  .transform((raw, ctx) => {
    if (raw.query === undefined || !/[\p{L}\p{N}]/u.test(raw.query))
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: 'Enter a name, NHS number or case reference',
      });
    return { query: raw.query ?? '' };
  });

export function peopleValues(section: PeopleSection | undefined): FormValues {
  // Not yet answered (a draft started from a person's record): nothing is pre-selected.
  return section?.systemTransfer === undefined
    ? {}
    : { systemTransfer: section.systemTransfer ? 'yes' : 'no' };
}
