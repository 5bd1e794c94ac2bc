import { z } from 'zod';
import type { AddendumKind } from '../sharing.table.ts';
import { choice, text } from './fields.ts';

/** Addenda to a recorded decision: corrections and later facts; the record itself never changes. */

export const addendumKinds = ['correction', 'later-fact'] as const satisfies readonly AddendumKind[];
export const addendumKindNames: Record<AddendumKind, { readonly text: string; readonly hint: string }> = {
  correction: { text: 'A correction', hint: 'Something in the record is wrong: say what, and what is right' },
  'later-fact': {
    text: 'A later fact',
    hint: 'Something that happened or came to light after the decision was recorded',
  },
};

export const addendumFields = ['kind', 'body'];
/** The longest addendum; the page counts down to it. */
export const addendumLimit = 4000;

export const addendumForm = z
  .strictObject({
    kind: choice(addendumKinds, 'Select whether this is a correction or a later fact'),
    body: text('the addendum', addendumLimit),
  })
  .transform((raw, ctx) => {
    if (raw.kind === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: 'Select whether this is a correction or a later fact',
      });
    if (raw.body === undefined)
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'Enter the addendum' });
    return { kind: raw.kind ?? 'correction', body: raw.body ?? '' };
  });
