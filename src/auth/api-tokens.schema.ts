import { z } from 'zod';
import { apiScopes, type ApiScope } from '../lib/api-scopes.ts';
import { checkboxes, requiredText } from '../lib/fields.ts';

const isScope = (value: unknown): value is ApiScope =>
  typeof value === 'string' && (apiScopes as readonly string[]).includes(value);

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
  // Least privilege: nothing is ticked until the administrator chooses what the system needs.
  scopes: checkboxes(z.unknown())
    .refine((chosen) => chosen.every(isScope), 'Select what the token may do from the list')
    .refine((chosen) => chosen.length > 0, 'Select at least one thing the token may do')
    .transform((chosen) => apiScopes.filter((scope) => chosen.includes(scope))),
});

export const apiTokenParams = z.strictObject({ id: z.uuid(), tokenId: z.uuid() });
