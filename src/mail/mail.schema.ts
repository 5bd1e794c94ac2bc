import { z } from 'zod';

/** A list page number: 1 to 100,000, digits only. Anything else is a page that does not exist (404). */
export const outboxListQuery = z.strictObject({
  page: z
    .string()
    .regex(/^[1-9]\d{0,4}$/)
    .transform(Number)
    .optional()
    .transform((page) => page ?? 1),
});

export const outboxParams = z.strictObject({ id: z.uuid() });
