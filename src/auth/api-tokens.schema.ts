import { z } from 'zod';
import { requiredText } from '../lib/fields.ts';

export const apiTokenForm = z.strictObject({
  name: requiredText('a name for the token, such as the system that will use it', 100),
  validDays: z
    .string({ error: 'Enter how many days the token is valid for' })
    .trim()
    .regex(/^\d{1,3}$/, 'Enter a whole number of days from 1 to 365')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'Enter a whole number of days from 1 to 365')
        .max(365, 'Enter a whole number of days from 1 to 365'),
    ),
});

export const apiTokenParams = z.strictObject({ id: z.uuid(), tokenId: z.uuid() });
