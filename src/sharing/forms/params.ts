import { z } from 'zod';
import { multiline, requiredText } from '../../lib/fields.ts';

/** Ids in the address. A malformed one is a page that does not exist (404), never a 500. */
export const decisionParams = z.strictObject({ id: z.uuid() });
/** `?from=check`: the practitioner came from check your answers and goes back there. A flag, never personal data. */
export const questionQuery = z.object({ from: z.enum(['check']).optional().catch(undefined) });
/** Which change the overview confirms in its banner. */
export const overviewQuery = z.object({
  done: z
    .enum(['sent', 'withdrawn', 'addendum', 'emergency', 'advice', 'discarded'])
    .optional()
    .catch(undefined),
});
export type OverviewNotice = NonNullable<z.output<typeof overviewQuery>['done']>;

/** The start page's form: from a person's page it carries the person's id; from the start page, nothing. */
export const startForm = z.strictObject({
  personId: z
    .string({ error: 'The form could not be read: start again' })
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .pipe(z.uuid({ error: 'The form could not be read: start again' }).optional()),
});

/** Forms that only confirm an action carry no answers of their own. */
export const confirmationForm = z.strictObject({});

/** The emergency route (ADR 0019): the immediate risk, in the practitioner's words. */
/** The longest account of the immediate risk; the page counts down to it. */
export const emergencyRiskLimit = 4000;

export const emergencyForm = z.strictObject({
  risk: requiredText(
    'the immediate risk to the child, and why the share cannot wait for approval',
    emergencyRiskLimit,
    multiline,
  ),
});
